"""``Idempotency-Key`` records of partner creations: the kit's, expired through hourly
buckets (no TTL index, no scan of the keys)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.expiry import HourlyExpiry
from shared.kit.idempotency import Claimed, IdempotencyKeys
from shared.kit.types import Doc


class IdempotencyRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._keys = IdempotencyKeys(db, name="idempotency_keys")
        self.collection = self._keys.collection
        self._expiry = HourlyExpiry(self.collection)

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    async def claim(self, caller: str, key: str, digest: str, partner_id: str) -> Claimed:
        """Bind the key to ``partner_id`` unless an earlier request did (``IdempotencyConflict``
        when it did with another body)."""
        return await self._keys.claim(caller, key, digest, partner_id)

    async def delete_before(self, cutoff: dt.datetime) -> int:
        return await self._keys.expire(cutoff)

    async def unlisted(self) -> AsyncIterator[Doc]:
        """Records written before the expiry buckets (the one-off migration)."""
        async for record in self.collection.find({"result_id": {"$exists": False}}):
            yield record

    async def adopt(self, record: Doc) -> None:
        """List an older record under its hour, naming its partner as the kit does."""
        await self._expiry.remember(str(record["_id"]), record["at"])
        await self.collection.update_one(
            {"_id": record["_id"]}, {"$set": {"result_id": record.get("partner_id")}}
        )
