"""The register books (sổ đăng ký): issued entries in number order."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from services.documents.domain.numbering import valid_books
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
        query = {
            "issuer_code": issuer,
            "book": book,
            "year": year,
            "number": {"$gt": after},
            "confidentiality": {"$in": visible_levels(principal)},
        }
        found = await self._d.documents.find(query, sort=[("number", ASCENDING)], limit=limit + 1)
        items = found[:limit]
        more = len(found) > limit
        return items, (int(items[-1]["number"]) if more and items else None)
