"""What routers need from a request: the use cases and the version a write expects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from services.documents.services.facade import UseCases
from services.documents.services.views import document_view
from shared.http.concurrency import etag, required_version


def use_cases(request: Request) -> UseCases:
    found: UseCases = request.app.state.use_cases
    return found


def expected_version(
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> int:
    return required_version(if_match)


Cases = Annotated[UseCases, Depends(use_cases)]
Version = Annotated[int, Depends(expected_version)]


def document_response(doc: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(
        document_view(doc), status_code=status, headers={"ETag": etag(int(doc["version"]))}
    )
