"""JSON API of published documents (read only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.portal.api.deps import ComponentsDep, Filters, cursor_of
from services.portal.api.schemas import DocumentList, DocumentView, SearchResultView
from shared.http.pagination import Cursor, Limit, decode_cursor
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])
MAX_PAGE = 500


@router.get("", response_model=DocumentList)
async def list_documents(
    components: ComponentsDep, filters: Filters, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    items, after = await components.documents.search(
        filters, limit=limit, position=decode_cursor(cursor)
    )
    return {"items": items, "next_cursor": cursor_of(after)}


@router.get("/{document_id}", response_model=DocumentView)
async def get_document(components: ComponentsDep, document_id: str = Path(max_length=64)) -> Any:
    """The ETag is the hash of the body (set for every public answer): a verified signature
    or a fetched file changes the page without a new document version."""
    found = await components.documents.by_id(document_id)
    if found is None:
        gone = await components.documents.gone(document_id)
        if gone is not None:
            raise ProblemError(
                410,
                f"{gone['notation']} was taken off the portal: {gone['explanation']}",
                title="Gone",
                unpublished_at=gone["at"],
            )
        raise ProblemError(404, "no published document with this id")
    return found


search_router = APIRouter(prefix="/api/v1/search", tags=["documents"])
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@search_router.get("", response_model=SearchResultView)
async def search(components: ComponentsDep, filters: Filters, page: Page = 1) -> dict[str, Any]:
    """Ranked, counted and faceted results with the matched words marked; numbered pages."""
    size = components.settings.page_size
    result = await components.documents.results_page(filters, page=page, size=size)
    facets = await components.documents.facets()
    return {**result, "page": page, "issuer_names": facets["issuer_names"]}
