"""Staff API of incoming documents (văn bản đến): lists, reads and the steps of handling."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from services.documents.api.deps import ComponentsDep, InboundId, IncomingWrite, file_response
from services.documents.api.schemas import (
    AuditTrailView,
    ChainVerdictView,
    IncomingAssign,
    IncomingComplete,
    IncomingList,
    IncomingNote,
    IncomingReason,
    IncomingRecallAnswer,
    IncomingView,
    audit_view,
    chain_verdict_view,
    incoming_view,
)
from services.documents.domain.incoming import IncomingState
from services.documents.domain.incoming_listing import IncomingFilters
from services.documents.services.incoming import Assignment, today
from shared.auth.dependencies import CurrentPrincipal
from shared.contracts.models import ORG_CODE_PATTERN
from shared.contracts.vocabulary import Urgency
from shared.http.concurrency import etag
from shared.http.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.http.problems import ProblemError
from shared.http.views import binary_response
from shared.kit.types import Doc

router = APIRouter(prefix="/api/v1/incoming", tags=["incoming"])


def incoming_response(doc: Doc) -> JSONResponse:
    return JSONResponse(
        incoming_view(doc, today=today()), headers={"ETag": etag(int(doc["version"]))}
    )


def _position(cursor: str | None) -> tuple[list[Any] | None, str | None]:
    position = decode_cursor(cursor) or {}
    after, before = position.get("after"), position.get("before")
    valid_after = after is None or (
        isinstance(after, list)
        and len(after) == 4
        and all(isinstance(v, int) for v in after[:2])
        and all(isinstance(v, str) for v in after[2:])
    )
    if not valid_after or not (before is None or isinstance(before, str)):
        raise ProblemError(400, "the cursor is not valid")
    return after, before


@router.get("", response_model=IncomingList, response_model_exclude_unset=True)
async def list_incoming(
    principal: CurrentPrincipal,
    components: ComponentsDep,
    state: Annotated[
        IncomingState | None,
        Query(description="absent: every open document; a closed state walks the history"),
    ] = None,
    urgency: Urgency | None = None,
    unit: Annotated[str | None, Query(max_length=32, description="lead or supporting")] = None,
    overdue: bool | None = None,
    sender: Annotated[str | None, Query(pattern=ORG_CODE_PATTERN)] = None,
    year: Annotated[int | None, Query(ge=1945, le=2200)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    after, before = _position(cursor)
    filters = IncomingFilters(
        state=state, urgency=urgency, unit=unit, overdue=overdue, sender=sender, year=year
    )
    items, position = await components.incoming.listing(principal, filters, limit, after, before)
    day = today()
    return {
        "items": [incoming_view(d, today=day, with_body=False) for d in items],
        "next_cursor": encode_cursor(position) if position else None,
    }


@router.get("/{inbound_id}", response_model=IncomingView)
async def read_incoming(
    inbound_id: InboundId, principal: CurrentPrincipal, components: ComponentsDep
) -> JSONResponse:
    return incoming_response(await components.incoming.read(principal, inbound_id))


@router.get(
    "/{inbound_id}/attachments/{attachment_id}",
    response_class=Response,
    # A partner's file keeps the media type it was sent with.
    responses=binary_response("the file's bytes", ("*/*",)),
)
async def download_incoming_attachment(
    inbound_id: InboundId,
    attachment_id: Annotated[str, Path(min_length=1, max_length=64)],
    principal: CurrentPrincipal,
    components: ComponentsDep,
) -> Response:
    return file_response(await components.incoming.download(principal, inbound_id, attachment_id))


@router.post("/{inbound_id}/accept", response_model=IncomingView)
async def accept(write: IncomingWrite, body: IncomingNote | None = None) -> JSONResponse:
    note = body.note if body else ""
    return incoming_response(await write.apply(write.components.incoming.accept, note))


@router.post("/{inbound_id}/reject", response_model=IncomingView)
async def reject(body: IncomingReason, write: IncomingWrite) -> JSONResponse:
    return incoming_response(await write.apply(write.components.incoming.reject, body.reason))


@router.post("/{inbound_id}/assign", response_model=IncomingView)
async def assign(body: IncomingAssign, write: IncomingWrite) -> JSONResponse:
    assignment = Assignment(
        lead_unit=body.lead_unit,
        supporting_units=list(dict.fromkeys(body.supporting_units)),
        deadline=body.deadline,
        handler=body.handler,
        note=body.note,
        instruction=body.instruction,
    )
    return incoming_response(await write.apply(write.components.incoming.assign, assignment))


@router.post("/{inbound_id}/progress", response_model=IncomingView)
async def progress(write: IncomingWrite, body: IncomingNote | None = None) -> JSONResponse:
    note = body.note if body else ""
    return incoming_response(await write.apply(write.components.incoming.progress, note))


@router.post("/{inbound_id}/complete", response_model=IncomingView)
async def complete(write: IncomingWrite, body: IncomingComplete | None = None) -> JSONResponse:
    body = body or IncomingComplete()
    use_case = write.components.incoming.complete
    return incoming_response(await write.apply(use_case, body.note, body.answer_document_id))


@router.post("/{inbound_id}/recall-answer", response_model=IncomingView)
async def recall_answer(body: IncomingRecallAnswer, write: IncomingWrite) -> JSONResponse:
    use_case = write.components.incoming.answer_recall
    return incoming_response(await write.apply(use_case, body.accept, body.reason))


@router.get("/{inbound_id}/audit", response_model=AuditTrailView, response_model_exclude_unset=True)
async def incoming_audit_trail(
    inbound_id: InboundId, principal: CurrentPrincipal, components: ComponentsDep
) -> dict[str, Any]:
    entries = await components.incoming.trail(principal, inbound_id)
    return {"items": [audit_view(e) for e in entries]}


@router.get("/{inbound_id}/audit/verify", response_model=ChainVerdictView)
async def verify_incoming_audit_trail(
    inbound_id: InboundId, principal: CurrentPrincipal, components: ComponentsDep
) -> dict[str, Any]:
    return chain_verdict_view(await components.incoming.verify(principal, inbound_id))
