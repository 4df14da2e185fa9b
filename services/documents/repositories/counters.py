"""Register counters: one document per issuer, book and year, with its open reservations.

A reservation {number, document_id} is recorded in the same atomic update that advances the
counter, so a crash can never lose a number: recovery completes every reservation left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.types import Doc


def entry_id(counter_id: str, number: int) -> str:
    return f"{counter_id}:{number}"


class NoLongerIssuing(Exception):
    """The document was numbered meanwhile (by another replica or by recovery)."""


class CounterRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["counters"]
        self._entries: AsyncCollection[Doc] = db["register_entries"]
        # The last number this process saw per counter: the compare-and-set proves it still
        # holds, so the usual reservation needs no read of the counter first.
        self._last_seen: dict[str, int] = {}

    async def ensure(self, counter_id: str, first_number: int) -> None:
        # DuplicateKeyError: another replica created it first, which is just as good.
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.update_one(
                {"_id": counter_id},
                {"$setOnInsert": {"last": first_number - 1, "reservations": []}},
                upsert=True,
            )

    async def reserve(
        self, counter_id: str, document_id: str, still_issuing: Callable[[], Awaitable[bool]]
    ) -> Doc:
        """The next number for ``document_id`` (or the one it already holds).

        ``still_issuing`` is asked after the counter is read: a reservation of this document
        that was already cleared means the document was numbered before that read, so the
        check fails and the document never takes a second number. The compare-and-set on
        ``last`` catches any reservation made after the read.
        """
        while True:
            last = self._last_seen.get(counter_id)
            if last is None:
                counter = await self.collection.find_one({"_id": counter_id})
                if counter is None:
                    raise LookupError(counter_id)
                for item in counter.get("reservations", []):
                    if item.get("document_id") == document_id:
                        return dict(item)
                last = int(counter["last"])
            if not await still_issuing():
                raise NoLongerIssuing(document_id)
            number = last + 1
            now = dt.datetime.now(dt.UTC)
            # Millisecond precision, as stored: $pullAll later needs the exact element.
            item = {
                "number": number,
                "document_id": document_id,
                "at": now.replace(microsecond=now.microsecond // 1000 * 1000),
            }
            # Compare-and-set on the counter: the increment and the reservation are one write.
            won = await self.collection.find_one_and_update(
                {
                    "_id": counter_id,
                    "last": last,
                    "reservations.document_id": {"$ne": document_id},
                },
                {"$set": {"last": number}, "$push": {"reservations": item}},
                return_document=ReturnDocument.AFTER,
            )
            if won is not None:
                self._last_seen[counter_id] = number
                return item
            # Another replica moved the counter (or this document holds a reservation):
            # read it again.
            self._last_seen.pop(counter_id, None)

    async def clear(self, counter_id: str, reservation: Doc) -> None:
        """Write the register entry, then drop the reservation (both idempotent)."""
        with contextlib.suppress(DuplicateKeyError):
            await self._entries.insert_one(
                {
                    "_id": entry_id(counter_id, int(reservation["number"])),
                    "document_id": reservation["document_id"],
                }
            )
        await self.collection.update_one(
            {"_id": counter_id},
            {"$pullAll": {"reservations": [reservation]}},
        )

    async def with_reservations(self) -> list[Doc]:
        cursor = self.collection.find({"reservations.0": {"$exists": True}})
        return [doc async for doc in cursor]

    async def get(self, counter_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": counter_id})

    async def entries(self, counter_id: str, after: int, limit: int) -> list[Doc]:
        """Register entries numbered after ``after``, in number order, found by ``_id``.

        Numbers are gapless, so the next ``limit`` numbers name the next entries; a number
        whose reservation is still open has no entry yet and ends the page.
        """
        ids = [entry_id(counter_id, n) for n in range(after + 1, after + 1 + limit)]
        found = {d["_id"]: d async for d in self._entries.find({"_id": {"$in": ids}})}
        page: list[Doc] = []
        for one in ids:
            if one not in found:
                break
            page.append(found[one])
        return page
