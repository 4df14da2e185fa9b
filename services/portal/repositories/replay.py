"""Bulk writes into a fresh read model while a rebuild fills it (nobody else writes there
until the pointer names it, so pages are inserted or replaced whole, and every index record
is written once, at the end, from the index built in memory)."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ReplaceOne

from services.portal.domain.index_records import IndexRecords
from services.portal.repositories.index_writes import write_index
from services.portal.repositories.model import ModelCollections
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

    async def save_pages(self, new: Sequence[Doc], changed: Sequence[Doc]) -> None:
        """Insert pages seen for the first time; replace whole the ones written before."""
        if new:
            await self.model["pages"].insert_many(list(new), ordered=False)
        if changed:
            ops = [ReplaceOne({"_id": p["_id"]}, p) for p in changed]
            await self.model["pages"].bulk_write(ops, ordered=False)

    async def write_index(
        self, index: IndexRecords, slugs: dict[str, str], unchecked: dict[str, int]
    ) -> None:
        """Every index record, the slugs claimed (slug → page) and, for the worker of
        whichever process serves this model, the signatures still to check (page → version)."""
        await write_index(
            self.model,
            index,
            ({"_id": slug, "document_id": page} for slug, page in slugs.items()),
            also=[
                (
                    "signature_pending",
                    (
                        {"_id": page_id, "version": version, "lease_until": EPOCH}
                        for page_id, version in sorted(unchecked.items())
                    ),
                ),
            ],
        )
