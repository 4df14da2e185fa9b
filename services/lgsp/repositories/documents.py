"""The received events (for replay) and the published documents (for the lookup service).

Both are found by _id only: events through minute buckets of their time (replay, retention),
documents through key documents by notation and by attachment hash.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.repositories.buckets import BucketRepository
from shared.kit.types import Doc
from shared.messaging.idempotency import apply_if_newer

EVENTS = "events"  # bucket kind: events by the minute of their time


class EventRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["events"]
        self.buckets = BucketRepository(db)

    async def ensure_indexes(self) -> None:
        return None  # by _id only; time order comes from the buckets

    async def store(self, doc: Doc) -> bool:
        """False when the event was already stored (a redelivery)."""
        await self.buckets.add(EVENTS, doc["time"], [doc["_id"]])
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, event_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": event_id})

    async def add_jobs(self, event_id: str, job_ids: Sequence[str]) -> None:
        """Remember the jobs made from an event: the sweep keeps it while one exists."""
        if job_ids:
            await self.collection.update_one(
                {"_id": event_id}, {"$addToSet": {"jobs": {"$each": list(job_ids)}}}
            )

    async def get_many(self, event_ids: Sequence[str]) -> list[Doc]:
        out: list[Doc] = []
        for start in range(0, len(event_ids), 1000):
            chunk = list(event_ids[start : start + 1000])
            out += [doc async for doc in self.collection.find({"_id": {"$in": chunk}})]
        return out

    async def minute_index(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """The ids of the events of these minutes (at most 1000 minute keys), by key."""
        return await self.buckets.load(EVENTS, keys)

    async def scan_times(self) -> AsyncIterator[Doc]:
        """Every event's id and time: only the one-off migration reads them all."""
        async for event in self.collection.find({}, projection={"time": 1}):
            yield event

    async def delete_ids(self, event_ids: list[str]) -> int:
        if not event_ids:
            return 0
        result = await self.collection.delete_many({"_id": {"$in": event_ids}})
        return result.deleted_count


def _notation_keys(notation: str, year: int | None) -> list[str]:
    keys = [f"n:{notation}"]
    if year is not None:
        keys.append(f"ny:{notation}:{year}")
    return keys


class DocumentRepository:
    """One document per published document, newest version wins."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["documents"]
        self.keys = db["document_keys"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("notation", ASCENDING), ("year", ASCENDING)], name="notation_year"
        )

    async def index(self, doc: Doc) -> None:
        """Key documents (by notation, by attachment hash) that point at this document."""
        if not doc.get("notation"):
            return
        keys = _notation_keys(str(doc["notation"]), doc.get("year"))
        keys += [f"file:{sha}" for sha in _hashes(doc.get("event") or {})]
        for key in keys:
            await self.keys.update_one(
                {"_id": key}, {"$addToSet": {"ids": doc["_id"]}}, upsert=True
            )

    async def apply(
        self, document_id: str, version: int, event_id: str, fields: dict[str, Any]
    ) -> bool:
        await self.index({"_id": document_id, **fields})
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

    async def scan_with_notation(self) -> AsyncIterator[Doc]:
        """Every published document: only the one-off migration reads them all."""
        async for doc in self.collection.find({"notation": {"$exists": True}}):
            yield doc

    async def _by_key(self, key: str) -> list[Doc]:
        found = await self.keys.find_one({"_id": key})
        ids = sorted(str(i) for i in (found or {}).get("ids") or [])[:1000]
        if not ids:
            return []
        cursor = self.collection.find({"_id": {"$in": ids}})
        return sorted([doc async for doc in cursor], key=lambda d: str(d["_id"]))

    async def by_notation(self, notation: str, year: int | None) -> list[Doc]:
        key = _notation_keys(notation, year)[-1]
        docs = [
            d
            for d in await self._by_key(key)
            if d.get("notation") == notation and (year is None or d.get("year") == year)
        ]
        return docs[:20]

    async def published_with_file(self, sha256: str) -> Doc | None:
        for doc in await self._by_key(f"file:{sha256}"):
            attachments = (doc.get("event") or {}).get("attachments") or []
            if doc.get("status") == "published" and any(
                isinstance(a, dict) and a.get("sha256") == sha256 for a in attachments
            ):
                return doc
        return None


def _hashes(event: dict[str, Any]) -> list[str]:
    document = event.get("document") or {}
    attachments = event.get("attachments") or document.get("attachments") or []
    return sorted({str(a["sha256"]) for a in attachments if isinstance(a, dict) and "sha256" in a})
