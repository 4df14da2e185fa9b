"""Attachment fetches still to do for incoming documents: work in flight only.

A job ``{_id: inbound id, attempts, due_at, since, lease_until, last_error}`` is written
before its document and deleted once the document's attachments are stored or given up, so
this collection is as big as the fetches under way; the worker may read it whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.clock import as_utc
from shared.kit.types import Doc

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# A round looks at this many jobs at most; the rest wait for the next one.
BATCH = 1000


class FetchQueue:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["incoming_fetches"]

    async def add(self, inbound_id: str, now: dt.datetime) -> None:
        """Idempotent: a job that exists keeps its schedule."""
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.update_one(
                {"_id": inbound_id},
                {
                    "$setOnInsert": {
                        "attempts": 0,
                        "due_at": now,
                        "since": now,
                        "lease_until": EPOCH,
                        "last_error": "",
                    }
                },
                upsert=True,
            )

    async def due(self, now: dt.datetime) -> list[Doc]:
        jobs = await self.collection.find({}).limit(BATCH).to_list()
        ready = [
            j
            for j in jobs
            if as_utc(j["due_at"]) <= now and as_utc(j.get("lease_until") or EPOCH) <= now
        ]
        return sorted(ready, key=lambda j: as_utc(j["due_at"]))

    async def claim(self, inbound_id: str, now: dt.datetime, lease_s: float) -> Doc | None:
        return await self.collection.find_one_and_update(
            {"_id": inbound_id, "lease_until": {"$lte": now}},
            {"$set": {"lease_until": now + dt.timedelta(seconds=lease_s)}},
            return_document=ReturnDocument.AFTER,
        )

    async def reschedule(self, job: Doc, due_at: dt.datetime, error: str) -> None:
        await self.collection.update_one(
            {"_id": job["_id"], "lease_until": job["lease_until"]},
            {
                "$set": {"due_at": due_at, "lease_until": EPOCH, "last_error": error[:500]},
                "$inc": {"attempts": 1},
            },
        )

    async def done(self, inbound_id: str) -> None:
        await self.collection.delete_one({"_id": inbound_id})
