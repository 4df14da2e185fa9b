"""Documents sent in: one record per (sender, DocumentId), found by its derived ``_id``.

The record carries its own outbox (``inbound.received``, ``inbound.recall_requested``): the
insert that creates it holds the first event, so a crash between storing and publishing is
finished by the relay's sweep of ``inbound_pending``, never by a scan of the records.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.domain.inbound import Recall
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.messaging import pending
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.outbox import LEASE, OUTBOX, update_with_outbox


class InboundRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["inbound"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    async def get(self, inbound_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": inbound_id})

    async def insert(
        self, doc: Doc, records: Sequence[OutgoingRecord], lease_s: float
    ) -> tuple[Doc, bool]:
        """Insert the record with its events and the relay's lease unless it exists.

        Returns the stored record and whether this call created it: of two replicas (or
        two resends) inserting the same id, one wins and the other gets the winner's record.
        """
        await pending.mark(self.collection, str(doc["_id"]))
        # The writer holds the relay's lease from the start and publishes at once.
        lease = {"token": uuid.uuid4().hex, "until": utcnow() + dt.timedelta(seconds=lease_s)}
        stored = {**doc, OUTBOX: [r.to_document() for r in records], LEASE: lease}
        try:
            await self.collection.insert_one(stored)
        except DuplicateKeyError:
            existing = await self.get(str(doc["_id"]))
            if existing is None:  # cannot happen: _id records are never deleted
                raise
            return existing, False
        return stored, True

    async def request_recall(
        self,
        current: Doc,
        entry: Mapping[str, Any],
        requested_at: dt.datetime,
        records: Sequence[OutgoingRecord],
    ) -> Doc | None:
        """Open a recall at the record's version if none is open; None if either moved."""
        return await update_with_outbox(
            self.collection,
            str(current["_id"]),
            int(current["version"]),
            {
                "$set": {"recall": Recall.PENDING, "recall_requested_at": requested_at},
                "$push": {"statuses": dict(entry)},
            },
            records,
            {"recall": {"$in": list(Recall.OPEN_TO_REQUEST)}},
            lease=True,
            current=current,
        )

    async def add_status(self, inbound_id: str, entry: Mapping[str, Any]) -> bool:
        """Add one status line; the same line again (a redelivered event) changes nothing."""
        result = await self.collection.update_one(
            {"_id": inbound_id}, {"$addToSet": {"statuses": dict(entry)}}
        )
        return bool(result.matched_count)

    async def answer_recall(self, inbound_id: str, answer: str, at: dt.datetime) -> None:
        """Close the open recall, if this answer is not older than its request."""
        await self.collection.update_one(
            {"_id": inbound_id, "recall": Recall.PENDING, "recall_requested_at": {"$lte": at}},
            {"$set": {"recall": answer}},
        )
