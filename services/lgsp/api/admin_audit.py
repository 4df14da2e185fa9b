"""Administrators: the audit log of their own actions on the partner registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from services.lgsp.api.deps import Admin, ComponentsDep
from services.lgsp.api.message_log import VERIFY_LIMIT, before_position
from services.lgsp.api.schemas import AdminAuditPage, ChainsVerdictView, admin_audit_view
from shared.http.pagination import Cursor, Limit, encode_cursor

router = APIRouter(prefix="/api/v1/admin-audit", tags=["admin audit (admin)"])


@router.get("", response_model=AdminAuditPage)
async def list_actions(
    _: Admin, components: ComponentsDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    """Newest first."""
    entries, before = await components.admin_audit.page(before_position(cursor), limit)
    return {
        "items": [admin_audit_view(e) for e in entries],
        "next_cursor": encode_cursor({"before": before}) if before else None,
    }


@router.get("/verify", response_model=ChainsVerdictView, response_model_exclude_unset=True)
async def verify(
    _: Admin,
    components: ComponentsDep,
    from_seq: int | None = Query(default=None, ge=1, le=10**15),
    limit: int = Query(default=VERIFY_LIMIT, ge=1, le=VERIFY_LIMIT),
) -> dict[str, Any]:
    """The chain from its start (or ``from_seq``), at most ``limit`` positions a call."""
    verdict = await components.admin_audit.verify(from_seq=from_seq, max_positions=limit)
    return {"ok": verdict.ok, "chains": [verdict.as_dict()]}
