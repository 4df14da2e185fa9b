"""Idempotency keys of create requests: the first body decides the created document's id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Doc = dict[str, Any]


class IdempotencyRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["idempotency_keys"]

    async def claim(self, key: str, body_hash: str, document_id: str) -> Doc:
        """Record the key, or return the record an earlier request left."""
        record = {
            "_id": key,
            "body_hash": body_hash,
            "document_id": document_id,
            "at": dt.datetime.now(dt.UTC),
        }
        try:
            await self.collection.insert_one(record)
            return record
        except DuplicateKeyError:
            existing = await self.collection.find_one({"_id": key})
            if existing is None:  # pragma: no cover - removed between the two calls
                raise
            return existing

    async def expire(self, older_than: dt.datetime) -> int:
        """Delete the records made before ``older_than`` (no TTL indexes: a job sweeps)."""
        result = await self.collection.delete_many({"at": {"$lt": older_than}})
        return result.deleted_count
