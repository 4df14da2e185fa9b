"""The register books (sổ đăng ký): issued entries in number order."""

from __future__ import annotations

from typing import Any

from services.documents.domain.numbering import counter_id, valid_books
from services.documents.domain.permissions import may_read_registers, visible_levels
from services.documents.services.common import Deps, Forbidden, NotFound
from shared.auth.principal import Principal

Doc = dict[str, Any]


class RegisterService:
    def __init__(self, deps: Deps) -> None:
        self._d = deps

    async def entries(
        self, principal: Principal, issuer: str, book: str, year: int, after: int, limit: int
    ) -> tuple[list[Doc], int | None]:
        if not may_read_registers(principal):
            raise Forbidden("registers are kept by clerks, records officers and admins")
        if issuer != self._d.org.code or book not in valid_books():
            raise NotFound("register")
        levels = set(visible_levels(principal))
        cid = counter_id(issuer, book, year)
        # Fetch one more than asked: a full page with more behind it gets a cursor.
        entries = await self._d.counters.entries(cid, after, limit + 1)
        docs = await self._d.documents.many([str(e["document_id"]) for e in entries[:limit]])
        items = [d for d in docs if d.get("confidentiality") in levels]
        more = len(entries) > limit
        last = after + min(len(entries), limit)
        return items, (last if more else None)
