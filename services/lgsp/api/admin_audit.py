"""Administrators: the audit log of their own actions on the partner registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.lgsp.api.deps import Admin, ComponentsDep
from services.lgsp.api.message_log import before_position
from services.lgsp.api.schemas import admin_audit_view
from shared.http.pagination import Cursor, Limit, encode_cursor

router = APIRouter(prefix="/api/v1/admin-audit", tags=["admin audit (admin)"])


@router.get("")
async def list_actions(
    _: Admin, components: ComponentsDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    """Newest first."""
    entries, before = await components.admin_audit.page(before_position(cursor), limit)
    return {
        "items": [admin_audit_view(e) for e in entries],
        "next_cursor": encode_cursor({"before": before}) if before else None,
    }


@router.get("/verify")
async def verify(_: Admin, components: ComponentsDep) -> dict[str, Any]:
    verdict = await components.admin_audit.verify()
    return {"ok": verdict.ok, "chains": [verdict.as_dict()]}
