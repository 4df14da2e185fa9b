"""Search across the documents the user may see, with or without diacritics.

Outgoing documents: the listing use case of ``GET /api/v1/documents?q=`` (a bounded walk of
the day buckets, newest first, with a cursor to go further back). Incoming documents: the
listing of ``GET /api/v1/incoming`` has no text filter, so the page searches only what that
listing reads boundedly, the open set (incoming documents not yet closed: work in flight, at
most ``OPEN_SEARCHED``); closed ones are found in the incoming register, and the page says so.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.documents.domain.document import matches_search
from services.documents.domain.incoming_listing import IncomingFilters
from services.documents.services.queries import ListFilters
from services.documents.web.context import PREFIX, components
from shared.auth.principal import Principal, Role
from shared.kit.text import words
from shared.kit.types import Doc
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

router = APIRouter(prefix=PREFIX)

PAGE = 50
OPEN_SEARCHED = 500  # open incoming documents examined by one search, most urgent first
INCOMING_TEXT = ("subject", "sender_notation", "sender_name", "sender_code")


def _incoming_text(doc: Doc) -> str:
    return " ".join(str(doc.get(name) or "") for name in INCOMING_TEXT)


async def _open_incoming(
    request: Request, principal: Principal, query: str
) -> tuple[list[Doc], bool]:
    """The open incoming documents the user may see whose text has every word of ``query``,
    and whether more open documents exist than one search examines."""
    query_words = words(query)
    if not query_words:
        return [], False
    found, more = await components(request).incoming.listing(
        principal, IncomingFilters(), OPEN_SEARCHED
    )
    matching = [doc for doc in found if matches_search(_incoming_text(doc), query_words)]
    return matching[:PAGE], more is not None


@router.get("/search", name="workspace_search")
async def search(
    request: Request,
    principal: StaffPrincipal,
    q: Annotated[str, Query(max_length=200)] = "",
    before: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    query = q.strip()
    items: list[dict[str, object]] = []
    incoming: list[Doc] = []
    incoming_more = False
    last: str | None = None
    if query:
        filters = ListFilters(q=query, before_id=before)
        items, last = await components(request).drafting.list(principal, filters, PAGE)
        if before is None:  # the open set has no "older": it is searched on the first page
            incoming, incoming_more = await _open_incoming(request, principal, query)
    return workspace_of(request).page(
        request,
        "search.html",
        principal=principal,
        title=labels_of(request)["search_title"],
        q=query,
        items=items,
        next_before=last,
        incoming=incoming,
        incoming_searched=bool(query) and before is None,
        incoming_more=incoming_more,
        may_see_registers=principal.has_role(Role.CLERK, Role.RECORDS_OFFICER, Role.ADMIN),
    )
