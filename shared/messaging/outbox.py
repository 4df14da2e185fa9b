"""The outbox inside the aggregate.

A state change and the events it causes are written in ONE atomic update of the aggregate's
document, guarded by its version. A relay then publishes the pending events and pulls them off.
A relay must hold the aggregate's lease to publish, so two replicas never publish the same
event twice; a lease left by a crashed relay expires and the sweeper takes over.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from shared.background import BackgroundLoop
from shared.logging import get_logger
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.publisher import RecordSink
from shared.metrics import EVENTS_PUBLISHED, OUTBOX_PENDING

Doc = dict[str, Any]
OUTBOX = "outbox"
LEASE = "outbox_lease"
log = get_logger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def outbox_update(update: Mapping[str, Any], records: Sequence[OutgoingRecord]) -> dict[str, Any]:
    """Add the version bump and the pending events to an aggregate update."""
    merged: dict[str, Any] = {k: dict(v) for k, v in update.items()}
    merged.setdefault("$inc", {})["version"] = 1
    if records:
        merged.setdefault("$push", {})[OUTBOX] = {"$each": [r.to_document() for r in records]}
    return merged


async def update_with_outbox(
    collection: AsyncCollection[Doc],
    aggregate_id: str,
    expected_version: int,
    update: Mapping[str, Any],
    records: Sequence[OutgoingRecord],
    extra_filter: Mapping[str, Any] | None = None,
) -> Doc | None:
    """Apply ``update`` and append ``records`` atomically if the version still matches.

    Returns the new document, or None when the version (or ``extra_filter``) did not match.
    """
    query: dict[str, Any] = {"_id": aggregate_id, "version": expected_version}
    query.update(extra_filter or {})
    return await collection.find_one_and_update(
        query, outbox_update(update, records), return_document=ReturnDocument.AFTER
    )


class OutboxRelay:
    """Publishes what aggregates of one collection have pending, under a lease."""

    def __init__(
        self,
        collection: AsyncCollection[Doc],
        sink: RecordSink,
        *,
        lease_s: float = 15.0,
        sweep_interval_s: float = 2.0,
    ) -> None:
        self._collection = collection
        self._sink = sink
        self._lease = dt.timedelta(seconds=lease_s)
        self._loop = BackgroundLoop(
            f"outbox:{collection.name}", self._sweep_and_log, sweep_interval_s
        )

    async def _claim(self, query: Mapping[str, Any]) -> tuple[str, Doc] | None:
        token = uuid.uuid4().hex
        now = _now()
        # Top-level fields (not $and) so that an _id in the query is used as a key lookup.
        claim = {
            **query,
            f"{OUTBOX}.0": {"$exists": True},
            "$or": [{LEASE: None}, {f"{LEASE}.until": {"$lt": now}}],
        }
        doc = await self._collection.find_one_and_update(
            claim,
            {"$set": {LEASE: {"token": token, "until": now + self._lease}}},
            return_document=ReturnDocument.AFTER,
        )
        return (token, doc) if doc else None

    async def _drain(self, token: str, doc: Doc) -> int:
        """Publish in order while holding the lease; release only when nothing is left."""
        sent = 0
        while True:
            items = list(doc.get(OUTBOX, []))
            for item in items:
                record = OutgoingRecord.from_document(item)
                await self._sink.send(record)
                EVENTS_PUBLISHED.labels(record.topic, record.headers.get("ce_type", "")).inc()
                sent += 1
            # Common case, one write: the outbox still holds exactly what we sent, so empty
            # it and release the lease together.
            emptied = await self._collection.update_one(
                {"_id": doc["_id"], f"{LEASE}.token": token, OUTBOX: items},
                {"$set": {OUTBOX: [], LEASE: None}},
            )
            if emptied.modified_count:
                return sent
            # New events arrived meanwhile: pull exactly what we sent (whole elements, the
            # portable form of $pull) and release only if nothing is left.
            await self._collection.update_one(
                {"_id": doc["_id"], f"{LEASE}.token": token},
                {"$pullAll": {OUTBOX: items}},
            )
            released = await self._collection.update_one(
                {"_id": doc["_id"], f"{LEASE}.token": token, OUTBOX: {"$size": 0}},
                {"$set": {LEASE: None}},
            )
            if released.modified_count:
                return sent
            refreshed = await self._collection.find_one(
                {"_id": doc["_id"], f"{LEASE}.token": token}, projection={OUTBOX: 1}
            )
            if refreshed is None:  # the lease expired and another relay took over
                return sent
            doc = refreshed

    async def publish_now(self, aggregate_id: str) -> int:
        """Called right after a write; if another relay holds the lease, it will send ours."""
        claimed = await self._claim({"_id": aggregate_id})
        if claimed is None:
            return 0
        return await self._drain(*claimed)

    async def sweep_once(self) -> int:
        sent = 0
        while (claimed := await self._claim({})) is not None:
            sent += await self._drain(*claimed)
        OUTBOX_PENDING.labels(self._collection.name).set(
            await self._collection.count_documents({f"{OUTBOX}.0": {"$exists": True}})
        )
        return sent

    async def _sweep_and_log(self) -> None:
        sent = await self.sweep_once()
        if sent:
            log.info("outbox.swept", collection=self._collection.name, sent=sent)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
