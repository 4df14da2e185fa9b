"""JSON API of published documents (read only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Response

from services.portal.api.deps import ComponentsDep, Filters, cursor_of
from services.portal.api.schemas import DocumentList, DocumentView
from shared.http.concurrency import etag
from shared.http.pagination import Cursor, Limit, decode_cursor
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])


@router.get("", response_model=DocumentList)
async def list_documents(
    components: ComponentsDep, filters: Filters, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    items, after = await components.documents.search(
        filters, limit=limit, position=decode_cursor(cursor)
    )
    return {"items": items, "next_cursor": cursor_of(after)}


@router.get("/{document_id}", response_model=DocumentView)
async def get_document(
    components: ComponentsDep, response: Response, document_id: str = Path(max_length=64)
) -> Any:
    found = await components.documents.by_id(document_id)
    if found is None:
        raise ProblemError(404, "no published document with this id")
    response.headers["ETag"] = etag(int(found["version"]))
    return found
