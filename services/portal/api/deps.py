"""FastAPI dependencies shared by the portal's routers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import Depends, Query, Request

from services.portal.components import PortalComponents, components_of
from services.portal.domain.filters import DocumentFilter
from services.portal.domain.search import query_tokens
from shared.contracts.vocabulary import DocumentType
from shared.http.pagination import encode_cursor
from shared.http.problems import ProblemError
from shared.http.rate_limit import client_rate_limit
from shared.kit.types import Doc

MIN_YEAR, MAX_YEAR = 1945, 2200
_YEAR = re.compile(r"[0-9]{4}")


def components_dep(request: Request) -> PortalComponents:
    return components_of(request.app.state.runtime)


ComponentsDep = Annotated[PortalComponents, Depends(components_dep)]
Text = Annotated[str | None, Query(max_length=200)]


def cursor_of(position: Doc | None) -> str | None:
    """The opaque cursor of the next page's position, if there is a next page."""
    return encode_cursor(position) if position else None


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _year(value: str | None) -> int | None:
    if (value := _blank(value)) is None:
        return None
    # ASCII digits only: str.isdigit() also accepts "¹", which int() refuses.
    if not _YEAR.fullmatch(value) or not MIN_YEAR <= int(value) <= MAX_YEAR:
        raise ProblemError(400, f"year must be a number from {MIN_YEAR} to {MAX_YEAR}")
    return int(value)


def _date(name: str, value: str | None) -> dt.date | None:
    if (value := _blank(value)) is None:
        return None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ProblemError(400, f"{name} must be a date YYYY-MM-DD") from exc
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ProblemError(400, f"{name} is out of range")
    return parsed


def _doc_type(value: str | None) -> str | None:
    if (value := _blank(value)) is None:
        return None
    if value not in {str(t) for t in DocumentType}:
        raise ProblemError(400, f"unknown document type {value[:50]!r}")
    return value


_search_rate = client_rate_limit("search_limiter")


async def document_filter(
    request: Request,
    q: Text = None,
    type: Text = None,
    issuer: Text = None,
    field: Text = None,
    year: Annotated[str | None, Query(max_length=10)] = None,
    date_from: Annotated[str | None, Query(max_length=10)] = None,
    date_to: Annotated[str | None, Query(max_length=10)] = None,
    notation: Text = None,
) -> DocumentFilter:
    """Filters from the query string; blank fields (from an HTML form) mean "any". A text
    search counts against the caller's search rate (429 past it)."""
    if _blank(q) or _blank(notation):
        await _search_rate(request)
    start, end = _date("date_from", date_from), _date("date_to", date_to)
    if start and end and start > end:
        raise ProblemError(400, "date_from is after date_to")
    return DocumentFilter(
        tokens=query_tokens(q or ""),
        doc_type=_doc_type(type),
        issuer=_blank(issuer),
        field=_blank(field),
        year=_year(year),
        date_from=start,
        date_to=end,
        notation=_blank(notation),
    )


Filters = Annotated[DocumentFilter, Depends(document_filter)]
