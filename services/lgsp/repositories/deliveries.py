"""Delivery jobs: one document per (event, partner), found by _id.

The ``deliveries`` collection is the history; nothing but the one-off migration queries it
by anything but _id. A new job enters the minute bucket of its creation (the administrators'
list walks them); every write that changes a job's state also updates the active set
(``repositories.active``) and, when the job ends, its minute bucket for the retention sweep.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.domain.deliveries import (
    OPEN_STATES,
    TERMINAL_STATES,
    JobState,
    Mode,
)
from services.lgsp.repositories.active import ActiveRepository
from services.lgsp.repositories.buckets import BucketRepository, minute_key
from services.lgsp.repositories.lookups import LookupRepository
from shared.kit.clock import as_utc
from shared.kit.types import Doc
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.outbox import update_with_outbox

FINISHED = "finished"  # bucket kind: jobs by the minute they ended
CREATED = "created"  # bucket kind: jobs by the minute they were created
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class DeliveryRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["deliveries"]
        self.active = ActiveRepository(db)
        self.lookups = LookupRepository(db)
        self.buckets = BucketRepository(db)

    async def ensure_indexes(self) -> None:
        for repo in (self.active, self.lookups, self.buckets):
            await repo.ensure_indexes()

    async def after_write(self, job: Doc) -> None:
        """Keep the active set and the finished buckets in step with the job."""
        await self.active.sync(job)
        if job["state"] in TERMINAL_STATES:
            await self.buckets.add(
                FINISHED, job.get("finished_at") or job["created_at"], [job["_id"]]
            )

    async def insert(self, doc: Doc) -> bool:
        """False when the job exists; a redelivered event also repairs its active entry.

        The job is put in the bucket of the minute it was created in first (the
        administrators' list walks these): an entry whose job was never written is skipped.
        """
        await asyncio.gather(
            self.lookups.record(doc),
            self.buckets.add(CREATED, doc["created_at"], [doc["_id"]]),
        )
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            existing = await self.get(doc["_id"])
            if existing is None:
                return False
            minute = minute_key(doc["created_at"])
            if minute_key(existing["created_at"]) != minute:
                # Created in an earlier minute (a replay, a redelivered event): the entry
                # just added would list the job twice.
                await self.buckets.remove_from(CREATED, minute, [doc["_id"]])
            if existing["state"] in OPEN_STATES:
                await self.active.sync(existing)
            return False
        await self.active.sync(doc, new=True)
        return True

    async def get(self, delivery_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": delivery_id})

    async def get_many(self, delivery_ids: Sequence[str]) -> list[Doc]:
        out: list[Doc] = []
        for start in range(0, len(delivery_ids), 1000):
            chunk = list(delivery_ids[start : start + 1000])
            out += [doc async for doc in self.collection.find({"_id": {"$in": chunk}})]
        return out

    async def claim(self, delivery_id: str, now: dt.datetime, lease_s: float) -> Doc | None:
        """Lease this job if it is an open, due, unleased webhook job; None otherwise."""
        lease = {
            "lease_until": now + dt.timedelta(seconds=lease_s),
            "lease_token": uuid.uuid4().hex,
        }
        return await self.collection.find_one_and_update(
            {
                "_id": delivery_id,
                "state": {"$in": list(OPEN_STATES)},
                "mode": Mode.WEBHOOK.value,
                "due_at": {"$lte": now},
                "lease_until": {"$lt": now},
            },
            {"$set": lease},
            return_document=ReturnDocument.AFTER,
        )

    async def transition(
        self,
        delivery_id: str,
        expected_version: int,
        fields: Doc,
        records: Sequence[OutgoingRecord],
        *,
        attempt: Doc | None = None,
        lease_token: str | None = None,
    ) -> Doc | None:
        """Set ``fields`` (and log ``attempt``) with the job's status events, if the job is
        still at ``expected_version`` (and held under ``lease_token``)."""
        update: dict[str, Any] = {"$set": fields}
        if attempt is not None:
            update["$push"] = {"attempt_log": attempt}
        extra = {"lease_token": lease_token} if lease_token else None
        doc = await update_with_outbox(
            self.collection, delivery_id, expected_version, update, records, extra
        )
        if doc is not None:
            await self.after_write(doc)
        return doc

    async def reschedule(
        self, delivery_id: str, fields: dict[str, Any], lease_token: str | None
    ) -> Doc | None:
        """Move an open job (due time, mode) and give up its lease; None if not held."""
        query: dict[str, Any] = {"_id": delivery_id, "state": {"$in": list(OPEN_STATES)}}
        if lease_token:
            query["lease_token"] = lease_token
        doc = await self.collection.find_one_and_update(
            query,
            {"$set": {**fields, "lease_until": EPOCH}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            await self.active.sync(doc)
        return doc

    async def release(self, delivery_id: str, lease_token: str | None) -> None:
        query: dict[str, Any] = {"_id": delivery_id}
        if lease_token:
            query["lease_token"] = lease_token
        await self.collection.update_one(query, {"$set": {"lease_until": EPOCH}})

    async def make_due(self, delivery_ids: Sequence[str], at: dt.datetime) -> None:
        """Open jobs due now (their partner was fixed); finished ones are left alone."""
        for start in range(0, len(delivery_ids), 1000):
            await self.collection.update_many(
                {
                    "_id": {"$in": list(delivery_ids[start : start + 1000])},
                    "state": {"$in": list(OPEN_STATES)},
                },
                {"$set": {"due_at": at}},
            )
        await self.active.set_due(delivery_ids, at)

    async def created_in(self, minutes: Sequence[str]) -> dict[str, list[str]]:
        """The ids of the jobs created in these minutes (at most 1000 minute keys), by key."""
        return await self.buckets.load(CREATED, minutes)

    async def scan_history(self) -> AsyncIterator[Doc]:
        """Every job, oldest first: only the one-off migration reads the whole history."""
        async for job in self.collection.find({}).sort("created_at", ASCENDING):
            yield job

    async def existing(self, delivery_ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for start in range(0, len(delivery_ids), 1000):
            chunk = list(delivery_ids[start : start + 1000])
            cursor = self.collection.find({"_id": {"$in": chunk}}, projection={"_id": 1})
            out |= {str(doc["_id"]) async for doc in cursor}
        return out

    async def delete_finished(
        self, delivery_ids: Sequence[str], cutoff: dt.datetime
    ) -> tuple[list[Doc], list[str]]:
        """Delete those of these jobs that ended before ``cutoff`` with their status events
        out, never an open one. Returns the deleted jobs and the ids of old finished jobs
        held back (status events still to publish), for the next sweep."""
        old = [
            job
            for job in await self.get_many(delivery_ids)
            if job["state"] in TERMINAL_STATES
            and as_utc(job.get("finished_at") or job["created_at"]) < cutoff
        ]
        candidates = [job for job in old if not job.get("outbox")]
        if candidates:
            await self.collection.delete_many(
                {
                    "_id": {"$in": [job["_id"] for job in candidates]},
                    "state": {"$in": list(TERMINAL_STATES)},
                    "outbox": {"$size": 0},
                }
            )
        left = await self.existing([job["_id"] for job in old])
        deleted = [job for job in candidates if job["_id"] not in left]
        return deleted, sorted(left)


def new_job(
    *,
    delivery_id: str,
    event_id: str,
    event_type: str,
    partner: Doc,
    document_id: str,
    priority: int,
    attachments: list[str],
    now: dt.datetime,
    give_up_at: dt.datetime,
    publish_status: bool,
    traceparent: str | None = None,
) -> Doc:
    return {
        "_id": delivery_id,
        # The trace of the event that caused the job: its webhook call continues it.
        "traceparent": traceparent,
        "event_id": event_id,
        "event_type": event_type,
        "partner_id": partner["_id"],
        "partner_code": partner["code"],
        "document_id": document_id,
        "mode": Mode.WEBHOOK.value if partner.get("webhook_url") else Mode.INBOX.value,
        "state": JobState.PENDING.value,
        "priority": priority,
        "attachments": attachments,
        "publish_status": publish_status,
        "attempts": 0,
        "attempt_log": [],
        "last_error": None,
        "receiver_status": None,
        "created_at": now,
        "due_at": now,
        "give_up_at": give_up_at,
        "lease_until": EPOCH,
        "lease_token": None,
        "visible_at": EPOCH,
        "delivered_at": None,
        "finished_at": None,
        "version": 1,
        "outbox": [],
        "outbox_lease": None,
    }
