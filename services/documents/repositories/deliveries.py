"""Delivery statuses: one small document per (document, recipient), keyed by ``_id``."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.documents.domain.deliveries import ConcernUpdate, delivery_key
from shared.kit.types import Doc
from shared.messaging.idempotency import apply_if_newer

# The most ids one ``_id $in`` read may carry and still use the index on the local store.
MAX_IDS_PER_READ = 1000


class DeliveryStatusRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["delivery_statuses"]

    async def apply(
        self,
        document_id: str,
        recipient_code: str,
        change: ConcernUpdate,
        *,
        version: int,
        event_id: str,
    ) -> bool:
        """Guard and effect in one atomic upsert on ``_id``; False for a duplicate or stale."""
        return await apply_if_newer(
            self.collection,
            delivery_key(document_id, recipient_code),
            concern=change.concern,
            version=version,
            event_id=event_id,
            update={"$set": change.fields},
        )

    async def for_recipients(
        self, document_id: str, recipient_codes: Sequence[str]
    ) -> dict[str, Doc]:
        """The records of the given recipients, by ``_id $in`` (no collection scan); a
        document names at most 200 external recipients, far below the 1,000 ids of one read."""
        if not recipient_codes:
            return {}
        by_key = {delivery_key(document_id, code): code for code in recipient_codes}
        found: dict[str, Doc] = {}
        keys = list(by_key)
        for start in range(0, len(keys), MAX_IDS_PER_READ):
            chunk = keys[start : start + MAX_IDS_PER_READ]
            async for doc in self.collection.find({"_id": {"$in": chunk}}):
                found[by_key[str(doc["_id"])]] = doc
        return found
