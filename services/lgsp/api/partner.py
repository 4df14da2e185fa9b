"""Partners (API key): pull inbox, acknowledgements, statuses, lookup and files."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from services.lgsp.api.deps import ComponentsDep, Partner
from services.lgsp.api.paging import next_cursor, position
from services.lgsp.api.schemas import DocumentStatusReport, StatusReport, delivery_view
from services.lgsp.errors import FileNotReady
from shared.contracts.vocabulary import IncomingStatus
from shared.http.pagination import Cursor, Limit
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1", tags=["partners"])


@router.get("/inbox")
async def inbox(
    partner: Partner, components: ComponentsDep, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    items = await components.deliveries.inbox(partner["_id"], position(cursor), limit)
    jobs = [job for job, _ in items]
    return {
        "items": [
            {
                "delivery_id": job["_id"],
                "event_type": job["event_type"],
                "document_id": job["document_id"],
                "created_at": job["created_at"],
                "payload": payload,
            }
            for job, payload in items
        ],
        "next_cursor": next_cursor(jobs, limit),
    }


@router.post("/inbox/{delivery_id}/ack")
async def ack(delivery_id: str, partner: Partner, components: ComponentsDep) -> dict[str, Any]:
    job = await components.deliveries.ack(partner, delivery_id)
    return {"delivery_id": job["_id"], "state": job["state"]}


@router.post("/deliveries/{delivery_id}/status")
async def report(
    delivery_id: str, body: StatusReport, partner: Partner, components: ComponentsDep
) -> dict[str, Any]:
    job = await components.deliveries.report_status(
        partner, delivery_id, IncomingStatus(body.status), body.note
    )
    return delivery_view(job)


@router.post("/statuses")
async def report_by_document(
    body: DocumentStatusReport, partner: Partner, components: ComponentsDep
) -> dict[str, Any]:
    job = await components.deliveries.report_document_status(
        partner, body.document_id, IncomingStatus(body.status), body.note
    )
    return delivery_view(job)


@router.get("/lookup")
async def lookup(
    partner: Partner,
    components: ComponentsDep,
    notation: str = Query(min_length=1, max_length=100),
    year: int | None = Query(default=None, ge=1945, le=2200),
) -> dict[str, Any]:
    return await components.intake.lookup(partner, notation, year)


@router.get("/files/{sha256}")
async def file(partner: Partner, components: ComponentsDep, sha256: str) -> Response:
    try:
        data, media_type = await components.files.for_partner(partner, sha256)
    except FileNotReady as exc:
        raise ProblemError(503, exc.detail) from exc
    return Response(
        data,
        media_type=media_type,
        headers={"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=86400"},
    )
