"""Bulk writes into a fresh read model while a rebuild fills it (nobody else writes there
until the pointer names it, so whole pages are replaced and index records inserted)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pymongo import ReplaceOne, UpdateOne

from services.portal.repositories.bulk import bulk_update
from services.portal.repositories.model import ModelCollections
from services.portal.repositories.preload import IndexBuilder, write_index
from services.portal.repositories.work import EPOCH
from shared.kit.types import Doc

IN_LIMIT = 1000


class FreshModelRepository:
    def __init__(self, model: ModelCollections) -> None:
        self.model = model

    async def pages(self, ids: Sequence[str]) -> dict[str, Doc]:
        """Whole pages by id (``_id $in`` of at most 1,000 at a time)."""
        found: dict[str, Doc] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), IN_LIMIT):
            chunk = unique[start : start + IN_LIMIT]
            found.update(
                {str(d["_id"]): d async for d in self.model["pages"].find({"_id": {"$in": chunk}})}
            )
        return found

    async def save_pages(self, new: list[Doc], changed: Iterable[Doc]) -> None:
        """Insert pages seen for the first time; replace whole the ones written before."""
        if new:
            await self.model["pages"].insert_many(new, ordered=False)
        ops = [ReplaceOne({"_id": p["_id"]}, p) for p in changed]
        if ops:
            await self.model["pages"].bulk_write(ops, ordered=False)

    async def set_signature_statuses(self, statuses: Sequence[tuple[str, int, str]]) -> None:
        ops = [
            UpdateOne({"_id": page_id, "version": version}, {"$set": {"signature_status": status}})
            for page_id, version, status in statuses
        ]
        if ops:
            await bulk_update(self.model["pages"], ops)

    async def queue(self, name: str, work: Sequence[tuple[str, int]]) -> None:
        """Leave work for the worker of whichever process serves this model (each page once:
        the pages are read back in disjoint chunks)."""
        records = [
            {"_id": page_id, "version": version, "lease_until": EPOCH} for page_id, version in work
        ]
        if records:
            await self.model[name].insert_many(records, ordered=False)

    async def save_search_pages(self, records: list[Doc]) -> None:
        if records:
            await self.model["search_pages"].insert_many(records, ordered=False)

    async def write_index(self, index: IndexBuilder) -> None:
        await write_index(self.model, index, with_search_pages=False)
