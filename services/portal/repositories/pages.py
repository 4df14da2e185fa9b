"""The public pages of documents (the read model projected from the public topic)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.page import SignatureStatus
from shared.messaging.idempotency import apply_if_newer

Doc = dict[str, Any]


@dataclass(frozen=True)
class DocumentFilter:
    tokens: list[str] = field(default_factory=list)
    doc_type: str | None = None
    issuer: str | None = None
    field: str | None = None
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    notation: str | None = None

    def query(self) -> Doc:
        clauses: list[Doc] = [{"visible": True}]
        clauses += [{"search": {"$regex": re.escape(f" {tok}")}} for tok in self.tokens]
        if self.doc_type:
            clauses.append({"doc_type": self.doc_type})
        if self.issuer:
            clauses.append({"issuer.code": self.issuer})
        if self.field:
            clauses.append({"field": self.field})
        if self.year is not None:
            clauses.append({"year": self.year})
        if self.date_from:
            clauses.append({"issue_date": {"$gte": self.date_from.isoformat()}})
        if self.date_to:
            clauses.append({"issue_date": {"$lte": self.date_to.isoformat()}})
        if self.notation:
            clauses.append({"notation": self.notation})
        return {"$and": clauses}


class PageRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["pages"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("sort_key", DESCENDING)])
        await self.collection.create_index([("slug", ASCENDING)])
        await self.collection.create_index([("notation", ASCENDING), ("year", ASCENDING)])
        await self.collection.create_index([("signature_status", ASCENDING)])

    async def apply(
        self, document_id: str, *, concern: str, version: int, event_id: str, fields: Doc
    ) -> bool:
        return await apply_if_newer(
            self.collection,
            document_id,
            concern=concern,
            version=version,
            event_id=event_id,
            update={"$set": fields},
        )

    async def add_back_link(self, document_id: str, link: Mapping[str, str]) -> None:
        await self.collection.update_one(
            {"_id": document_id}, {"$addToSet": {"replaces": dict(link)}}, upsert=True
        )

    async def slug_owner(self, slug: str) -> str | None:
        found = await self.collection.find_one({"slug": slug}, {"_id": 1})
        return str(found["_id"]) if found else None

    async def by_slug(self, slug: str) -> Doc | None:
        return await self.collection.find_one({"slug": slug, "visible": True})

    async def by_id(self, document_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": document_id, "visible": True})

    async def slugs_for(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        cursor = self.collection.find({"_id": {"$in": ids}, "visible": True}, {"_id": 1, "slug": 1})
        return {str(d["_id"]): str(d["slug"]) async for d in cursor}

    async def search(self, flt: DocumentFilter, *, limit: int, after: str | None) -> list[Doc]:
        query = flt.query()
        if after is not None:
            query["$and"].append({"sort_key": {"$lt": after}})
        cursor = self.collection.find(query).sort("sort_key", DESCENDING).limit(limit)
        return [doc async for doc in cursor]

    async def facets(self, name: str) -> list[Any]:
        values = await self.collection.distinct(name, {"visible": True})
        return sorted(v for v in values if v)

    async def pending_signatures(self, limit: int) -> list[Doc]:
        query = {"visible": True, "signature_status": str(SignatureStatus.PENDING)}
        return [doc async for doc in self.collection.find(query).limit(limit)]

    async def set_signature_status(
        self, document_id: str, version: int, status: SignatureStatus
    ) -> None:
        await self.collection.update_one(
            {"_id": document_id, "version": version},
            {"$set": {"signature_status": str(status)}},
        )
