"""The administrators' list of delivery jobs, newest (or oldest) first, in bounded reads.

Open jobs (pending, retrying) come from the active set, the work in flight. Every other list
walks the minute buckets of the jobs' creation (``created`` in ``time_buckets``) from the
newest minute down (or the oldest up), reads the jobs they name by ``_id`` and keeps those
that match. A request reads at most ``MAX_BUCKET_READS`` × 1000 minutes and looks at most
``MAX_EXAMINED`` jobs, then hands back the position to go on from: a filter that matches
little costs a bounded amount per page, never a scan of the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.lgsp.domain.deliveries import (
    DeliveryFilter,
    ListOrder,
    ListPosition,
    creation_key,
    ids_after,
    may_be_of_partner,
)
from services.lgsp.repositories import DeliveryRepository
from services.lgsp.repositories.buckets import minute_key, minute_of
from services.lgsp.repositories.deliveries import CREATED
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.services.retention import mark_key
from shared.kit.clock import utcnow
from shared.kit.types import Doc

MINUTES_PER_READ = 1000
MAX_BUCKET_READS = 24  # about 16 days of minutes a request
MAX_EXAMINED = 2000  # jobs read by _id a request
JOBS_PER_READ = 200
# A creation time ahead of this replica's clock (another replica's) is still found.
CLOCK_LEAD = dt.timedelta(hours=1)
# Past the retention horizon the sweep has moved what it kept into its cutoff minute.
HORIZON_MARGIN = dt.timedelta(days=1)

Page = tuple[list[Doc], ListPosition | None]


def _minutes(start: str, end: str, order: ListOrder, count: int) -> list[str]:
    """Up to ``count`` minute keys from ``start`` towards ``end`` (both included)."""
    step = dt.timedelta(minutes=-1 if order is ListOrder.NEWEST else 1)
    at, last = minute_of(start), minute_of(end)
    out: list[str] = []
    while len(out) < count and (at >= last if order is ListOrder.NEWEST else at <= last):
        out.append(minute_key(at))
        at += step
    return out


class DeliveryListing:
    def __init__(
        self, deliveries: DeliveryRepository, meta: MetaRepository, horizon_s: float
    ) -> None:
        self.deliveries = deliveries
        self.meta = meta
        self.horizon = dt.timedelta(seconds=horizon_s) + HORIZON_MARGIN

    async def _oldest_minute(self, now: dt.datetime) -> str:
        """Where the creation buckets begin: the retention sweep's mark of them, which the
        first start of this version sets just before the oldest job (nothing is bucketed
        before it: what the sweep keeps moves to its cutoff's minute), else the horizon."""
        floor = minute_key(now - self.horizon)
        mark = await self.meta.get(mark_key(CREATED))
        if mark is None:
            return floor
        after_mark = minute_key(minute_of(str(mark["through"])) + dt.timedelta(minutes=1))
        return max(floor, after_mark)

    async def page(
        self,
        filters: DeliveryFilter,
        order: ListOrder,
        after: ListPosition | None,
        limit: int,
    ) -> Page:
        """A page of jobs and where the next one starts (None: nothing further)."""
        if filters.open_only():
            return await self._open(filters, order, after, limit)
        return await self._history(filters, order, after, limit)

    async def _open(
        self, filters: DeliveryFilter, order: ListOrder, after: ListPosition | None, limit: int
    ) -> Page:
        newest = order is ListOrder.NEWEST

        def key(job: Doc) -> tuple[str, str]:
            return (creation_key(job["created_at"]), str(job["_id"]))

        start = (after.key, after.job_id or "") if after else None
        jobs = sorted(
            (
                job
                for job in await self.deliveries.get_many(await self.deliveries.active.all_ids())
                if filters.matches(job)
                and (start is None or (key(job) < start if newest else key(job) > start))
            ),
            key=key,
            reverse=newest,
        )[:limit]
        more = len(jobs) == limit
        return jobs, ListPosition(*key(jobs[-1])) if more else None

    async def _history(
        self, filters: DeliveryFilter, order: ListOrder, after: ListPosition | None, limit: int
    ) -> Page:
        now = utcnow()
        newest, oldest = minute_key(now + CLOCK_LEAD), await self._oldest_minute(now)
        first, last = (newest, oldest) if order is ListOrder.NEWEST else (oldest, newest)
        start = after.key if after else first
        found: list[Doc] = []
        examined = 0
        for _ in range(MAX_BUCKET_READS):
            minutes = _minutes(start, last, order, MINUTES_PER_READ)
            if not minutes:
                return found, None
            buckets = await self.deliveries.created_in(minutes)
            for minute in minutes:
                skip = after.job_id if after and minute == after.key else None
                ids = [
                    i
                    for i in ids_after(buckets.get(minute, ()), order, skip)
                    if filters.partner_id is None or may_be_of_partner(i, filters.partner_id)
                ]
                for begin in range(0, len(ids), JOBS_PER_READ):
                    batch = ids[begin : begin + JOBS_PER_READ]
                    jobs = await self._jobs(batch)
                    examined += len(batch)
                    for delivery_id in batch:
                        job = jobs.get(delivery_id)
                        if job is not None and filters.matches(job):
                            found.append(job)
                            if len(found) == limit:
                                return found, ListPosition(minute, delivery_id)
                    if examined >= MAX_EXAMINED:
                        return found, ListPosition(minute, batch[-1])
            following = _minutes(minutes[-1], last, order, 2)[1:]
            if not following:
                return found, None
            start = following[0]
            after = None
        return found, ListPosition(start)

    async def _jobs(self, ids: Sequence[str]) -> dict[str, Doc]:
        return {job["_id"]: job for job in await self.deliveries.get_many(ids)}
