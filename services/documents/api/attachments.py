"""Attachments of a document, and claim-check bytes by content hash."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import JSONResponse, Response

from services.documents.api.deps import Cases, Version
from services.documents.services.access import load_visible
from services.documents.services.attachments import FileBytes
from shared.auth.dependencies import CurrentPrincipal, OptionalPrincipal
from shared.contracts.models import SHA256_PATTERN
from shared.http.concurrency import etag

router = APIRouter(tags=["attachments"])


def _file_response(item: FileBytes) -> Response:
    return Response(
        item.data,
        media_type=item.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.name)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/api/v1/documents/{document_id}/attachments", status_code=201)
async def add_attachment(
    document_id: str,
    principal: CurrentPrincipal,
    cases: Cases,
    version: Version,
    file: Annotated[UploadFile, File(description="PDF, DOCX, ODT, PNG or JPEG")],
) -> JSONResponse:
    # Read one byte past the limit: enough to refuse without holding a huge upload.
    data = await file.read(cases.deps.max_attachment_bytes + 1)
    doc, attachment = await cases.attachments.add(
        principal, document_id, version, file.filename, data
    )
    return JSONResponse(attachment, status_code=201, headers={"ETag": etag(int(doc["version"]))})


@router.get("/api/v1/documents/{document_id}/attachments")
async def list_attachments(
    document_id: str, principal: CurrentPrincipal, cases: Cases
) -> dict[str, Any]:
    doc = await load_visible(cases.deps.documents, principal, document_id)
    return {"items": list(doc.get("attachments", []))}


@router.get("/api/v1/documents/{document_id}/attachments/{attachment_id}")
async def download_attachment(
    document_id: str, attachment_id: str, principal: CurrentPrincipal, cases: Cases
) -> Response:
    return _file_response(await cases.attachments.download(principal, document_id, attachment_id))


@router.get("/api/v1/files/{sha256}")
async def claim_check(
    sha256: Annotated[str, Path(pattern=SHA256_PATTERN)],
    principal: OptionalPrincipal,
    cases: Cases,
) -> Response:
    return _file_response(await cases.attachments.claim_check(principal, sha256))
