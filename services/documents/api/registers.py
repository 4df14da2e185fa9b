"""Register books: issued entries of one issuer, book and year in number order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from services.documents.api.deps import ComponentsDep
from services.documents.api.schemas import (
    RegisterView,
    incoming_register_entry,
    register_entry,
)
from services.documents.domain.incoming import INCOMING_BOOK
from shared.auth.dependencies import CurrentPrincipal
from shared.http.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.http.problems import ProblemError

router = APIRouter(prefix="/api/v1/registers", tags=["registers"])


@router.get("/{issuer}/{book}/{year}", response_model=RegisterView)
async def register(
    issuer: Annotated[str, Path(max_length=32)],
    book: Annotated[str, Path(max_length=50)],
    year: Annotated[int, Path(ge=1945, le=2200)],
    principal: CurrentPrincipal,
    components: ComponentsDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    after = (decode_cursor(cursor) or {}).get("after", 0)
    if not isinstance(after, int):
        raise ProblemError(400, "the cursor is not valid")
    items, last = await components.registers.entries(principal, issuer, book, year, after, limit)
    view = incoming_register_entry if book == INCOMING_BOOK else register_entry
    return {
        "issuer": issuer,
        "book": book,
        "year": year,
        "items": [view(d) for d in items],
        "next_cursor": encode_cursor({"after": last}) if last else None,
    }
