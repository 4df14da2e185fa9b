"""What routers need from a request: the service's components, and the document response."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from services.documents.api.schemas import document_view
from services.documents.components import DocumentsComponents, components_of
from shared.http.concurrency import etag
from shared.kit.types import Doc


def components_dep(request: Request) -> DocumentsComponents:
    return components_of(request.app.state.runtime)


ComponentsDep = Annotated[DocumentsComponents, Depends(components_dep)]


def document_response(doc: Doc, status: int = 200) -> JSONResponse:
    return JSONResponse(
        document_view(doc), status_code=status, headers={"ETag": etag(int(doc["version"]))}
    )
