"""The active set: one small document per open job, apart from the job history.

``delivery_queue`` holds open webhook jobs (what the worker may claim), ``delivery_inbox``
open pull-inbox jobs. A job enters when it opens and leaves when it ends, so both stay as
small as the work in flight however long the history grows. Each entry carries the job's
version: a late write of an older state never overwrites or removes a newer one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.domain.deliveries import OPEN_STATES, Mode
from shared.kit.types import Doc

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


async def _upsert_newer(
    collection: AsyncCollection[Doc], job_id: str, version: int, update: dict[str, Any]
) -> None:
    with contextlib.suppress(DuplicateKeyError):  # a newer version is already there
        await collection.update_one(
            {"_id": job_id, "version": {"$lt": version}}, update, upsert=True
        )


class ActiveRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.queue = db["delivery_queue"]
        self.inbox = db["delivery_inbox"]

    async def ensure_indexes(self) -> None:
        await self.queue.create_index([("partner_id", ASCENDING)], name="partner")
        await self.inbox.create_index(
            [("partner_id", ASCENDING), ("created_at", ASCENDING)], name="partner_created"
        )

    async def sync(self, job: Doc, *, new: bool = False) -> None:
        """Make the active set agree with this state of the job (``new``: just created, so
        in neither collection yet)."""
        version = int(job["version"])
        if job["state"] not in OPEN_STATES:
            await self._remove(job["_id"], version)
            return
        if job["mode"] == Mode.WEBHOOK.value:
            fields = {
                "partner_id": job["partner_id"],
                "priority": job["priority"],
                "due_at": job["due_at"],
                "version": version,
            }
            await _upsert_newer(self.queue, job["_id"], version, {"$set": fields})
            if not new:
                await self.inbox.delete_one({"_id": job["_id"], "version": {"$lte": version}})
            return
        update = {
            "$set": {
                "partner_id": job["partner_id"],
                "created_at": job["created_at"],
                "version": version,
            },
            "$setOnInsert": {"visible_at": EPOCH},
        }
        await _upsert_newer(self.inbox, job["_id"], version, update)
        if not new:
            await self.queue.delete_one({"_id": job["_id"], "version": {"$lte": version}})

    async def _remove(self, job_id: str, version: int) -> None:
        for collection in (self.queue, self.inbox):
            await collection.delete_one({"_id": job_id, "version": {"$lte": version}})

    async def remove_stale(self, job_id: str, version: int | None) -> None:
        """Drop an entry whose job is gone (None) or ended at ``version``."""
        if version is None:
            for collection in (self.queue, self.inbox):
                await collection.delete_one({"_id": job_id})
        else:
            await self._remove(job_id, version)

    async def queued(self) -> list[Doc]:
        """Every open webhook job: a scan of the queue, whose size is the work in flight."""
        return [doc async for doc in self.queue.find({})]

    async def queued_ids_of(self, partner_id: str) -> list[str]:
        cursor = self.queue.find({"partner_id": partner_id}, projection={"_id": 1})
        return [str(doc["_id"]) async for doc in cursor]

    async def set_due(self, job_ids: Sequence[str], due_at: dt.datetime) -> None:
        for start in range(0, len(job_ids), 1000):
            await self.queue.update_many(
                {"_id": {"$in": list(job_ids[start : start + 1000])}}, {"$set": {"due_at": due_at}}
            )

    async def inbox_page(
        self,
        partner_id: str,
        visible_by: dt.datetime,
        after: tuple[dt.datetime, str] | None,
        limit: int,
    ) -> list[Doc]:
        """Visible open inbox items of a partner, oldest first by (created_at, _id)."""
        query: dict[str, Any] = {"partner_id": partner_id, "visible_at": {"$lte": visible_by}}
        if after is not None:
            created, last_id = after
            query["$or"] = [
                {"created_at": {"$gt": created}},
                {"created_at": created, "_id": {"$gt": last_id}},
            ]
        cursor = (
            self.inbox.find(query)
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [doc async for doc in cursor]

    async def hide(self, job_ids: Sequence[str], until: dt.datetime) -> None:
        if job_ids:
            await self.inbox.update_many(
                {"_id": {"$in": list(job_ids)}}, {"$set": {"visible_at": until}}
            )

    async def all_ids(self) -> list[str]:
        """Every open job (admin lists of pending and retrying jobs)."""
        ids = [str(d["_id"]) async for d in self.queue.find({}, projection={"_id": 1})]
        ids += [str(d["_id"]) async for d in self.inbox.find({}, projection={"_id": 1})]
        return ids
