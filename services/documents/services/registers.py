"""The register books (sổ đăng ký): issued entries, and arrivals of incoming documents, in
number order."""

from __future__ import annotations

from services.documents.domain.incoming import INCOMING_BOOK
from services.documents.domain.numbering import counter_id, valid_books
from services.documents.domain.organisation import Organisation
from services.documents.domain.permissions import may_read_registers, visible_levels
from services.documents.errors import DocumentNotFound, NotAllowed
from services.documents.repositories.counters import CounterRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.incoming import IncomingRepository
from shared.auth.principal import Principal
from shared.kit.types import Doc


class RegisterService:
    def __init__(
        self,
        documents: DocumentRepository,
        counters: CounterRepository,
        org: Organisation,
        incoming: IncomingRepository | None = None,
    ) -> None:
        self._documents = documents
        self._incoming = incoming
        self._counters = counters
        self._org = org

    async def entries(
        self, principal: Principal, issuer: str, book: str, year: int, after: int, limit: int
    ) -> tuple[list[Doc], int | None]:
        if not may_read_registers(principal):
            raise NotAllowed("registers are kept by clerks, records officers and admins")
        incoming = book == INCOMING_BOOK and self._incoming is not None
        if issuer != self._org.code or not (incoming or book in valid_books()):
            raise DocumentNotFound("register")
        levels = set(visible_levels(principal))
        cid = counter_id(issuer, book, year)
        # Fetch one more than asked: a full page with more behind it gets a cursor.
        entries = await self._counters.entries(cid, after, limit + 1)
        ids = [str(e["document_id"]) for e in entries[:limit]]
        if incoming and self._incoming is not None:
            docs = await self._incoming.many(ids)
        else:
            docs = await self._documents.many(ids)
        items = [d for d in docs if d.get("confidentiality") in levels]
        more = len(entries) > limit
        last = after + min(len(entries), limit)
        return items, (last if more else None)
