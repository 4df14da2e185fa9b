"""Documents sent in by partner agencies (API key), and their files for the documents
service (service token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from services.lgsp.api.deps import ComponentsDep, Partner
from services.lgsp.api.inbound_body import message_format, read_limited
from services.lgsp.api.incoming_log import InLog
from services.lgsp.api.schemas import (
    INBOUND_EXAMPLE,
    InboundAnswer,
    InboundCreate,
    InboundReceiptView,
    InboundView,
    RecallCreate,
    delivery_view,
    inbound_receipt_view,
    inbound_view,
)
from services.lgsp.components import LgspComponents
from services.lgsp.domain.inbound import EncodedFile
from services.lgsp.services.inbound_edxml import EdxmlKind
from shared.auth.dependencies import require_roles
from shared.auth.principal import Role
from shared.contracts.vocabulary import MessageFormat
from shared.http.concurrency import Sha256Path, etag
from shared.http.views import binary_response
from shared.kit.errors import DomainError
from shared.kit.types import Doc

router = APIRouter(prefix="/api/v1", tags=["documents sent in"])

SEND_IN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "application/json: an InboundCreate (document_id, header, body, attachments with "
            "content_base64); application/xml or text/xml: an edXML message"
        ),
        "content": {
            "application/json": {"schema": {"type": "object"}, "example": INBOUND_EXAMPLE},
            "application/xml": {"schema": {"type": "string"}},
            "text/xml": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/inbound",
    status_code=201,
    openapi_extra=SEND_IN_BODY,
    # Three answers of three shapes: documented here, checked by the schema fuzzing.
    response_model=None,
    responses={
        201: {"model": InboundReceiptView, "description": "received: the receipt (status 01)"},
        200: {"model": InboundAnswer, "description": "a resend, or an edXML status message"},
        202: {"model": InboundView, "description": "an edXML recall (BussinessDocType 1)"},
    },
)
async def send_in(
    request: Request, partner: Partner, components: ComponentsDep, response: Response, log: InLog
) -> dict[str, Any]:
    """201 with a receipt (status 01); 200 with the same receipt for a resend.

    Every message, accepted or refused, goes to the partner's message log."""
    kind, data = "inbound", b""
    try:
        fmt = message_format(request.headers.get("content-type"))
        kind = f"inbound.{fmt.value}"
        data = await read_limited(request, components.settings.max_inbound_bytes)
        if fmt is MessageFormat.EDXML:
            view, kind, outcome = await _edxml(partner, data, components, response)
        else:
            view, outcome = await _json(partner, data, components, response)
    except (DomainError, RequestValidationError) as exc:
        await log.note(kind, data, f"refused: {_reason(exc)}")
        raise
    await log.note(kind, data, outcome, view.get("inbound_id"))
    return view


async def _json(
    partner: Doc, data: bytes, components: LgspComponents, response: Response
) -> tuple[dict[str, Any], str]:
    try:
        body = InboundCreate.model_validate_json(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    record, created = await components.inbound.receive_json(
        partner,
        body.document_id,
        body.header,
        body.body,
        [EncodedFile(a.name, a.media_type, a.content_base64) for a in body.attachments],
    )
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/inbound/{record['_id']}"
    return inbound_receipt_view(record), "accepted" if created else "resent"


async def _edxml(
    partner: Doc, data: bytes, components: LgspComponents, response: Response
) -> tuple[dict[str, Any], str, str]:
    """A document gets the receipt JSON ones get; a recall (BussinessDocType 1) the
    document's view, 202; a status message the delivery it reports on, 200."""
    outcome = await components.inbound_edxml.receive(partner, data)
    if outcome.kind is EdxmlKind.STATUS:
        response.status_code = 200
        return delivery_view(outcome.record), "inbound.edxml.status", "status recorded"
    response.headers["Location"] = f"/api/v1/inbound/{outcome.record['_id']}"
    if outcome.kind is EdxmlKind.RECALL:
        response.status_code = 202
        return inbound_view(outcome.record), "inbound.edxml.recall", "recall requested"
    if not outcome.created:
        response.status_code = 200
        return inbound_receipt_view(outcome.record), "inbound.edxml", "resent"
    return inbound_receipt_view(outcome.record), "inbound.edxml", "accepted"


def _reason(exc: DomainError | RequestValidationError) -> str:
    if isinstance(exc, DomainError):
        return exc.detail
    first: dict[str, Any] = next(iter(exc.errors()), {})
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}"[:500]


@router.get("/inbound/{inbound_id}", response_model=InboundView)
async def get_inbound(
    inbound_id: str, partner: Partner, components: ComponentsDep, response: Response
) -> dict[str, Any]:
    record = await components.inbound.get(partner, inbound_id)
    response.headers["ETag"] = etag(int(record["version"]))
    return inbound_view(record)


@router.post("/inbound/{inbound_id}/recall", status_code=202, response_model=InboundView)
async def recall_inbound(
    inbound_id: str, body: RecallCreate, partner: Partner, components: ComponentsDep, log: InLog
) -> dict[str, Any]:
    """Status 13: the ministry is asked to give the document back; it answers 15 or 16."""
    record = await log.around(
        "inbound.recall",
        inbound_id,
        components.inbound.recall(partner, inbound_id, body.reason),
        payload=body.model_dump_json().encode(),
        outcome="recall requested",
    )
    return inbound_view(record)


@router.get(
    "/inbound-files/{sha256}",
    dependencies=[Depends(require_roles(Role.SERVICE_DOCUMENTS))],
    response_class=StreamingResponse,
    responses=binary_response("the attachment's bytes, as sent in", ("*/*",)),
)
async def inbound_file(sha256: Sha256Path, components: ComponentsDep) -> StreamingResponse:
    """An attachment of a document sent in, by claim check: for the documents service only."""
    info, chunks = await components.inbound.file(sha256)
    return StreamingResponse(
        chunks,
        media_type=str(info.get("media_type") or "application/octet-stream"),
        headers={
            "Content-Length": str(info["length"]),
            "ETag": f'"{sha256}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
