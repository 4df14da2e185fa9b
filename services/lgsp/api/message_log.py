"""Administrators: the message log (what was exchanged with each partner) and its check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query

from services.lgsp.api.deps import Admin, ComponentsDep
from services.lgsp.api.schemas import ChainsVerdictView, MessageLogPage, message_log_view
from services.lgsp.domain.message_log import Direction
from shared.http.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.http.problems import ProblemError
from shared.kit.clock import as_utc

router = APIRouter(prefix="/api/v1/message-log", tags=["message log (admin)"])
Partner = Query(min_length=1, max_length=100, description="partner id or organisation code")


def before_position(cursor: str | None) -> int | None:
    value = decode_cursor(cursor)
    if value is None:
        return None
    before = value.get("before")
    if not isinstance(before, int) or before < 1:
        raise ProblemError(400, "the cursor is not valid")
    return before


@router.get("", response_model=MessageLogPage, response_model_exclude_unset=True)
async def list_messages(
    _: Admin,
    components: ComponentsDep,
    partner: str = Partner,
    direction: Direction | None = None,
    kind: str | None = Query(default=None, max_length=200),
    since: dt.datetime | None = None,
    with_body: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """One partner's messages, newest first."""
    entries, before = await components.message_log.page(
        partner,
        direction=direction,
        kind=kind,
        since=as_utc(since) if since else None,
        before=before_position(cursor),
        limit=limit,
    )
    return {
        "items": [message_log_view(e, with_body) for e in entries],
        "next_cursor": encode_cursor({"before": before}) if before else None,
    }


# Positions checked per chain and request: a request's cost never grows with the log.
VERIFY_LIMIT = 10_000


@router.get("/verify", response_model=ChainsVerdictView, response_model_exclude_unset=True)
async def verify(
    _: Admin,
    components: ComponentsDep,
    partner: str | None = Query(default=None, min_length=1, max_length=100),
    from_seq: int | None = Query(default=None, ge=1, le=10**15),
    limit: int = Query(default=VERIFY_LIMIT, ge=1, le=VERIFY_LIMIT),
) -> dict[str, Any]:
    """Each chain from its floor (or ``from_seq``): changed, missing and reordered entries,
    bad or missing checkpoints. At most ``limit`` positions a chain per call; a chain not
    checked to its end says ``next_seq`` (`egov lgsp verify-log` checks everything)."""
    verdicts = await components.message_log.verify(partner, from_seq=from_seq, max_positions=limit)
    return {"ok": all(v.ok for v in verdicts), "chains": [v.as_dict() for v in verdicts]}
