"""The signing_keys collection: the issuer's Ed25519 keys, created once for all replicas."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.types import Doc


class SigningKeyRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["signing_keys"]

    async def insert_if_absent(self, record: Doc) -> Doc:
        """Insert; when another replica won the race, return its key instead."""
        try:
            await self.collection.insert_one(record)
            return record
        except DuplicateKeyError:
            existing = await self.collection.find_one({"_id": record["_id"]})
            if existing is None:  # pragma: no cover
                raise
            return existing

    async def active(self, issuer: str) -> Doc | None:
        return await self.collection.find_one(
            {"issuer": issuer, "active": True}, sort=[("created_at", -1)]
        )

    async def all(self) -> list[Doc]:
        return [doc async for doc in self.collection.find({}).sort("created_at", 1)]
