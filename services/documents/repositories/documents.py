"""The documents collection: the aggregate, its outbox and its pending audit entries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.messaging import pending
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.outbox import update_with_outbox

Doc = dict[str, Any]
AUDIT_PENDING = "audit_pending"


class DocumentRepository:
    def __init__(self, db: AsyncDatabase[Doc], *, lease_s: float = 15.0) -> None:
        self.collection: AsyncCollection[Doc] = db["documents"]
        self._lease_s = lease_s

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("state", ASCENDING), ("drafting_unit", ASCENDING)])
        await self.collection.create_index(
            [("issuer_code", ASCENDING), ("book", ASCENDING), ("year", ASCENDING)]
        )
        await self.collection.create_index([("notation", ASCENDING), ("year", ASCENDING)])
        await self.collection.create_index([("attachments.sha256", ASCENDING)])

    async def insert(self, doc: Doc) -> None:
        # A new document carries its first audit entry: the marker lets a sweep finish it.
        await pending.mark(self.collection, str(doc["_id"]))
        await self.collection.insert_one(doc)

    async def get(self, document_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": document_id})

    async def update(
        self,
        document_id: str,
        expected_version: int,
        update: Mapping[str, Any],
        records: Sequence[OutgoingRecord] = (),
        audit: Sequence[Doc] = (),
        extra_filter: Mapping[str, Any] | None = None,
        current: Mapping[str, Any] | None = None,
    ) -> Doc | None:
        """One atomic, version-guarded write of state, events and audit entries.

        The writer takes the relay's lease in the same write (``current`` is the document as
        it was read), so it publishes the events without a claim round trip.
        """
        merged: dict[str, Any] = {k: dict(v) for k, v in update.items()}
        if audit:
            merged.setdefault("$push", {})[AUDIT_PENDING] = {"$each": list(audit)}
        return await update_with_outbox(
            self.collection,
            document_id,
            expected_version,
            merged,
            records,
            extra_filter,
            lease=True,
            lease_s=self._lease_s,
            current=current,
        )

    async def drop_pending_audit(self, document_id: str, entries: list[Doc]) -> None:
        await self.collection.update_one(
            {"_id": document_id}, {"$pullAll": {AUDIT_PENDING: entries}}
        )

    async def find(
        self, query: Mapping[str, Any], *, sort: list[tuple[str, int]], limit: int
    ) -> list[Doc]:
        cursor = self.collection.find(dict(query)).sort(sort).limit(limit)
        return [doc async for doc in cursor]

    async def newest_first(self, query: Mapping[str, Any], limit: int) -> list[Doc]:
        return await self.find(query, sort=[("_id", DESCENDING)], limit=limit)

    async def many(self, ids: list[str]) -> list[Doc]:
        """Documents by ``_id``, in the order given (missing ones left out)."""
        if not ids:
            return []
        found = {d["_id"]: d async for d in self.collection.find({"_id": {"$in": ids}})}
        return [found[i] for i in ids if i in found]

    async def set_link(self, document_id: str, replaces_id: str) -> None:
        """Record the back-link on the replacing document (idempotent)."""
        await self.collection.update_one(
            {"_id": document_id, "replaces_id": {"$ne": replaces_id}},
            {"$set": {"replaces_id": replaces_id}, "$inc": {"version": 1}},
        )

    async def clear_link_pending(self, document_id: str) -> None:
        await self.collection.update_one({"_id": document_id}, {"$unset": {"link_pending": ""}})
