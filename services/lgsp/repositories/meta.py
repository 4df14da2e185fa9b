"""Small bookkeeping documents of the LGSP, each found by _id: the registry version, one-off
migration markers and how far each retention sweep has come."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.clock import utcnow
from shared.kit.types import Doc

REGISTRY = "registry"


class MetaRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["lgsp_meta"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    async def registry_version(self) -> int:
        doc = await self.collection.find_one({"_id": REGISTRY})
        return int(doc["version"]) if doc else 0

    async def bump_registry(self) -> None:
        """Every write to partners or subscriptions: caches on every replica reload."""
        await self.collection.update_one(
            {"_id": REGISTRY}, {"$inc": {"version": 1}, "$set": {"at": utcnow()}}, upsert=True
        )

    async def get(self, key: str) -> Doc | None:
        return await self.collection.find_one({"_id": key})

    async def put(self, key: str, fields: dict[str, Any]) -> None:
        await self.collection.update_one({"_id": key}, {"$set": fields}, upsert=True)

    async def put_if_absent(self, key: str, fields: dict[str, Any]) -> None:
        await self.collection.update_one({"_id": key}, {"$setOnInsert": fields}, upsert=True)

    async def advance(self, key: str, field: str, value: str) -> None:
        """Move a string mark forward only (two sweeps at once never move it back)."""
        await self.collection.update_one({"_id": key}, {"$max": {field: value}}, upsert=True)
