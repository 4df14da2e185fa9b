"""Register counters: one document per issuer, book and year, with its open reservations.

A reservation {number, document_id} is recorded in the same atomic update that advances the
counter, so a crash can never lose a number: recovery completes every reservation left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Doc = dict[str, Any]


class NoLongerIssuing(Exception):
    """The document was numbered meanwhile (by another replica or by recovery)."""


class CounterRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["counters"]

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
            counter = await self.collection.find_one({"_id": counter_id})
            if counter is None:
                raise LookupError(counter_id)
            for item in counter.get("reservations", []):
                if item.get("document_id") == document_id:
                    return dict(item)
            if not await still_issuing():
                raise NoLongerIssuing(document_id)
            number = int(counter["last"]) + 1
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
                    "last": counter["last"],
                    "reservations.document_id": {"$ne": document_id},
                },
                {"$set": {"last": number}, "$push": {"reservations": item}},
                return_document=ReturnDocument.AFTER,
            )
            if won is not None:
                return item

    async def clear(self, counter_id: str, reservation: Doc) -> None:
        await self.collection.update_one(
            {"_id": counter_id},
            {"$pullAll": {"reservations": [reservation]}},
        )

    async def with_reservations(self) -> list[Doc]:
        cursor = self.collection.find({"reservations.0": {"$exists": True}})
        return [doc async for doc in cursor]

    async def get(self, counter_id: str) -> Doc | None:
        return await self.collection.find_one({"_id": counter_id})
