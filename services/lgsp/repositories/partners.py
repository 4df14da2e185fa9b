"""Partners, their API keys and their feed subscriptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.lgsp.repositories.common import Doc


class DuplicateCode(Exception):
    pass


class PartnerRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["partners"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("code", ASCENDING)], unique=True, name="code_unique")

    async def insert(self, doc: Doc) -> None:
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError as exc:
            raise DuplicateCode(doc["code"]) from exc

    async def get(self, partner_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": partner_id})

    async def by_code(self, code: str) -> Doc | None:
        return await self.collection.find_one({"code": code})

    async def page(self, after: str | None, limit: int, code: str | None = None) -> list[Doc]:
        query: dict[str, Any] = {}
        if after:
            query["_id"] = {"$gt": after}
        if code:
            query["code"] = code
        cursor = self.collection.find(query).sort("_id", ASCENDING).limit(limit)
        return [doc async for doc in cursor]

    async def with_secrets(self) -> list[Doc]:
        cursor = self.collection.find({}, projection={"secrets": 1, "code": 1})
        return [doc async for doc in cursor if doc.get("secrets")]

    async def pull_secrets(self, partner_id: str, entries: list[Doc]) -> int:
        """Remove exactly these (expired) secret entries; one atomic update."""
        result = await self.collection.update_one(
            {"_id": partner_id}, {"$pullAll": {"secrets": entries}}
        )
        return result.modified_count

    async def routable(self) -> list[Doc]:
        cursor = self.collection.find({"state": {"$ne": "disabled"}})
        return [doc async for doc in cursor]

    async def update(
        self, partner_id: str, update: dict[str, Any], expected_version: int | None = None
    ) -> Doc | None:
        query: dict[str, Any] = {"_id": partner_id}
        if expected_version is not None:
            query["version"] = expected_version
        merged = {k: dict(v) for k, v in update.items()}
        merged.setdefault("$inc", {})["version"] = 1
        try:
            return await self.collection.find_one_and_update(
                query, merged, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError as exc:
            raise DuplicateCode(str(update)) from exc


class ApiKeyRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["api_keys"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("partner_id", ASCENDING)], name="partner")

    async def insert(self, doc: Doc) -> None:
        await self.collection.insert_one(doc)

    async def get(self, key_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": key_id})

    async def of_partner(self, partner_id: str) -> list[Doc]:
        cursor = self.collection.find({"partner_id": partner_id}).sort("created_at", ASCENDING)
        return [doc async for doc in cursor]

    async def revoke(
        self, partner_id: str, when: dt.datetime, key_id: str | None = None, keep: str = ""
    ) -> int:
        query: dict[str, Any] = {"partner_id": partner_id, "revoked_at": None}
        if key_id is not None:
            query["_id"] = key_id
        elif keep:
            query["_id"] = {"$ne": keep}
        result = await self.collection.update_many(query, {"$set": {"revoked_at": when}})
        return result.modified_count

    async def delete_revoked_before(self, cutoff: dt.datetime) -> int:
        result = await self.collection.delete_many({"revoked_at": {"$lt": cutoff}})
        return result.deleted_count

    async def touch(self, key_id: str, when: dt.datetime) -> None:
        await self.collection.update_one({"_id": key_id}, {"$set": {"last_used_at": when}})


class SubscriptionRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["subscriptions"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("partner_id", ASCENDING)], name="partner")

    async def insert(self, doc: Doc) -> None:
        await self.collection.insert_one(doc)

    async def of_partner(self, partner_id: str) -> list[Doc]:
        cursor = self.collection.find({"partner_id": partner_id}).sort("created_at", ASCENDING)
        return [doc async for doc in cursor]

    async def all(self) -> list[Doc]:
        return [doc async for doc in self.collection.find({})]

    async def delete(self, partner_id: str, subscription_id: str) -> bool:
        result = await self.collection.delete_one(
            {"_id": subscription_id, "partner_id": partner_id}
        )
        return bool(result.deleted_count)
