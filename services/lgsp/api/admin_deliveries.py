"""Administrators: deliveries, their attempts, retry and replay of a time window."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.lgsp.api.deps import Admin, Deps
from services.lgsp.api.paging import next_cursor, position
from services.lgsp.api.schemas import ReplayRequest, delivery_view
from services.lgsp.domain.deliveries import JobState, Mode
from shared.http.pagination import Cursor, Limit

router = APIRouter(prefix="/api/v1/deliveries", tags=["deliveries (admin)"])


@router.get("")
async def list_deliveries(
    _: Admin,
    deps: Deps,
    limit: Limit = 50,
    cursor: Cursor = None,
    partner_id: str | None = None,
    state: JobState | None = None,
    document_id: str | None = None,
) -> dict[str, Any]:
    query: dict[str, str] = {}
    if partner_id:
        query["partner_id"] = partner_id
    if state:
        query["state"] = state.value
    if document_id:
        query["document_id"] = document_id
    docs = await deps.deliveries.page(query, position(cursor), limit)
    return {"items": [delivery_view(d) for d in docs], "next_cursor": next_cursor(docs, limit)}


@router.post("/replay", status_code=202)
async def replay(body: ReplayRequest, _: Admin, deps: Deps) -> dict[str, Any]:
    return await deps.intake.replay(body.start, body.end, body.partner_id)


@router.get("/{delivery_id}")
async def get_delivery(delivery_id: str, _: Admin, deps: Deps) -> dict[str, Any]:
    return delivery_view(await deps.deliveries.get(delivery_id))


@router.post("/{delivery_id}/retry", status_code=202)
async def retry(delivery_id: str, _: Admin, deps: Deps) -> dict[str, Any]:
    job = await deps.deliveries.get(delivery_id)
    partner = await deps.partner_repo.get(job["partner_id"])
    mode = Mode.WEBHOOK if partner and partner.get("webhook_url") else Mode.INBOX
    doc = await deps.deliveries.requeue(job, mode)
    deps.worker.add(doc)
    return delivery_view(doc)
