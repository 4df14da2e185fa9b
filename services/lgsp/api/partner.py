"""Partners (API key): pull inbox, acknowledgements, statuses, lookup and files."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder

from services.lgsp.api.deps import ComponentsDep, Partner
from services.lgsp.api.edxml_inbox import edxml_item
from services.lgsp.api.incoming_log import InLog
from services.lgsp.api.paging import next_cursor, position
from services.lgsp.api.schemas import (
    AckView,
    DeliveryView,
    DocumentStatusReport,
    InboxView,
    LookupView,
    StatusReport,
    delivery_view,
)
from services.lgsp.domain.message_log import Direction
from services.lgsp.errors import FileNotReady
from services.lgsp.services.edxml_delivery import format_of
from shared.contracts.vocabulary import IncomingStatus, MessageFormat
from shared.http.pagination import Cursor, Limit
from shared.http.problems import ProblemError
from shared.http.views import binary_response

router = APIRouter(prefix="/api/v1", tags=["partners"])
# Attachments keep the media type they were stored with.
FILE_RESPONSE = binary_response("the attachment's bytes", ("*/*",))


@router.get("/inbox", response_model=InboxView, response_model_exclude_unset=True)
async def inbox(
    partner: Partner, components: ComponentsDep, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    items = await components.deliveries.inbox(partner["_id"], position(cursor), limit)
    jobs = [job for job, _ in items]
    edxml = format_of(partner) is MessageFormat.EDXML
    handed = [
        {
            "delivery_id": job["_id"],
            "event_type": job["event_type"],
            "document_id": job["document_id"],
            "created_at": job["created_at"],
            # An edXML partner fetches each signed message on its own (tens of MB).
            **(edxml_item(job["_id"]) if edxml else {"payload": payload}),
        }
        for job, payload in items
    ]
    # Each item handed out is a message sent: in the message log before the partner sees it.
    await asyncio.gather(
        *(
            components.message_log.append(
                partner_id=str(partner["_id"]),
                partner_code=str(partner["code"]),
                direction=Direction.OUT,
                kind=str(item["event_type"]),
                headers={"content-type": "application/json"},
                payload=json.dumps(
                    jsonable_encoder(item), ensure_ascii=False, separators=(",", ":")
                ).encode(),
                outcome="handed out (inbox)",
                ref=str(item["delivery_id"]),
            )
            for item in handed
        )
    )
    return {"items": handed, "next_cursor": next_cursor(jobs, limit)}


@router.post("/inbox/{delivery_id}/ack", response_model=AckView)
async def ack(
    delivery_id: str, partner: Partner, components: ComponentsDep, log: InLog
) -> dict[str, Any]:
    job = await log.around(
        "inbox.ack", delivery_id, components.deliveries.ack(partner, delivery_id)
    )
    return {"delivery_id": job["_id"], "state": job["state"]}


@router.post("/deliveries/{delivery_id}/status", response_model=DeliveryView)
async def report(
    delivery_id: str, body: StatusReport, partner: Partner, components: ComponentsDep, log: InLog
) -> dict[str, Any]:
    status = IncomingStatus(body.status)
    reported = components.deliveries.report_status(partner, delivery_id, status, body.note)
    return delivery_view(await log.around("delivery.status", delivery_id, reported))


@router.post("/statuses", response_model=DeliveryView)
async def report_by_document(
    body: DocumentStatusReport, partner: Partner, components: ComponentsDep, log: InLog
) -> dict[str, Any]:
    status = IncomingStatus(body.status)
    reported = components.deliveries.report_document_status(
        partner, body.document_id, status, body.note
    )
    return delivery_view(await log.around("document.status", body.document_id, reported))


@router.get("/lookup", response_model=LookupView)
async def lookup(
    partner: Partner,
    components: ComponentsDep,
    notation: str = Query(min_length=1, max_length=100),
    year: int | None = Query(default=None, ge=1945, le=2200),
) -> dict[str, Any]:
    return await components.intake.lookup(partner, notation, year)


@router.get("/files/{sha256}", response_class=Response, responses=FILE_RESPONSE)
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
