"""News articles written by portal editors; deleted ones stay as tombstones (410)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Doc = dict[str, Any]


class NewsRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["news"]
        self.keys = db["news_idempotency"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("slug", ASCENDING)], unique=True)
        await self.collection.create_index([("sort_key", DESCENDING)])

    async def insert(self, doc: Doc) -> bool:
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def slug_taken(self, slug: str) -> bool:
        return await self.collection.find_one({"slug": slug}, {"_id": 1}) is not None

    async def get(self, news_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": news_id})

    async def by_slug(self, slug: str) -> Doc | None:
        return await self.collection.find_one({"slug": slug})

    async def latest(self, *, limit: int, after: str | None, language: str | None) -> list[Doc]:
        query: Doc = {"deleted": False}
        if language:
            query["language"] = language
        if after is not None:
            query["sort_key"] = {"$lt": after}
        cursor = self.collection.find(query).sort("sort_key", DESCENDING).limit(limit)
        return [doc async for doc in cursor]

    async def update(self, news_id: str, expected_version: int, fields: Doc) -> Doc | None:
        """Apply ``fields`` only to the version the writer read; None when it changed."""
        return await self.collection.find_one_and_update(
            {"_id": news_id, "version": expected_version, "deleted": False},
            {"$set": fields, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def remember_key(self, key: str, body_hash: str, news_id: str) -> Doc | None:
        """Record an Idempotency-Key; returns the earlier record when the key was used."""
        try:
            await self.keys.insert_one({"_id": key, "body_hash": body_hash, "news_id": news_id})
        except DuplicateKeyError:
            return await self.keys.find_one({"_id": key})
        return None
