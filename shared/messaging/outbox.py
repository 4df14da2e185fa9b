"""The outbox inside the aggregate.

A state change and the events it causes are written in ONE atomic update of the aggregate's
document, guarded by its version. A relay then publishes the pending events and pulls them off.
A relay must hold the aggregate's lease to publish, so two replicas never publish the same
event twice; a lease left by a crashed relay expires and the sweeper takes over.

The writer may take the lease in the same update that adds the events (``lease=True``) and
publish at once with ``publish_written``: no claim round trip when nothing competes. The
sweeper never scans the aggregates: it reads the pending markers (``shared.messaging.pending``)
written before each update.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from shared.background import BackgroundLoop
from shared.kit.types import Doc
from shared.logging import get_logger
from shared.messaging import pending
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.publisher import RecordSink
from shared.metrics import EVENTS_PUBLISHED, OUTBOX_OLDEST_PENDING, OUTBOX_PENDING

OUTBOX = "outbox"
LEASE = "outbox_lease"
log = get_logger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def outbox_update(
    update: Mapping[str, Any], records: Sequence[OutgoingRecord], lease: Doc | None = None
) -> dict[str, Any]:
    """Add the version bump, the pending events and the writer's lease to an update."""
    merged: dict[str, Any] = {k: dict(v) for k, v in update.items()}
    merged.setdefault("$inc", {})["version"] = 1
    if records:
        merged.setdefault("$push", {})[OUTBOX] = {"$each": [r.to_document() for r in records]}
        if lease is not None:
            merged.setdefault("$set", {})[LEASE] = lease
    return merged


def _new_lease(lease_s: float) -> Doc:
    return {"token": uuid.uuid4().hex, "until": _now() + dt.timedelta(seconds=lease_s)}


def _lease_is_live(doc: Mapping[str, Any] | None) -> bool:
    held = (doc or {}).get(LEASE)
    if not held:
        return False
    until: dt.datetime = held["until"]
    return until.replace(tzinfo=dt.UTC) > _now()


async def update_with_outbox(
    collection: AsyncCollection[Doc],
    aggregate_id: str,
    expected_version: int,
    update: Mapping[str, Any],
    records: Sequence[OutgoingRecord],
    extra_filter: Mapping[str, Any] | None = None,
    *,
    lease: bool = False,
    lease_s: float = 15.0,
    current: Mapping[str, Any] | None = None,
) -> Doc | None:
    """Apply ``update`` and append ``records`` atomically if the version still matches.

    With ``lease=True`` the writer also takes the relay's lease in the same update (unless
    ``current``, the aggregate as the caller read it, shows a live lease of another relay,
    which will then publish these events too); pass the result to ``publish_written``.
    Returns the new document, or None when the version (or ``extra_filter``) did not match.
    """
    await pending.mark(collection, aggregate_id)
    query: dict[str, Any] = {"_id": aggregate_id, "version": expected_version}
    query.update(extra_filter or {})
    take = _new_lease(lease_s) if lease and records and not _lease_is_live(current) else None
    return await collection.find_one_and_update(
        query, outbox_update(update, records, take), return_document=ReturnDocument.AFTER
    )


# Called by the sweeper with an aggregate that had a marker; True while work is left.
FollowUp = Callable[[Doc], Awaitable[bool]]


class OutboxRelay:
    """Publishes what aggregates of one collection have pending, under a lease."""

    def __init__(
        self,
        collection: AsyncCollection[Doc],
        sink: RecordSink,
        *,
        lease_s: float = 15.0,
        sweep_interval_s: float = 2.0,
        settle_s: float | None = None,
        follow_up: FollowUp | None = None,
    ) -> None:
        self._collection = collection
        self._sink = sink
        self._lease = dt.timedelta(seconds=lease_s)
        # A marker younger than this most likely belongs to a writer still at work.
        self._settle_s = lease_s if settle_s is None else settle_s
        self._follow_up = follow_up
        self._loop = BackgroundLoop(
            f"outbox:{collection.name}", self._sweep_and_log, sweep_interval_s
        )

    @property
    def lease_s(self) -> float:
        return self._lease.total_seconds()

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

    async def publish_written(self, doc: Doc | None) -> int:
        """Publish what a write with ``lease=True`` returned, under the lease it took."""
        if not doc or not doc.get(OUTBOX):
            return 0
        held = doc.get(LEASE)
        if held and _lease_is_live(doc):
            return await self._drain(str(held["token"]), doc)
        return await self.publish_now(str(doc["_id"]))

    def set_follow_up(self, follow_up: FollowUp) -> None:
        self._follow_up = follow_up

    async def sweep_once(self, settle_s: float | None = None) -> int:
        """Finish every aggregate whose marker has settled; never reads the aggregates' history."""
        sent = 0
        settle = self._settle_s if settle_s is None else settle_s
        markers = await pending.read(self._collection)
        # Reported before publishing, so a stalled broker shows as a growing backlog.
        OUTBOX_PENDING.labels(self._collection.name).set(len(markers))
        OUTBOX_OLDEST_PENDING.labels(self._collection.name).set(pending.oldest_age_s(markers))
        for marker in pending.settled_of(markers, settle):
            aggregate_id = str(marker["_id"])
            doc = await self._collection.find_one({"_id": aggregate_id})
            busy = False
            if doc is not None and doc.get(OUTBOX):
                claimed = await self._claim({"_id": aggregate_id})
                if claimed is None:
                    busy = True  # another relay holds a live lease: look again next round
                else:
                    sent += await self._drain(*claimed)
                    doc = await self._collection.find_one({"_id": aggregate_id})
                    busy = bool(doc and doc.get(OUTBOX))
            if doc is not None and self._follow_up is not None:
                busy = await self._follow_up(doc) or busy
            if not busy:
                await pending.clear(self._collection, marker)
        return sent

    async def _sweep_and_log(self) -> None:
        sent = await self.sweep_once()
        if sent:
            log.info("outbox.swept", collection=self._collection.name, sent=sent)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
