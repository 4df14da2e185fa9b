"""The received events (for replay) and the published documents (for the lookup service)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.repositories.common import Doc
from shared.messaging.idempotency import apply_if_newer


class EventRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["events"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("time", ASCENDING)], name="time")

    async def store(self, doc: Doc) -> bool:
        """False when the event was already stored (a redelivery)."""
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, event_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": event_id})

    async def in_window(self, start: dt.datetime, end: dt.datetime) -> list[Doc]:
        cursor = self.collection.find({"time": {"$gte": start, "$lt": end}}).sort("time", ASCENDING)
        return [doc async for doc in cursor]

    async def ids_before(self, cutoff: dt.datetime, limit: int) -> list[str]:
        cursor = (
            self.collection.find({"time": {"$lt": cutoff}}, projection={"_id": 1})
            .sort("time", ASCENDING)
            .limit(limit)
        )
        return [str(doc["_id"]) async for doc in cursor]

    async def delete_ids(self, event_ids: list[str]) -> int:
        if not event_ids:
            return 0
        result = await self.collection.delete_many({"_id": {"$in": event_ids}})
        return result.deleted_count


class DocumentRepository:
    """One document per published document, newest version wins."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["documents"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("notation", ASCENDING), ("year", ASCENDING)], name="notation_year"
        )

    async def apply(
        self, document_id: str, version: int, event_id: str, fields: dict[str, Any]
    ) -> bool:
        return await apply_if_newer(
            self.collection,
            document_id,
            concern="publication",
            version=version,
            event_id=event_id,
            update={"$set": fields},
        )

    async def get(self, document_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": document_id})

    async def by_notation(self, notation: str, year: int | None) -> list[Doc]:
        query: dict[str, Any] = {"notation": notation}
        if year is not None:
            query["year"] = year
        cursor = self.collection.find(query).sort("_id", ASCENDING).limit(20)
        return [doc async for doc in cursor]

    async def published_with_file(self, sha256: str) -> Doc | None:
        return await self.collection.find_one(
            {"status": "published", "event.attachments.sha256": sha256}
        )
