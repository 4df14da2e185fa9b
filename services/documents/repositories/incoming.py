"""Incoming documents: the aggregate (with its outbox and pending audit entries), the open
set that listings of work in flight read, and the day buckets that listings of history walk.

Everything is found by ``_id``; the only scan is of ``incoming_open``, which holds the
documents not yet closed (its size is the work in flight, not the history).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.documents.domain.incoming import is_open
from services.documents.domain.incoming_listing import (
    after_day,
    closed_sort_key,
    day_key,
    open_entry,
)
from services.documents.repositories.aggregates import BATCH, AggregateStore
from services.documents.repositories.day_walk import (
    DAYS_PER_READ,
    EARLIEST,
    MAX_BUCKET_READS,
    MAX_EXAMINED,
    DayBuckets,
    WalkLimits,
    walk_newest_first,
)
from shared.kit.types import Doc


class IncomingRepository(AggregateStore):
    def __init__(self, db: AsyncDatabase[Doc], *, lease_s: float = 15.0) -> None:
        super().__init__(db["incoming"], lease_s=lease_s)
        self._open: AsyncCollection[Doc] = db["incoming_open"]
        self._days: AsyncCollection[Doc] = db["incoming_days"]

    async def insert(self, doc: Doc, audit: Sequence[Doc], sort_key: str) -> Doc | None:
        """A new document (listed in its day and the open set first); None when one with
        this ``_id`` exists already."""
        return await self._insert(
            doc,
            audit,
            self._list_in_day(day_key(doc["received_at"]), sort_key),
            self.sync_open(doc),
        )

    async def _list_in_day(self, day: str, sort_key: str) -> None:
        await self._days.update_one({"_id": day}, {"$addToSet": {"keys": sort_key}}, upsert=True)
        # Only ever earlier (arrivals may be consumed out of order): the walk stops there.
        with contextlib.suppress(DuplicateKeyError):
            await self._days.update_one(
                {"_id": EARLIEST, "day": {"$gt": day}}, {"$set": {"day": day}}, upsert=True
            )

    async def sync_open(self, doc: Doc) -> None:
        """Keep the open set in step with the document; never moves an entry backwards."""
        inbound_id, version = str(doc["_id"]), int(doc["version"])
        if is_open(doc):
            # An entry of this version or newer exists already: the upsert collides, fine.
            with contextlib.suppress(DuplicateKeyError):
                await self._open.update_one(
                    {"_id": inbound_id, "version": {"$lt": version}},
                    {"$set": open_entry(doc)},
                    upsert=True,
                )
        else:
            await self._open.delete_one({"_id": inbound_id, "version": {"$lte": version}})

    async def open_entries(self) -> list[Doc]:
        """The whole open set: the documents not yet closed (work in flight)."""
        return [entry async for entry in self._open.find({})]

    async def walk_history(
        self,
        accepts: Callable[[Doc], bool],
        *,
        before: str | None,
        first_day: str,
        last_day: str,
        limit: int,
    ) -> tuple[list[Doc], str | None]:
        """Up to ``limit`` accepted documents that arrived before the sort key ``before``,
        between ``first_day`` and ``last_day``, newest first, and the key to go on from:
        ``day_walk`` over the days they arrived, keyed by ``closed_sort_key``."""
        return await walk_newest_first(
            DayBuckets(
                self._days,
                "keys",
                self.many,
                lambda key: key.split("|", 1)[1],
                closed_sort_key,
                after_day,
            ),
            accepts,
            before=before,
            first_day=first_day,
            last_day=last_day,
            limit=limit,
            limits=WalkLimits(MAX_EXAMINED, BATCH, DAYS_PER_READ, MAX_BUCKET_READS),
        )
