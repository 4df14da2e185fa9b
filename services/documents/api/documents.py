"""Staff API of documents: drafts, review, issuance, revocation, recall, audit."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.documents.api.deps import ComponentsDep, DocumentWrite, document_response
from services.documents.api.schemas import (
    AuditTrailView,
    ChainVerdictView,
    DocumentCreate,
    DocumentIssue,
    DocumentList,
    DocumentReason,
    DocumentReplace,
    DocumentUpdate,
    DocumentView,
    audit_view,
    chain_verdict_view,
    document_view,
)
from services.documents.domain.lifecycle import Action, State
from services.documents.services.queries import ListFilters
from shared.auth.dependencies import CurrentPrincipal
from shared.contracts.vocabulary import DocumentType
from shared.http.concurrency import IdempotencyKeyHeader
from shared.http.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])


@router.post(
    "",
    status_code=201,
    response_model=DocumentView,
    responses={200: {"model": DocumentView, "description": "created before (Idempotency-Key)"}},
)
async def create_document(
    body: DocumentCreate,
    principal: CurrentPrincipal,
    components: ComponentsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    doc, created = await components.drafting.create(
        principal, body.model_dump(mode="json"), idempotency_key
    )
    response = document_response(doc, 201 if created else 200)
    response.headers["Location"] = f"/api/v1/documents/{doc['_id']}"
    return response


@router.get("", response_model=DocumentList, response_model_exclude_unset=True)
async def list_documents(
    principal: CurrentPrincipal,
    components: ComponentsDep,
    state: State | None = None,
    doc_type: Annotated[DocumentType | None, Query(alias="type")] = None,
    book: Annotated[str | None, Query(max_length=50)] = None,
    year: Annotated[int | None, Query(ge=1945, le=2200)] = None,
    unit: Annotated[str | None, Query(max_length=32)] = None,
    notation: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    position = decode_cursor(cursor) or {}
    before = position.get("before")
    if before is not None and not isinstance(before, str):
        raise ProblemError(400, "the cursor is not valid")
    filters = ListFilters(
        state=state,
        doc_type=doc_type.value if doc_type else None,
        book=book,
        year=year,
        unit=unit,
        # Clients may send decomposed Vietnamese (NFD); notations are stored composed.
        notation=unicodedata.normalize("NFC", notation) if notation else None,
        q=q,
        before_id=before,
    )
    items, last = await components.drafting.list(principal, filters, limit)
    return {
        "items": [document_view(d) for d in items],
        "next_cursor": encode_cursor({"before": last}) if last else None,
    }


@router.get("/{document_id}", response_model=DocumentView)
async def read_document(
    document_id: str, principal: CurrentPrincipal, components: ComponentsDep
) -> Any:
    doc = await components.drafting.read(principal, document_id)
    return document_response(await components.recall.with_summary(doc))


@router.patch("/{document_id}", response_model=DocumentView)
async def edit_document(body: DocumentUpdate, write: DocumentWrite) -> JSONResponse:
    changes = body.model_dump(mode="json", exclude_unset=True)
    return document_response(await write.apply(write.components.drafting.edit, changes))


@router.post("/{document_id}/submit", response_model=DocumentView)
async def submit(write: DocumentWrite) -> JSONResponse:
    return document_response(await write.apply(write.components.drafting.transition, Action.SUBMIT))


@router.post("/{document_id}/approve", response_model=DocumentView)
async def approve(write: DocumentWrite) -> JSONResponse:
    doc = await write.apply(write.components.drafting.transition, Action.APPROVE)
    return document_response(doc)


@router.post("/{document_id}/return", response_model=DocumentView)
async def return_to_draft(body: DocumentReason, write: DocumentWrite) -> JSONResponse:
    doc = await write.apply(write.components.drafting.transition, Action.RETURN, body.reason)
    return document_response(doc)


@router.post("/{document_id}/issue", response_model=DocumentView)
async def issue(write: DocumentWrite, body: DocumentIssue | None = None) -> JSONResponse:
    signer = body.signer.model_dump(mode="json") if body and body.signer else None
    return document_response(await write.apply(write.components.issuance.issue, signer))


@router.post("/{document_id}/revoke", response_model=DocumentView)
async def revoke(body: DocumentReason, write: DocumentWrite) -> JSONResponse:
    doc = await write.apply(write.components.revocation.revoke, body.reason)
    return document_response(await write.components.recall.with_summary(doc))


@router.post("/{document_id}/unpublish", response_model=DocumentView)
async def unpublish(body: DocumentReason, write: DocumentWrite) -> JSONResponse:
    """Take a published document off the public portal for good: its page answers 410
    "gone" with ``reason`` as the explanation. The document keeps its state and number."""
    return document_response(await write.apply(write.components.revocation.unpublish, body.reason))


@router.post("/{document_id}/recall", response_model=DocumentView)
async def recall(body: DocumentReason, write: DocumentWrite) -> JSONResponse:
    """Ask every external recipient to give the dispatched document back (status 13); it
    stays issued. Their answers (15, 16) show in ``recall`` and per recipient in
    ``/deliveries``."""
    return document_response(await write.apply(write.components.recall.recall, body.reason))


@router.post("/{document_id}/replace", response_model=DocumentView)
async def replace(body: DocumentReplace, write: DocumentWrite) -> JSONResponse:
    use_case = write.components.revocation.replace
    return document_response(await write.apply(use_case, body.replaced_by, body.reason))


@router.get(
    "/{document_id}/audit", response_model=AuditTrailView, response_model_exclude_unset=True
)
async def audit_trail(
    document_id: str, principal: CurrentPrincipal, components: ComponentsDep
) -> dict[str, Any]:
    entries = await components.trail.visible_trail(principal, document_id)
    return {"items": [audit_view(e) for e in entries]}


@router.get("/{document_id}/audit/verify", response_model=ChainVerdictView)
async def verify_audit_trail(
    document_id: str, principal: CurrentPrincipal, components: ComponentsDep
) -> dict[str, Any]:
    return chain_verdict_view(await components.trail.visible_verdict(principal, document_id))
