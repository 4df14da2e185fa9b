"""Attachments of a document, and claim-check bytes by content hash."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse, Response

from services.documents.api.deps import ComponentsDep, file_response
from services.documents.api.schemas import FILE_RESPONSE, AttachmentList, AttachmentView
from shared.auth.dependencies import CurrentPrincipal, OptionalPrincipal
from shared.http.concurrency import ExpectedVersion, Sha256Path, etag

router = APIRouter(tags=["attachments"])


@router.post(
    "/api/v1/documents/{document_id}/attachments", status_code=201, response_model=AttachmentView
)
async def add_attachment(
    document_id: str,
    principal: CurrentPrincipal,
    components: ComponentsDep,
    version: ExpectedVersion,
    file: Annotated[UploadFile, File(description="PDF, DOCX, ODT, PNG or JPEG")],
) -> JSONResponse:
    # Read one byte past the limit: enough to refuse without holding a huge upload.
    data = await file.read(components.attachments.max_bytes + 1)
    doc, attachment = await components.attachments.add(
        principal, document_id, version, file.filename, data
    )
    return JSONResponse(attachment, status_code=201, headers={"ETag": etag(int(doc["version"]))})


@router.get("/api/v1/documents/{document_id}/attachments", response_model=AttachmentList)
async def list_attachments(
    document_id: str, principal: CurrentPrincipal, components: ComponentsDep
) -> dict[str, Any]:
    return {"items": await components.attachments.list(principal, document_id)}


@router.get(
    "/api/v1/documents/{document_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=FILE_RESPONSE,
)
async def download_attachment(
    document_id: str, attachment_id: str, principal: CurrentPrincipal, components: ComponentsDep
) -> Response:
    return file_response(
        await components.attachments.download(principal, document_id, attachment_id)
    )


@router.get("/api/v1/files/{sha256}", response_class=Response, responses=FILE_RESPONSE)
async def claim_check(
    sha256: Sha256Path,
    principal: OptionalPrincipal,
    components: ComponentsDep,
) -> Response:
    return file_response(await components.attachments.claim_check(principal, sha256))
