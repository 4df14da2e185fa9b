"""What routers need from a request: the service's components; and the responses they share."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response

from services.documents.api.schemas import document_view
from services.documents.components import DocumentsComponents, components_of
from services.documents.domain.files import FileBytes
from shared.http.concurrency import etag
from shared.kit.types import Doc


def components_dep(request: Request) -> DocumentsComponents:
    return components_of(request.app.state.runtime)


ComponentsDep = Annotated[DocumentsComponents, Depends(components_dep)]


def document_response(doc: Doc, status: int = 200) -> JSONResponse:
    return JSONResponse(
        document_view(doc), status_code=status, headers={"ETag": etag(int(doc["version"]))}
    )


def file_response(item: FileBytes) -> Response:
    """A file to download, never rendered by the browser in the API's origin."""
    return Response(
        item.data,
        media_type=item.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.name)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
