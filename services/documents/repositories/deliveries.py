"""Delivery statuses: one small document per (document, recipient), keyed by ``_id``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.documents.domain.deliveries import ConcernUpdate, delivery_key
from shared.messaging.idempotency import apply_if_newer

Doc = dict[str, Any]


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
        """The records of the given recipients, each read by ``_id`` (no collection scan)."""
        found = await asyncio.gather(
            *(
                self.collection.find_one({"_id": delivery_key(document_id, code)})
                for code in recipient_codes
            )
        )
        return {code: doc for code, doc in zip(recipient_codes, found, strict=True) if doc}
