"""Idempotency keys of create requests: the first body decides the created document's id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.expiry import HourlyExpiry

Doc = dict[str, Any]


def _utcnow() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored


class IdempotencyRepository:
    def __init__(self, db: AsyncDatabase[Doc], clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self._clock = clock
        self.collection: AsyncCollection[Doc] = db["idempotency_keys"]
        self._expiry = HourlyExpiry(self.collection)

    async def claim(self, key: str, body_hash: str, document_id: str) -> Doc:
        """Record the key, or return the record an earlier request left."""
        at = self._clock()
        record = {
            "_id": key,
            "body_hash": body_hash,
            "document_id": document_id,
            "at": at,
        }
        await self._expiry.remember(key, at)
        try:
            await self.collection.insert_one(record)
            return record
        except DuplicateKeyError:
            existing = await self.collection.find_one({"_id": key})
            if existing is None:  # pragma: no cover - removed between the two calls
                raise
            return existing

    async def expire(self, older_than: dt.datetime) -> int:
        """Delete the records of the hours before ``older_than`` (no TTL indexes: a job sweeps
        hourly buckets, never the keys' collection)."""
        return await self._expiry.expire(older_than)
