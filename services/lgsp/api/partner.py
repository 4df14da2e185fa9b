"""Partners (API key): pull inbox, acknowledgements, statuses, lookup and files."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Response

from services.lgsp.api.deps import Deps, Partner
from services.lgsp.api.paging import next_cursor, position
from services.lgsp.api.schemas import DocumentStatusReport, StatusReport, delivery_view
from services.lgsp.domain.partners import Service
from shared.contracts.models import SHA256_PATTERN
from shared.contracts.vocabulary import IncomingStatus
from shared.http.pagination import Cursor, Limit
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1", tags=["partners"])


@router.get("/inbox")
async def inbox(partner: Partner, deps: Deps, limit: Limit = 50, cursor: Cursor = None) -> Any:
    items = await deps.deliveries.inbox(partner["_id"], position(cursor), limit)
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
async def ack(delivery_id: str, partner: Partner, deps: Deps) -> dict[str, Any]:
    job = await deps.deliveries.ack(partner, delivery_id)
    return {"delivery_id": job["_id"], "state": job["state"]}


@router.post("/deliveries/{delivery_id}/status")
async def report(
    delivery_id: str, body: StatusReport, partner: Partner, deps: Deps
) -> dict[str, Any]:
    job = await deps.deliveries.report_status(
        partner, delivery_id, IncomingStatus(body.status), body.note
    )
    return delivery_view(job)


@router.post("/statuses")
async def report_by_document(
    body: DocumentStatusReport, partner: Partner, deps: Deps
) -> dict[str, Any]:
    delivery_id = await deps.deliveries.delivery_for_document(partner, body.document_id)
    job = await deps.deliveries.report_status(
        partner, delivery_id, IncomingStatus(body.status), body.note
    )
    return delivery_view(job)


@router.get("/lookup")
async def lookup(
    partner: Partner,
    deps: Deps,
    notation: str = Query(min_length=1, max_length=100),
    year: int | None = Query(default=None, ge=1945, le=2200),
) -> dict[str, Any]:
    await deps.partners.require_grant(partner, Service.DOCUMENT_LOOKUP)
    return await deps.intake.lookup(notation, year)


@router.get("/files/{sha256}")
async def file(partner: Partner, deps: Deps, sha256: str) -> Response:
    if not re.match(SHA256_PATTERN, sha256):
        raise ProblemError(404, "no such file")
    data, media_type = await deps.files.for_partner(partner, sha256)
    return Response(
        data,
        media_type=media_type,
        headers={"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=86400"},
    )
