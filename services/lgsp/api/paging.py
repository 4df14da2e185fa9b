"""Cursor paging over (created_at, id)."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
