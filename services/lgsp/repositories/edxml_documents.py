"""Issued documents the LGSP wrote as edXML, by document id: a later revocation, recall or
replacement names the original by its edXML DocumentId, built from these."""

from __future__ import annotations

import contextlib

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.clock import utcnow
from shared.kit.types import Doc


class EdxmlDocumentRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["edxml_documents"]
        # The ministry's edXML DocumentId -> our document id: a receiver's edXML status
        # names the document by the DocumentId it was sent with.
        self.by_edxml_id = db["edxml_document_ids"]

    async def ensure_indexes(self) -> None:
        return None  # by _id only

    async def remember(self, document_id: str, version: int, data: Doc) -> None:
        """The issued-document event's data (document and claim checks); an older version
        never overwrites a newer one."""
        with contextlib.suppress(DuplicateKeyError):  # a newer version is stored
            await self.collection.update_one(
                {"_id": document_id, "version": {"$lte": version}},
                {"$set": {"version": version, "data": data, "updated_at": utcnow()}},
                upsert=True,
            )

    async def remember_edxml_id(self, edxml_id: str, document_id: str) -> None:
        await self.by_edxml_id.update_one(
            {"_id": edxml_id}, {"$set": {"document_id": document_id}}, upsert=True
        )

    async def document_for(self, edxml_id: str) -> str | None:
        found = await self.by_edxml_id.find_one({"_id": edxml_id})
        return str(found["document_id"]) if found else None

    async def get(self, document_id: str) -> Doc | None:
        found = await self.collection.find_one({"_id": document_id})
        data = (found or {}).get("data")
        return data if isinstance(data, dict) else None
