"""Time buckets: which ids fell into each minute, so a sweep can delete old records by _id.

The store answers only lookups by _id cheaply; a sweep therefore never asks "what is older
than X" but walks the minute buckets since its last run and deletes the ids they name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.clock import as_utc
from shared.kit.types import Doc

KEY_FORMAT = "%Y%m%d%H%M"


def minute_key(at: dt.datetime) -> str:
    return as_utc(at).strftime(KEY_FORMAT)


def minute_of(key: str) -> dt.datetime:
    return dt.datetime.strptime(key, KEY_FORMAT).replace(tzinfo=dt.UTC)


def minutes_between(after: str, before: str, limit: int) -> list[str]:
    """Keys strictly after ``after`` and strictly before ``before``, at most ``limit``."""
    out: list[str] = []
    at = minute_of(after) + dt.timedelta(minutes=1)
    end = minute_of(before)
    while at < end and len(out) < limit:
        out.append(minute_key(at))
        at += dt.timedelta(minutes=1)
    return out


class BucketRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["time_buckets"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    async def add(self, kind: str, at: dt.datetime, ids: Iterable[str]) -> None:
        await self.add_to(kind, minute_key(at), ids)

    async def add_to(self, kind: str, key: str, ids: Iterable[str]) -> None:
        values = sorted(set(ids))
        if values:
            await self.collection.update_one(
                {"_id": f"{kind}:{key}"}, {"$addToSet": {"ids": {"$each": values}}}, upsert=True
            )

    async def remove_from(self, kind: str, key: str, ids: Iterable[str]) -> None:
        values = sorted(set(ids))
        if values:
            await self.collection.update_one(
                {"_id": f"{kind}:{key}"}, {"$pullAll": {"ids": values}}
            )  # not $pull with $in: the embedded store leaves the array as it is

    async def load(self, kind: str, keys: Sequence[str]) -> dict[str, list[str]]:
        """The ids of these buckets (at most 1000 keys), by key; missing buckets are left out."""
        if not keys:
            return {}
        cursor = self.collection.find({"_id": {"$in": [f"{kind}:{k}" for k in keys]}})
        return {str(d["_id"]).split(":", 1)[1]: list(d.get("ids") or []) async for d in cursor}

    async def delete(self, kind: str, keys: Sequence[str]) -> None:
        if keys:
            await self.collection.delete_many({"_id": {"$in": [f"{kind}:{k}" for k in keys]}})
