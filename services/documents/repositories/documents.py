"""The documents collection: the aggregate, its outbox and its pending audit entries; the
day buckets that listings of history walk and the open set that listings of documents not
yet issued read."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Sequence

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.documents.domain.open_documents import OPEN_ENTRY_FIELDS, OPEN_STATES
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
from services.documents.repositories.open_documents import OpenDocuments
from shared.kit.types import Doc


def day_of(document_id: str) -> str:
    """The UTC day a document was created, read from its time-ordered id."""
    try:
        millis = int(document_id[:12], 16)
        return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).strftime("%Y-%m-%d")
    except (ValueError, OverflowError, OSError):  # not one of our ids (a forged cursor)
        return dt.datetime.fromtimestamp(0, dt.UTC).strftime("%Y-%m-%d")


def id_after_day(day: str) -> str:
    """A listing cursor just after every id of the UTC ``day`` (ids start with the creation
    time in milliseconds, as 12 hex digits)."""
    next_day = dt.datetime.combine(
        dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )
    return f"{int(next_day.timestamp() * 1000):012x}"


class DocumentRepository(AggregateStore):
    def __init__(self, db: AsyncDatabase[Doc], *, lease_s: float = 15.0) -> None:
        super().__init__(db["documents"], lease_s=lease_s)
        self._days: AsyncCollection[Doc] = db["document_days"]
        self._earliest_known = False
        self.open_set = OpenDocuments(db)

    async def insert(self, doc: Doc, audit: Sequence[Doc] = ()) -> Doc | None:
        """A new document (listed in its day and, if open, in the open set first); None when
        a document with this ``_id`` exists already."""
        return await self._insert(
            doc, audit, self._list_in_day(str(doc["_id"])), self.open_set.sync(doc)
        )

    async def sync_open(self, doc: Doc) -> None:
        """Keep the open set in step with a write of the document (after every write, and in
        the sweep's follow-up); never moves an entry backwards."""
        await self.open_set.sync(doc)

    async def open_entries(self) -> list[Doc]:
        return await self.open_set.entries()

    async def drop_open_orphan(self, entry: Doc, older_than: dt.datetime) -> None:
        await self.open_set.drop_orphan(entry, older_than)

    async def not_issued(self) -> AsyncIterator[Doc]:
        """Every document in an open state, with the fields of its open entry: a scan of the
        whole collection that only the one-off migration runs."""
        query = {"state": {"$in": sorted(s.value for s in OPEN_STATES)}}
        projection = {field: 1 for field in (*OPEN_ENTRY_FIELDS, "return_reason")}
        async for doc in self.collection.find(query, projection=projection):
            yield doc

    async def _list_in_day(self, document_id: str) -> None:
        """The day bucket that listings walk; written before the document itself."""
        day = day_of(document_id)
        await self._days.update_one({"_id": day}, {"$addToSet": {"ids": document_id}}, upsert=True)
        if not self._earliest_known:
            with contextlib.suppress(DuplicateKeyError):
                await self._days.update_one(
                    {"_id": EARLIEST}, {"$setOnInsert": {"day": day}}, upsert=True
                )
            self._earliest_known = True

    async def walk_newest_first(
        self, accepts: Callable[[Doc], bool], before_id: str | None, limit: int
    ) -> tuple[list[Doc], str | None]:
        """Up to ``limit`` accepted documents older than ``before_id``, newest first, and the
        cursor to go on from (None at the end of history): ``day_walk`` over the days the
        documents were created, keyed by their time-ordered ids."""
        today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        return await walk_newest_first(
            DayBuckets(
                self._days, "ids", self.many, str, lambda doc: str(doc["_id"]), id_after_day
            ),
            accepts,
            before=before_id,
            first_day="",
            last_day=day_of(before_id) if before_id else today,
            limit=limit,
            limits=WalkLimits(MAX_EXAMINED, BATCH, DAYS_PER_READ, MAX_BUCKET_READS),
        )

    async def set_link(self, document_id: str, replaces_id: str) -> None:
        """Record the back-link on the replacing document (idempotent)."""
        await self.collection.update_one(
            {"_id": document_id, "replaces_id": {"$ne": replaces_id}},
            {"$set": {"replaces_id": replaces_id}, "$inc": {"version": 1}},
        )

    async def clear_link_pending(self, document_id: str) -> None:
        await self.collection.update_one({"_id": document_id}, {"$unset": {"link_pending": ""}})
