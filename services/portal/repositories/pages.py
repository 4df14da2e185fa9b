"""The public pages of documents (the read model projected from the public topic).

Pages are read only by ``_id`` or ``_id $in``; slugs, lists, facets and search have their
own ``_id``-keyed records (slugs.py, listing.py, terms.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.page import SignatureStatus
from services.portal.repositories.model import ModelCollections, as_model
from shared.kit.types import Doc
from shared.messaging.idempotency import apply_if_newer

# What a list shows of a page (never the body or the signed copy), and what checks an entry.
SUMMARY_FIELDS = [
    "slug",
    "notation",
    "number",
    "year",
    "doc_type",
    "type_name",  # kept by pages written before; else derived from doc_type
    "type_name_en",
    "subject",
    "issuer",
    "field",
    "issue_date",
    "effective_date",
    "published_at",
    "version",
    "revoked",
    "replaced_by",
    "visible",
    "sort_key",
]
IN_LIMIT = 1000


class PageRepository:
    def __init__(self, db: AsyncDatabase[Doc] | ModelCollections) -> None:
        self._model = as_model(db)

    @property
    def collection(self) -> AsyncCollection[Doc]:
        return self._model["pages"]

    async def apply(
        self,
        document_id: str,
        *,
        concern: str,
        version: int,
        event_id: str,
        fields: Doc,
        unset: Sequence[str] = (),
    ) -> bool:
        """``fields`` set and ``unset`` removed, if ``version`` is newer for ``concern``."""
        update: Doc = {"$set": fields}
        if unset:
            update["$unset"] = {name: "" for name in unset}
        return await apply_if_newer(
            self.collection,
            document_id,
            concern=concern,
            version=version,
            event_id=event_id,
            update=update,
        )

    async def add_back_link(self, document_id: str, link: Mapping[str, str]) -> None:
        await self.collection.update_one(
            {"_id": document_id}, {"$addToSet": {"replaces": dict(link)}}, upsert=True
        )

    async def get(self, document_id: str) -> Doc | None:
        """The page whether visible or not (the projection's view)."""
        return await self.collection.find_one({"_id": document_id})

    async def by_id(self, document_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": document_id, "visible": True})

    async def summaries(self, ids: Sequence[str]) -> dict[str, Doc]:
        """The list fields of these pages, by id (visible or not: callers check)."""
        found: dict[str, Doc] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), IN_LIMIT):
            chunk = unique[start : start + IN_LIMIT]
            cursor = self.collection.find({"_id": {"$in": chunk}}, SUMMARY_FIELDS)
            found.update({str(d["_id"]): d async for d in cursor})
        return found

    async def slugs_for(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        cursor = self.collection.find({"_id": {"$in": ids}, "visible": True}, {"_id": 1, "slug": 1})
        return {str(d["_id"]): str(d["slug"]) async for d in cursor}

    async def set_signature_status(
        self, document_id: str, version: int, status: SignatureStatus
    ) -> None:
        await self.collection.update_one(
            {"_id": document_id, "version": version},
            {"$set": {"signature_status": str(status)}},
        )
