"""Pending markers: which aggregates of a collection may still have work left.

Sweeps must not read an aggregate collection's history to find the few aggregates with
unpublished events or unfinished follow-ups. So every outbox write first records a small
marker ``{_id: aggregate id, at}`` in ``<collection>_pending``; a sweeper reads only that
collection (its size is bounded by recent writes, not by history), looks each aggregate up
by ``_id``, finishes what is left and deletes the marker once the aggregate is clean.

The marker is written *before* the aggregate's update, so whatever the update leaves behind
is always covered. It is deleted only when it is older than a settle time and unchanged
since it was read, so a marker whose writer has not yet written the aggregate survives.
"""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.collection import AsyncCollection

from shared.kit.types import Doc

SUFFIX = "_pending"
# A sweep looks at this many markers at most; the rest wait for the next round.
BATCH = 500


def _now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def markers_of(collection: AsyncCollection[Doc]) -> AsyncCollection[Doc]:
    return collection.database[collection.name + SUFFIX]


async def mark(collection: AsyncCollection[Doc], aggregate_id: str) -> None:
    """Record that ``aggregate_id`` is about to be written (an upsert by ``_id``)."""
    await markers_of(collection).update_one(
        {"_id": aggregate_id}, {"$set": {"at": _now()}}, upsert=True
    )


async def read(collection: AsyncCollection[Doc]) -> list[Doc]:
    """The markers (a small collection: recent writes and unfinished work), at most 2,000."""
    return await markers_of(collection).find({}).limit(BATCH * 4).to_list()


def settled_of(markers: list[Doc], older_than_s: float) -> list[Doc]:
    """Of ``markers``, those not touched for ``older_than_s`` seconds, oldest first."""
    cutoff = _now() - dt.timedelta(seconds=older_than_s)
    old = [m for m in markers if m["at"].replace(tzinfo=dt.UTC) <= cutoff]
    old.sort(key=lambda m: m["at"])
    return old[:BATCH]


def oldest_age_s(markers: list[Doc]) -> float:
    """Seconds since the oldest of ``markers`` was written (0 when there is none)."""
    if not markers:
        return 0.0
    oldest: dt.datetime = min(m["at"].replace(tzinfo=dt.UTC) for m in markers)
    return max(0.0, (_now() - oldest).total_seconds())


async def settled(collection: AsyncCollection[Doc], older_than_s: float) -> list[Doc]:
    """Markers not touched for ``older_than_s`` seconds, oldest first (a small collection)."""
    return settled_of(await read(collection), older_than_s)


async def count(collection: AsyncCollection[Doc]) -> int:
    return await markers_of(collection).count_documents({})


async def clear(collection: AsyncCollection[Doc], marker: Doc) -> bool:
    """Delete the marker unless it was touched again since it was read."""
    result = await markers_of(collection).delete_one({"_id": marker["_id"], "at": marker["at"]})
    return bool(result.deleted_count)
