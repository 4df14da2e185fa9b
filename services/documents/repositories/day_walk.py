"""The walk of day buckets that listings of history share (outgoing and incoming documents).

Each day bucket (``_id`` = the day) lists the keys of the documents of that day; keys sort
newest last. A walk reads buckets by ``_id`` (``days_per_read`` days a read), then documents by
``_id $in``, newest first, and stops after examining ``max_examined`` documents or reading
``max_bucket_reads`` times, handing back where to go on from: its cost never depends on how
much history is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pymongo.asynchronous.collection import AsyncCollection

from shared.kit.types import Doc

EARLIEST = "earliest"  # the bucket naming the first day that has documents: the walk's end
# A request looks at this many documents and this many days a read at most, then hands back
# a cursor (tests lower them through the repository modules that pass them in).
MAX_EXAMINED = 2000
DAYS_PER_READ = 31
MAX_BUCKET_READS = 12  # a year of day buckets per request at most


@dataclass(frozen=True)
class WalkLimits:
    max_examined: int
    batch: int  # keys per `_id $in` read of documents
    days_per_read: int
    max_bucket_reads: int


@dataclass(frozen=True)
class DayBuckets:
    """How one kind of document is listed in its day buckets."""

    days: AsyncCollection[Doc]
    field: str  # the bucket's list of keys
    read: Callable[[list[str]], Awaitable[list[Doc]]]  # documents by id
    id_of: Callable[[str], str]  # a key -> its document's id
    key_of: Callable[[Doc], str]  # a document -> its key (the cursor after it)
    resume_after: Callable[[str], str]  # a day -> a cursor just after every key of it


def days_before(day: str, count: int) -> list[str]:
    start = dt.date.fromisoformat(day)
    return [(start - dt.timedelta(days=n)).isoformat() for n in range(count)]


async def walk_newest_first(
    buckets: DayBuckets,
    accepts: Callable[[Doc], bool],
    *,
    before: str | None,
    first_day: str,
    last_day: str,
    limit: int,
    limits: WalkLimits,
) -> tuple[list[Doc], str | None]:
    """Up to ``limit`` accepted documents with keys below ``before``, from ``last_day`` back to
    ``first_day``, newest first, and the cursor to go on from (None at the end of history)."""
    earliest_doc = await buckets.days.find_one({"_id": EARLIEST})
    if earliest_doc is None:
        return [], None
    stop = max(first_day, str(earliest_doc["day"]))
    day = last_day
    found: list[Doc] = []
    examined = reads = 0
    while day >= stop:
        if reads == limits.max_bucket_reads:
            # Sparse history: a filter that matches little must not walk back for years.
            return found, buckets.resume_after(day)
        reads += 1
        days = [d for d in days_before(day, limits.days_per_read) if d >= stop]
        stored = {b["_id"]: b async for b in buckets.days.find({"_id": {"$in": days}})}
        for one in days:
            keys = sorted(stored.get(one, {}).get(buckets.field, []), reverse=True)
            keys = [k for k in keys if before is None or k < before]
            for start in range(0, len(keys), limits.batch):
                chunk = keys[start : start + limits.batch]
                by_id = {
                    str(d["_id"]): d for d in await buckets.read([buckets.id_of(k) for k in chunk])
                }
                for key in chunk:
                    examined += 1
                    doc = by_id.get(buckets.id_of(key))
                    if doc is not None and accepts(doc):
                        found.append(doc)
                        if len(found) > limit:  # one more than asked: a page follows
                            return found[:limit], buckets.key_of(found[limit - 1])
                    if examined >= limits.max_examined:
                        return found, key
        day = (dt.date.fromisoformat(days[-1]) - dt.timedelta(days=1)).isoformat()
    return found, None
