"""Cursor paging: the pull inbox over (created_at, id), the administrators' delivery list
over its own positions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.lgsp.domain.deliveries import ListPosition
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import ProblemError


def position(cursor: str | None) -> tuple[dt.datetime, str] | None:
    value = decode_cursor(cursor)
    if value is None:
        return None
    try:
        created = dt.datetime.fromisoformat(str(value["c"]))
        return (created if created.tzinfo else created.replace(tzinfo=dt.UTC), str(value["i"]))
    except (KeyError, ValueError) as exc:
        raise ProblemError(400, "the cursor is not valid") from exc


def next_cursor(docs: list[dict[str, Any]], limit: int) -> str | None:
    if len(docs) < limit or not docs:
        return None
    last = docs[-1]
    created: dt.datetime = last["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return encode_cursor({"c": created.isoformat(), "i": last["_id"]})


def list_position(cursor: str | None, open_only: bool) -> ListPosition | None:
    """The administrators' delivery list: a creation key (open jobs) or a minute key (the
    history) and a job id; a cursor of the other kind of list is refused."""
    value = decode_cursor(cursor)
    if value is None:
        return None
    key, job_id = value.get("k"), value.get("i")
    try:
        if not isinstance(key, str) or len(key) != (20 if open_only else 12) or not key.isdigit():
            raise ValueError(key)
        dt.datetime.strptime(key[:12], "%Y%m%d%H%M")
        if job_id is not None and not isinstance(job_id, str):
            raise ValueError(job_id)
    except ValueError as exc:
        raise ProblemError(400, "the cursor is not valid") from exc
    return ListPosition(key, job_id)


def list_cursor(after: ListPosition | None) -> str | None:
    return encode_cursor({"k": after.key, "i": after.job_id}) if after else None
