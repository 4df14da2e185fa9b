"""The register books by year (outgoing, secret, incoming, and each legal normative type's),
printable and exported to CSV. Pages read the book's entries by number (``_id``), as
``GET /api/v1/registers/…`` does, through ``RegisterService.entries``."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from services.documents.api.schemas import incoming_register_entry, register_entry
from services.documents.domain.incoming import INCOMING_BOOK
from services.documents.domain.numbering import OUTGOING, SECRET, valid_books
from services.documents.web.context import PREFIX, components
from shared.auth.principal import Principal
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

router = APIRouter(prefix=PREFIX)

PAGE = 100
EXPORT_PAGE = 200  # one read of entries by _id $in, then their documents by _id $in
OUTGOING_COLUMNS = (
    "number",
    "notation",
    "issue_date",
    "doc_type",
    "subject",
    "drafting_unit",
    "confidentiality",
    "state",
    "document_id",
)
INCOMING_COLUMNS = (
    "number",
    "arrival_date",
    "sender_name",
    "sender_code",
    "sender_notation",
    "promulgation_date",
    "document_type",
    "subject",
    "urgency",
    "confidentiality",
    "state",
    "inbound_id",
)
# A cell a spreadsheet would run as a formula is exported as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Book = Annotated[str, Query(max_length=50)]
Year = Annotated[int | None, Query(ge=1945, le=2200)]


def books() -> list[str]:
    others = sorted(valid_books() - {OUTGOING, SECRET})
    return [OUTGOING, INCOMING_BOOK, SECRET, *others]


def _entry(book: str, doc: Doc) -> Doc:
    return incoming_register_entry(doc) if book == INCOMING_BOOK else register_entry(doc)


def columns(book: str) -> tuple[str, ...]:
    return INCOMING_COLUMNS if book == INCOMING_BOOK else OUTGOING_COLUMNS


def inert(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


async def _entries(
    request: Request, principal: Principal, book: str, year: int, after: int, limit: int
) -> tuple[list[Doc], int | None]:
    found = components(request)
    docs, last = await found.registers.entries(
        principal, found.settings.issuer_code, book, year, after, limit
    )
    return [_entry(book, d) for d in docs], last


@router.get("/registers", name="workspace_registers")
async def register(
    request: Request,
    principal: StaffPrincipal,
    book: Book = OUTGOING,
    year: Year = None,
    after: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    year = year or utcnow().year
    entries, last = await _entries(request, principal, book, year, after, PAGE)
    return workspace_of(request).page(
        request,
        "registers.html",
        principal=principal,
        title=labels_of(request)["registers_title"],
        book=book,
        books=books(),
        year=year,
        entries=entries,
        columns=columns(book),
        next_after=last,
        after=after,
    )


@router.get("/registers.csv", name="workspace_register_csv")
async def register_csv(
    request: Request, principal: StaffPrincipal, book: Book = OUTGOING, year: Year = None
) -> Response:
    year = year or utcnow().year
    # The first page before answering: a refusal (403, 404) is a page, not half a file.
    first, last = await _entries(request, principal, book, year, 0, EXPORT_PAGE)
    names = columns(book)

    async def rows() -> AsyncIterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(names)
        entries, position = first, last
        while True:
            for entry in entries:
                writer.writerow([inert(entry.get(name)) for name in names])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if position is None:
                return
            entries, position = await _entries(
                request, principal, book, year, position, EXPORT_PAGE
            )

    filename = f"so-{book}-{year}.csv"
    return StreamingResponse(
        _with_bom(rows()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _with_bom(rows: AsyncIterator[str]) -> AsyncIterator[bytes]:
    # The byte order mark lets spreadsheet programs read Vietnamese as UTF-8.
    yield "\ufeff".encode()
    async for chunk in rows:
        yield chunk.encode()
