"""Administrators: deliveries, their attempts, retry and replay of a time window."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.lgsp.api.deps import Admin, ComponentsDep
from services.lgsp.api.paging import next_cursor, position
from services.lgsp.api.schemas import ReplayRequest, delivery_view
from services.lgsp.domain.deliveries import DeliveryFilter, JobState
from shared.http.pagination import Cursor, Limit

router = APIRouter(prefix="/api/v1/deliveries", tags=["deliveries (admin)"])


@router.get("")
async def list_deliveries(
    _: Admin,
    components: ComponentsDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    partner_id: str | None = None,
    state: JobState | None = None,
    document_id: str | None = None,
) -> dict[str, Any]:
    filters = DeliveryFilter(partner_id=partner_id, state=state, document_id=document_id)
    docs = await components.deliveries.page(filters, position(cursor), limit)
    return {"items": [delivery_view(d) for d in docs], "next_cursor": next_cursor(docs, limit)}


@router.post("/replay", status_code=202)
async def replay(body: ReplayRequest, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    return await components.intake.replay(body.start, body.end, body.partner_id)


@router.get("/{delivery_id}")
async def get_delivery(delivery_id: str, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    return delivery_view(await components.deliveries.get(delivery_id))


@router.post("/{delivery_id}/retry", status_code=202)
async def retry(delivery_id: str, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    return delivery_view(await components.intake.retry(delivery_id))
