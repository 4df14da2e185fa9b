"""Administrators: deliveries, their attempts, retry, and replays of a time window."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from services.lgsp.api.deps import Admin, ComponentsDep
from services.lgsp.api.paging import list_cursor, list_position
from services.lgsp.api.schemas import (
    DeliveryList,
    DeliveryView,
    ReplayRequest,
    ReplayView,
    delivery_view,
    replay_view,
)
from services.lgsp.domain.deliveries import DeliveryFilter, JobState, ListOrder
from shared.http.pagination import Cursor, Limit

router = APIRouter(prefix="/api/v1", tags=["deliveries (admin)"])
ReplayId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/deliveries", response_model=DeliveryList)
async def list_deliveries(
    _: Admin,
    components: ComponentsDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    partner_id: str | None = None,
    state: JobState | None = None,
    document_id: str | None = None,
    order: ListOrder = ListOrder.NEWEST,
) -> dict[str, Any]:
    """Delivery jobs, newest first (`order=oldest` for the other way), narrowed by partner,
    state and document. Each page reads a bounded number of records: a page may hold fewer
    items than `limit`, or none, and still have a `next_cursor` to go on from."""
    filters = DeliveryFilter(partner_id=partner_id, state=state, document_id=document_id)
    docs, after = await components.delivery_list.page(
        filters, order, list_position(cursor, filters.open_only()), limit
    )
    return {"items": [delivery_view(d) for d in docs], "next_cursor": list_cursor(after)}


@router.post("/deliveries/replay", status_code=202, response_model=ReplayView)
async def replay(
    body: ReplayRequest, admin: Admin, components: ComponentsDep, response: Response
) -> dict[str, Any]:
    """Start a replay job of the window (at most EGOV_LGSP_REPLAY_MAX_WINDOW_S, 7 days):
    202 with the job, followed at `Location`. 409 while a replay of an overlapping window
    (for the same partner, or for all) runs."""
    job = await components.replays.request(body.start, body.end, body.partner_id, admin.user)
    response.headers["Location"] = f"/api/v1/replays/{job['_id']}"
    return replay_view(job)


@router.get("/replays/{replay_id}", response_model=ReplayView)
async def get_replay(replay_id: ReplayId, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    """A replay's progress: minutes of the window walked, events found, jobs sent again."""
    return replay_view(await components.replays.get(replay_id))


@router.get("/deliveries/{delivery_id}", response_model=DeliveryView)
async def get_delivery(delivery_id: str, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    return delivery_view(await components.deliveries.get(delivery_id))


@router.post("/deliveries/{delivery_id}/retry", status_code=202, response_model=DeliveryView)
async def retry(delivery_id: str, _: Admin, components: ComponentsDep) -> dict[str, Any]:
    return delivery_view(await components.intake.retry(delivery_id))
