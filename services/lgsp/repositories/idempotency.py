"""Idempotency keys of create requests: the first body decides the created partner's id."""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.repositories.common import Doc, now


class IdempotencyRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["idempotency_keys"]

    async def ensure_indexes(self) -> None:
        return None  # looked up by _id; the sweep scans (no TTL on FerretDB)

    async def claim(self, key: str, body_hash: str, partner_id: str) -> Doc:
        """Record the key, or return the record an earlier request left."""
        record: Doc = {"_id": key, "body_hash": body_hash, "partner_id": partner_id, "at": now()}
        try:
            await self.collection.insert_one(record)
            return record
        except DuplicateKeyError:
            existing = await self.collection.find_one({"_id": key})
            if existing is None:  # swept between the two calls: claim it again
                return await self.claim(key, body_hash, partner_id)
            return existing

    async def delete_before(self, cutoff: dt.datetime) -> int:
        result = await self.collection.delete_many({"at": {"$lt": cutoff}})
        return result.deleted_count
