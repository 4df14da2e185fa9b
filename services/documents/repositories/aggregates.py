"""What outgoing and incoming documents share in the store: each aggregate is written with
its events (the outbox) and its audit entries (pending until chained) in one atomic write,
guarded by the version and state it was read with."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.kit.types import Doc
from shared.messaging import pending
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.outbox import OUTBOX, update_with_outbox

AUDIT_PENDING = "audit_pending"
BATCH = 200  # ids per `_id $in` read


class AggregateStore:
    def __init__(self, collection: AsyncCollection[Doc], *, lease_s: float) -> None:
        self.collection = collection
        self._lease_s = lease_s

    async def get(self, aggregate_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": aggregate_id})

    async def many(self, ids: Sequence[str]) -> list[Doc]:
        """Aggregates by ``_id`` (``BATCH`` a read), in the order given (missing ones left out)."""
        found: dict[str, Doc] = {}
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            found.update({d["_id"]: d async for d in self.collection.find({"_id": {"$in": chunk}})})
        return [found[i] for i in ids if i in found]

    async def _insert(
        self, doc: Doc, audit: Sequence[Doc], *indexed: Awaitable[None]
    ) -> Doc | None:
        """Store a new aggregate with its first audit entries pending and an empty outbox,
        after the pending marker (a sweep chains the entries after a crash) and the index
        records that list it (so listings are never short); None if the ``_id`` exists."""
        aggregate_id = str(doc["_id"])
        stored: Doc = {**doc, OUTBOX: [], AUDIT_PENDING: list(audit)}
        await pending.mark(self.collection, aggregate_id)
        for step in indexed:
            await step
        try:
            await self.collection.insert_one(stored)
        except DuplicateKeyError:
            return None
        return stored

    async def write(
        self,
        current: Doc,
        fields: Mapping[str, Any],
        appended: Mapping[str, Sequence[Any]] | None = None,
        records: Sequence[OutgoingRecord] = (),
        audit: Sequence[Doc] = (),
    ) -> Doc | None:
        """One atomic write of fields, appended items, events and audit entries, if the
        aggregate still has the version and state of ``current`` (else None).

        The writer takes the relay's lease in the same write, so it publishes the events
        without a claim round trip.
        """
        update: dict[str, Any] = {"$set": dict(fields)}
        pushes = {name: {"$each": list(items)} for name, items in (appended or {}).items()}
        if audit:
            pushes[AUDIT_PENDING] = {"$each": list(audit)}
        if pushes:
            update["$push"] = pushes
        return await update_with_outbox(
            self.collection,
            str(current["_id"]),
            int(current["version"]),
            update,
            records,
            {"state": current["state"]},
            lease=True,
            lease_s=self._lease_s,
            current=current,
        )

    async def drop_pending_audit(self, aggregate_id: str, entries: list[Doc]) -> None:
        await self.collection.update_one(
            {"_id": aggregate_id}, {"$pullAll": {AUDIT_PENDING: entries}}
        )
