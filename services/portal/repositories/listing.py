"""Newest-first lists of pages without a scan: day buckets of sort keys, by facet value.

A bucket ``d|<facet>|<value>|<yyyy-mm-dd>`` holds the sort keys of the visible pages issued
that day with that facet value (``all`` holds every page); ``m|<facet>|<value>`` holds the
months that have buckets. A list walks months, then days, newest first, reading a few
buckets per query by ``_id``. Entries are added with ``$addToSet`` and removed with
``$pullAll``, so two replicas never lose each other's entries. The index may hold a stale
entry after a race: readers check every entry against its page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.index import (
    bucket_id,
    day_of,
    days_newest_first,
    directory_id,
    facet_pairs,
    issuer_entry,
    month_of,
)
from services.portal.repositories.bulk import bulk_update
from services.portal.repositories.model import ModelCollections, as_model
from shared.kit.types import Doc

Pair = tuple[str, str]
FACETS_ID = "facets"
DAYS_PER_READ = 8
MAX_READS = 48


def entry_updates(page: Doc) -> list[UpdateOne]:
    """The upserts that list a visible page in its buckets and the facet values."""
    key = str(page["sort_key"])
    ops = []
    for facet, value in facet_pairs(page):
        bucket, directory = bucket_id(facet, value, day_of(key)), directory_id(facet, value)
        ops.append(UpdateOne({"_id": bucket}, {"$addToSet": {"e": key}}, upsert=True))
        ops.append(UpdateOne({"_id": directory}, {"$addToSet": {"m": month_of(key)}}, upsert=True))
    values: Doc = {"types": page["doc_type"], "years": page["year"]}
    if page.get("field"):
        values["fields"] = page["field"]
    if (page.get("issuer") or {}).get("code"):
        values["issuers"] = page["issuer"]["code"]
        values["issuer_names"] = issuer_entry(page["issuer"])
    ops.append(UpdateOne({"_id": FACETS_ID}, {"$addToSet": values}, upsert=True))
    return ops


class Walk:
    """Batches of sort keys, newest first, in every bucket of ``pairs`` (an AND), below
    ``before`` and inside the day range. Stops after ``MAX_READS`` queries; ``resume`` is
    then the position to continue from."""

    def __init__(
        self,
        listing: ListingRepository,
        pairs: Sequence[Pair],
        *,
        before: str | None,
        day_from: str | None,
        day_to: str | None,
    ) -> None:
        self._listing = listing
        self._pairs = list(dict.fromkeys(pairs)) or [("all", "")]
        self._before = before
        self._low = day_from
        self._high = min(filter(None, [day_to, day_of(before) if before else None]), default=None)
        self.resume: str | None = None

    def _days(self, month: str) -> list[str]:
        return [
            d
            for d in days_newest_first(month)
            if (self._high is None or d <= self._high) and (self._low is None or d >= self._low)
        ]

    async def __aiter__(self) -> AsyncIterator[list[str]]:
        months = await self._listing.common_months(self._pairs)
        reads = 0
        for month in months:
            if (self._high and month > self._high[:7]) or (self._low and month < self._low[:7]):
                continue
            days = self._days(month)
            for start in range(0, len(days), DAYS_PER_READ):
                chunk = days[start : start + DAYS_PER_READ]
                if reads >= MAX_READS:
                    self.resume = f"{chunk[0]}|~"  # every key of that day sorts below it
                    return
                reads += 1
                keys = await self._listing.keys_of_days(self._pairs, chunk)
                if self._before is not None:
                    keys = [k for k in keys if k < self._before]
                if keys:
                    yield keys


class ListingRepository:
    def __init__(self, db: AsyncDatabase[Doc] | ModelCollections) -> None:
        self._model = as_model(db)

    @property
    def collection(self) -> AsyncCollection[Doc]:
        return self._model["page_index"]

    async def add(self, page: Doc) -> None:
        await bulk_update(self.collection, entry_updates(page))

    async def replace(self, before: Doc | None, page: Doc) -> None:
        """List ``page``, then unlist what ``before`` (its previous version) had and it has not."""
        await self.add(page)
        if before is None or not before.get("visible") or not before.get("sort_key"):
            return
        old = str(before["sort_key"])
        kept = {bucket_id(f, v, day_of(old)) for f, v in facet_pairs(page)}
        if old != page["sort_key"]:
            kept = set()
        ops = [
            UpdateOne({"_id": bucket}, {"$pullAll": {"e": [old]}})
            for bucket in (bucket_id(f, v, day_of(old)) for f, v in facet_pairs(before))
            if bucket not in kept
        ]
        if ops:
            await bulk_update(self.collection, ops)

    async def remove(self, page: Doc) -> None:
        """Unlist a page that is no longer visible (its day buckets keep their other entries)."""
        if not page.get("sort_key"):
            return
        key = str(page["sort_key"])
        ops = [
            UpdateOne({"_id": bucket_id(f, v, day_of(key))}, {"$pullAll": {"e": [key]}})
            for f, v in facet_pairs(page)
        ]
        await bulk_update(self.collection, ops)

    def walk(
        self,
        pairs: Sequence[Pair],
        *,
        before: str | None = None,
        day_from: str | None = None,
        day_to: str | None = None,
    ) -> Walk:
        return Walk(self, pairs, before=before, day_from=day_from, day_to=day_to)

    async def common_months(self, pairs: Sequence[Pair]) -> list[str]:
        """Months in which every one of ``pairs`` has a bucket, newest first."""
        ids = [directory_id(f, v) for f, v in pairs]
        cursor = self.collection.find({"_id": {"$in": ids}})
        found = {d["_id"]: set(d.get("m", [])) async for d in cursor}
        if len(found) < len(set(ids)):
            return []
        months = set.intersection(*found.values())
        return sorted(months, reverse=True)

    async def keys_of_days(self, pairs: Sequence[Pair], days: Sequence[str]) -> list[str]:
        """Sort keys present in the buckets of every pair, for these days, newest first."""
        ids = {bucket_id(f, v, d): (f, v) for d in days for f, v in pairs}
        sets: dict[Pair, set[str]] = {pair: set() for pair in pairs}
        async for doc in self.collection.find({"_id": {"$in": list(ids)}}):
            sets[ids[doc["_id"]]].update(doc.get("e", []))
        common = set.intersection(*sets.values()) if sets else set()
        return sorted(common, reverse=True)

    async def month_keys(self, month: str, limit: int) -> list[str]:
        """Every sort key of one month (the sitemap of that month), newest first."""
        return (await self.keys_of_days([("all", "")], days_newest_first(month)))[:limit]

    async def facet_values(self) -> Doc:
        return await self.collection.find_one({"_id": FACETS_ID}) or {}
