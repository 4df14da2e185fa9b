"""Bulk writes into a fresh read model while a rebuild fills it (nobody else writes there
until the pointer names it, so records are inserted or replaced whole): pages and the
records of one page each batch by batch, every other index record once, at the end, from
the index built in memory."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import DeleteOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection

from services.portal.domain.index_records import Changes, Indexed
from services.portal.repositories.bulk import insert_new
from services.portal.repositories.index_writes import one_page_records, write_index
from services.portal.repositories.model import ModelCollections
from services.portal.repositories.work import EPOCH
from shared.kit.types import Doc

IN_LIMIT = 1000


class FreshModelRepository:
    def __init__(self, model: ModelCollections) -> None:
        self.model = model
        self._written: set[str] = set()  # pages whose one-page records are stored

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
        await self._save(self.model["pages"], new, changed, [])

    async def save_batch(
        self,
        new: Sequence[Doc],
        changed: Sequence[Doc],
        indexed: dict[str, Indexed | None],
        slugs: Sequence[Doc],
    ) -> None:
        """A batch's pages, then the records of one page each that it changed (what each
        is indexed under, its search record) and the slugs it claimed: written while the
        replay goes on, so the store does not wait for them at the end."""
        written = self._written
        writes = []
        for name, records in one_page_records(indexed).items():
            first = [{"_id": i, **r} for i, r in records.items() if r and i not in written]
            again = [{"_id": i, **r} for i, r in records.items() if r and i in written]
            gone = [i for i, r in records.items() if r is None and i in written]
            writes.append((self.model[name], first, again, gone))
        # Decided before the first await, so the next batch's writes see these as stored.
        written.update(i for i, e in indexed.items() if e is not None)
        written.difference_update(i for i, e in indexed.items() if e is None)
        await self.save_pages(new, changed)
        for collection, first, again, gone in writes:
            await self._save(collection, first, again, gone)
        await insert_new(self.model["page_slugs"], slugs)

    @staticmethod
    async def _save(
        collection: AsyncCollection[Doc],
        new: Sequence[Doc],
        changed: Sequence[Doc],
        gone: Sequence[str],
    ) -> None:
        if new:
            await collection.insert_many(list(new), ordered=False)
        ops: list[ReplaceOne[Doc] | DeleteOne] = [ReplaceOne({"_id": d["_id"]}, d) for d in changed]
        ops += [DeleteOne({"_id": i}) for i in gone]
        if ops:
            await collection.bulk_write(ops, ordered=False)

    async def write_index(
        self, changes: Changes, slugs: Sequence[Doc], unchecked: dict[str, int]
    ) -> None:
        """Every index record not written yet, the slugs claimed last and, for the worker
        of whichever process serves this model, the signatures still to check (page →
        version)."""
        await write_index(
            self.model,
            changes,
            slugs,
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
