"""Which read model the portal serves: collections named ``<prefix><name>``, and the pointer.

The projection's collections (pages and every index of them) exist once per read model. A
rebuild fills a fresh set under a new prefix while the live one keeps serving; then the
pointer, one record read by ``_id``, names the new set. Attachment bytes, fetch jobs and news
belong to no read model: they are not made from the topic, so a rebuild keeps them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.types import Doc

MODEL_COLLECTIONS = (
    "pages",
    "page_slugs",
    "page_notations",
    "page_index",
    "search_terms",
    "search_pages",
    "search_facts",
    "signature_pending",
    "search_pending",
)
META = "read_model"
POINTER_ID = "pointer"
STAMP_ID = "stamp"


class ModelCollections:
    """The collections of one read model. The live process's instance follows the pointer
    (its ``prefix`` changes on a switch); a rebuild holds one with a fixed prefix."""

    def __init__(self, db: AsyncDatabase[Doc], prefix: str = "") -> None:
        self.db = db
        self.prefix = prefix

    def __getitem__(self, name: str) -> AsyncCollection[Doc]:
        return self.db[self.prefix + name]


def as_model(source: AsyncDatabase[Doc] | ModelCollections) -> ModelCollections:
    """Repositories take a database (its original read model) or a model's collections."""
    return source if isinstance(source, ModelCollections) else ModelCollections(source)


class ReadModelRepository:
    """The pointer ``{_id: pointer, active, previous, models}`` and the site's change stamp
    ``{_id: stamp, at}``, both in ``read_model`` and read together with one ``_id $in``."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.db = db
        self.meta = db[META]

    async def read(self) -> tuple[Doc | None, dt.datetime | None]:
        found = {
            d["_id"]: d async for d in self.meta.find({"_id": {"$in": [POINTER_ID, STAMP_ID]}})
        }
        stamp = found.get(STAMP_ID)
        return found.get(POINTER_ID), (stamp or {}).get("at")

    async def touch(self, at: dt.datetime) -> None:
        """The site changed at ``at`` (``$max``: a late writer never moves it back)."""
        with contextlib.suppress(DuplicateKeyError):  # two replicas created it at once
            await self.meta.update_one({"_id": STAMP_ID}, {"$max": {"at": at}}, upsert=True)

    async def switch(
        self, to: str, expected: str, at: dt.datetime, note: Doc | None = None
    ) -> bool:
        """Name ``to`` the active model if ``expected`` still is (compare-and-set)."""
        model: dict[str, Any] = {"prefix": to, "at": at, **(note or {})}
        update: Doc = {
            "$set": {"active": to, "previous": expected, "switched_at": at},
            "$push": {"history": model},
        }
        if expected == "":
            query: Doc = {
                "_id": POINTER_ID,
                "$or": [{"active": ""}, {"active": {"$exists": False}}],
            }
            try:
                result = await self.meta.update_one(query, update, upsert=True)
            except DuplicateKeyError:  # a pointer naming another model exists
                return False
            return bool(result.modified_count or result.upserted_id is not None)
        result = await self.meta.update_one({"_id": POINTER_ID, "active": expected}, update)
        return result.modified_count == 1

    async def collection_names(self) -> list[str]:
        """Every collection of the database (catalogue metadata, not a scan of records)."""
        return list(await self.db.list_collection_names())

    async def drop_model(self, prefix: str) -> None:
        for name in MODEL_COLLECTIONS:
            await self.db.drop_collection(prefix + name)
