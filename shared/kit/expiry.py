"""Expiry without TTL indexes and without scanning: records remembered in hourly buckets.

Each expiring record is also listed, with its time, in a bucket document keyed by the hour it
was made (``2026-11-26T13``). A sweep reads the bucket collection — one small document per
hour of the retention window, since emptied buckets are deleted — and deletes the records
older than the cutoff by ``_id``. Nothing reads the records' own collection to find them.
"""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.collection import AsyncCollection

from shared.kit.types import Doc

HOUR_FORMAT = "%Y-%m-%dT%H"
DELETE_BATCH = 1000


def hour_of(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime(HOUR_FORMAT)


class HourlyExpiry:
    def __init__(self, records: AsyncCollection[Doc]) -> None:
        self._records = records
        self._buckets = records.database[records.name + "_expiry"]

    async def remember(self, record_id: str, at: dt.datetime) -> None:
        """List ``record_id`` under its hour; call it before writing the record."""
        entry = {"id": record_id, "at": at}
        await self._buckets.update_one(
            {"_id": hour_of(at)}, {"$push": {"entries": entry}}, upsert=True
        )

    async def expire(self, older_than: dt.datetime) -> int:
        """Delete the records made before ``older_than``; returns how many were deleted."""
        deleted = 0
        limit = hour_of(older_than)
        for bucket in await self._buckets.find({}).to_list():
            if str(bucket["_id"]) > limit:
                continue
            entries: list[Doc] = list(bucket.get("entries", []))
            due = [e for e in entries if _aware(e["at"]) < older_than]
            ids = [str(e["id"]) for e in due]
            for start in range(0, len(ids), DELETE_BATCH):
                batch = ids[start : start + DELETE_BATCH]
                result = await self._records.delete_many({"_id": {"$in": batch}})
                deleted += result.deleted_count
            if len(due) == len(entries):
                # Only if nothing was added meanwhile: a new entry keeps the bucket.
                await self._buckets.delete_one(
                    {"_id": bucket["_id"], "entries": {"$size": len(entries)}}
                )
            elif due:
                await self._buckets.update_one(
                    {"_id": bucket["_id"]}, {"$pullAll": {"entries": due}}
                )
        return deleted


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
