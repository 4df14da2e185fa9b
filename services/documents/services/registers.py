"""The register books (sổ đăng ký): issued entries in number order."""

from __future__ import annotations

from services.documents.domain.numbering import counter_id, valid_books
from services.documents.domain.organisation import Organisation
from services.documents.domain.permissions import may_read_registers, visible_levels
from services.documents.errors import DocumentNotFound, NotAllowed
from services.documents.repositories.counters import CounterRepository
from services.documents.repositories.documents import DocumentRepository
from shared.auth.principal import Principal
from shared.kit.types import Doc


class RegisterService:
    def __init__(
        self, documents: DocumentRepository, counters: CounterRepository, org: Organisation
    ) -> None:
        self._documents = documents
        self._counters = counters
        self._org = org

    async def entries(
        self, principal: Principal, issuer: str, book: str, year: int, after: int, limit: int
    ) -> tuple[list[Doc], int | None]:
        if not may_read_registers(principal):
            raise NotAllowed("registers are kept by clerks, records officers and admins")
        if issuer != self._org.code or book not in valid_books():
            raise DocumentNotFound("register")
        levels = set(visible_levels(principal))
        cid = counter_id(issuer, book, year)
        # Fetch one more than asked: a full page with more behind it gets a cursor.
        entries = await self._counters.entries(cid, after, limit + 1)
        docs = await self._documents.many([str(e["document_id"]) for e in entries[:limit]])
        items = [d for d in docs if d.get("confidentiality") in levels]
        more = len(entries) > limit
        last = after + min(len(entries), limit)
        return items, (last if more else None)
