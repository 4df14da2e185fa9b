"""Search across the documents the user may see, with or without diacritics: the listing
use case of ``GET /api/v1/documents?q=`` (a bounded walk of the day buckets, newest first,
with a cursor to go further back)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.documents.services.queries import ListFilters
from services.documents.web.context import PREFIX, components, helpers, labels, workspace
from shared.web.workspace import StaffPrincipal

router = APIRouter(prefix=PREFIX)

PAGE = 50


@router.get("/search", name="workspace_search")
async def search(
    request: Request,
    principal: StaffPrincipal,
    q: Annotated[str, Query(max_length=200)] = "",
    before: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    query = q.strip()
    items: list[dict[str, object]] = []
    last: str | None = None
    if query:
        filters = ListFilters(q=query, before_id=before)
        items, last = await components(request).drafting.list(principal, filters, PAGE)
    return workspace(request).page(
        request,
        "search.html",
        principal=principal,
        title=labels(request)["search_title"],
        q=query,
        items=items,
        next_before=last,
        **helpers(request),
    )
