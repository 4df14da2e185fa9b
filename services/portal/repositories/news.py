"""News articles written by portal editors; deleted ones stay as tombstones (410).

Read by ``_id`` only: ``news_slugs`` maps a slug to its article (the insert is the claim),
and ``news_index`` holds month buckets of sort keys per language (``*`` = any), with a
directory of months, so a list walks newest first without a sort. Only published articles
are in the index. ``news_drafts`` holds one record per article not on the portal (drafts and
unpublished ones): the editors' work in flight, which an article leaves when published.
Readers of the index and of the drafts re-check the article they point at, so an entry
written ahead of its article's write, or left behind by a crash, shows nothing wrong.
"""

from __future__ import annotations

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.portal.domain.news import is_public
from services.portal.repositories.bulk import bulk_update
from shared.kit.types import Doc

ANY = "*"
MAX_MONTHS_READ = 36
MAX_DRAFTS = 1000  # one `_id $in` read of the articles


def _month(sort_key: str) -> str:
    """``20250328T081200000000|id`` → ``2025-03``."""
    return f"{sort_key[:4]}-{sort_key[4:6]}"


def _bucket(language: str, month: str) -> str:
    return f"d|{language}|{month}"


def _directory(language: str) -> str:
    return f"m|{language}"


class NewsRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["news"]
        self.slugs = db["news_slugs"]
        self.index = db["news_index"]
        self.drafts = db["news_drafts"]

    async def insert(self, doc: Doc) -> bool:
        """Store a new article under its slug; False when the slug is taken."""
        try:
            await self.slugs.insert_one({"_id": doc["slug"], "news_id": doc["_id"]})
        except DuplicateKeyError:
            return False
        if is_public(doc):
            await self.collection.insert_one(doc)
            await self.list_entries(doc)
        else:
            await self.keep_draft(str(doc["_id"]), int(doc["version"]))
            await self.collection.insert_one(doc)
        return True

    async def list_entries(self, doc: Doc) -> None:
        """Put a published article in the index (idempotent)."""
        key, month = str(doc["sort_key"]), _month(str(doc["sort_key"]))
        ops = []
        for language in (ANY, str(doc["language"])):
            ops.append(
                UpdateOne({"_id": _bucket(language, month)}, {"$addToSet": {"e": key}}, upsert=True)
            )
            ops.append(
                UpdateOne({"_id": _directory(language)}, {"$addToSet": {"m": month}}, upsert=True)
            )
        await bulk_update(self.index, ops)

    async def unlist_entries(self, doc: Doc) -> None:
        """Take an article out of the index (idempotent; its months stay in the directory)."""
        if not doc.get("sort_key"):
            return
        key, month = str(doc["sort_key"]), _month(str(doc["sort_key"]))
        ops = [
            UpdateOne({"_id": _bucket(lang, month)}, {"$pullAll": {"e": [key]}})
            for lang in (ANY, str(doc["language"]))
        ]
        await bulk_update(self.index, ops)

    async def keep_draft(self, news_id: str, version: int) -> None:
        """Record that the article is not on the portal as of ``version`` (never lowered)."""
        await self.drafts.update_one({"_id": news_id}, {"$max": {"version": version}}, upsert=True)

    async def drop_draft(self, news_id: str, version: int) -> None:
        """The article went on the portal (or away) at ``version``: forget its draft record
        unless a later write (an unpublish) recorded it again."""
        await self.drafts.delete_one({"_id": news_id, "version": {"$lte": version}})

    async def not_published(self) -> list[Doc]:
        """Articles not on the portal (drafts and unpublished ones), any order."""
        ids = [str(d["_id"]) async for d in self.drafts.find({}).limit(MAX_DRAFTS)]
        if not ids:
            return []
        found = [d async for d in self.collection.find({"_id": {"$in": ids}})]
        for doc in found:
            if doc["deleted"] or is_public(doc):  # a record a crash left behind
                await self.drop_draft(str(doc["_id"]), int(doc["version"]))
        return [d for d in found if not d["deleted"] and not is_public(d)]

    async def slug_taken(self, slug: str) -> bool:
        return await self.slugs.find_one({"_id": slug}) is not None

    async def get(self, news_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": news_id})

    async def by_slug(self, slug: str) -> Doc | None:
        found = await self.slugs.find_one({"_id": slug})
        return await self.get(str(found["news_id"])) if found else None

    async def latest(self, *, limit: int, after: str | None, language: str | None) -> list[Doc]:
        """Up to ``limit`` articles not deleted, newest first, below ``after``."""
        lang = language or ANY
        directory = await self.index.find_one({"_id": _directory(lang)})
        months = sorted(directory.get("m", []) if directory else [], reverse=True)
        if after is not None:
            months = [m for m in months if m <= _month(after)]
        found: list[Doc] = []
        for month in months[:MAX_MONTHS_READ]:
            bucket = await self.index.find_one({"_id": _bucket(lang, month)})
            keys = sorted(bucket.get("e", []) if bucket else [], reverse=True)
            keys = [k for k in keys if after is None or k < after]
            for start in range(0, len(keys), limit + 8):
                found += await self._check(keys[start : start + limit + 8], language)
                if len(found) >= limit:
                    return found[:limit]
        return found

    async def _check(self, keys: list[str], language: str | None) -> list[Doc]:
        """The articles behind these entries that are still listed, in the entries' order."""
        ids = [k.split("|", 1)[1] for k in keys]
        docs = {d["_id"]: d async for d in self.collection.find({"_id": {"$in": ids}})}
        listed = []
        for key, news_id in zip(keys, ids, strict=True):
            doc = docs.get(news_id)
            same_language = doc is not None and language in (None, doc["language"])
            if doc and same_language and is_public(doc) and doc["sort_key"] == key:
                listed.append(doc)
        return listed

    async def update(self, news_id: str, expected_version: int, fields: Doc) -> Doc | None:
        """Apply ``fields`` only to the version the writer read; None when it changed."""
        updated = await self.collection.find_one_and_update(
            {"_id": news_id, "version": expected_version, "deleted": False},
            {"$set": fields, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if updated is not None and updated["deleted"]:
            await self.unlist_entries(updated)
            await self.drop_draft(news_id, int(updated["version"]))
        return updated
