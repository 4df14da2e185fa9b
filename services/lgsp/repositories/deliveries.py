"""Delivery jobs: one document per (event, partner), claimed by the worker under a lease."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.domain.deliveries import OPEN_STATES, TERMINAL_STATES, JobState, Mode
from services.lgsp.repositories.common import Doc
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.outbox import update_with_outbox


class DeliveryRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["deliveries"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("state", ASCENDING), ("mode", ASCENDING), ("priority", DESCENDING)],
            name="claim",
        )
        await self.collection.create_index(
            [("partner_id", ASCENDING), ("created_at", ASCENDING)], name="partner_created"
        )
        await self.collection.create_index([("document_id", ASCENDING)], name="document")
        await self.collection.create_index([("event_id", ASCENDING)], name="event")

    async def insert(self, doc: Doc) -> bool:
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, delivery_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": delivery_id})

    async def claim(
        self, now: dt.datetime, lease_s: float, exclude_partners: Sequence[str]
    ) -> Doc | None:
        """Lease the most urgent due webhook job; None when there is none."""
        query: dict[str, Any] = {
            "state": {"$in": list(OPEN_STATES)},
            "mode": Mode.WEBHOOK.value,
            "due_at": {"$lte": now},
            "lease_until": {"$lt": now},
        }
        if exclude_partners:
            query["partner_id"] = {"$nin": list(exclude_partners)}
        lease = {
            "lease_until": now + dt.timedelta(seconds=lease_s),
            "lease_token": uuid.uuid4().hex,
        }
        return await self.collection.find_one_and_update(
            query,
            {"$set": lease},
            sort=[("priority", DESCENDING), ("due_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    async def transition(
        self,
        delivery_id: str,
        expected_version: int,
        update: dict[str, Any],
        records: Sequence[OutgoingRecord],
        extra_filter: dict[str, Any] | None = None,
    ) -> Doc | None:
        return await update_with_outbox(
            self.collection, delivery_id, expected_version, update, records, extra_filter
        )

    async def set_fields(self, delivery_id: str, fields: dict[str, Any]) -> None:
        await self.collection.update_one({"_id": delivery_id}, {"$set": fields})

    async def page(
        self, query: dict[str, Any], after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Doc]:
        """Oldest first by (created_at, _id)."""
        full = dict(query)
        if after is not None:
            created, last_id = after
            full["$or"] = [
                {"created_at": {"$gt": created}},
                {"created_at": created, "_id": {"$gt": last_id}},
            ]
        cursor = (
            self.collection.find(full)
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [doc async for doc in cursor]

    async def hide_until(self, ids: Sequence[str], until: dt.datetime) -> None:
        if ids:
            await self.collection.update_many(
                {"_id": {"$in": list(ids)}}, {"$set": {"visible_at": until}}
            )

    async def partner_owns_file(self, partner_id: str, sha256: str) -> Doc | None:
        return await self.collection.find_one({"partner_id": partner_id, "attachments": sha256})

    async def latest_for_document(self, partner_id: str, document_id: str) -> Doc | None:
        cursor = (
            self.collection.find({"partner_id": partner_id, "document_id": document_id})
            .sort([("created_at", DESCENDING)])
            .limit(1)
        )
        async for doc in cursor:
            return doc
        return None

    async def open_of_partner(self, partner_id: str) -> list[Doc]:
        cursor = self.collection.find(
            {"partner_id": partner_id, "state": {"$in": list(OPEN_STATES)}}
        )
        return [doc async for doc in cursor]

    async def delete_finished_before(self, cutoff: dt.datetime) -> int:
        """Finished jobs whose status events are out; never a pending or retrying one."""
        result = await self.collection.delete_many(
            {
                "state": {"$in": list(TERMINAL_STATES)},
                "outbox": {"$size": 0},
                "$or": [
                    {"finished_at": {"$lt": cutoff}},
                    # jobs finished before finished_at was recorded
                    {"finished_at": None, "created_at": {"$lt": cutoff}},
                ],
            }
        )
        return result.deleted_count

    async def referenced_events(self, event_ids: Sequence[str]) -> set[str]:
        if not event_ids:
            return set()
        cursor = self.collection.find(
            {"event_id": {"$in": list(event_ids)}}, projection={"event_id": 1}
        )
        return {str(doc["event_id"]) async for doc in cursor}

    async def count(self, query: dict[str, Any]) -> int:
        return await self.collection.count_documents(query)


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
) -> Doc:
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return {
        "_id": delivery_id,
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
        "lease_until": epoch,
        "lease_token": None,
        "visible_at": epoch,
        "delivered_at": None,
        "finished_at": None,
        "version": 1,
        "outbox": [],
        "outbox_lease": None,
    }
