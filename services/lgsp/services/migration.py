"""A one-off pass over records stored before the active set, buckets and lookup documents
existed: it builds them, then leaves a marker so that it never runs again.

This is the one place that reads whole collections of history, once per database at start;
every later step finds records by _id. Two replicas starting together both run it safely:
each write is an idempotent upsert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from services.lgsp.domain.deliveries import OPEN_STATES
from services.lgsp.repositories import (
    DeliveryRepository,
    DocumentRepository,
    EventRepository,
    IdempotencyRepository,
    PartnerRepository,
)
from services.lgsp.repositories.buckets import minute_key
from services.lgsp.repositories.deliveries import CREATED, FINISHED
from services.lgsp.repositories.documents import EVENTS
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.services.retention import mark_key
from shared.kit.clock import as_utc, utcnow
from shared.kit.types import Doc
from shared.logging import get_logger

MARKER = "migrated:active-set-v1"
KEYS_MARKER = "migrated:idempotency-expiry-v1"
CREATED_MARKER = "migrated:creation-buckets-v1"
PAGE = 1000
log = get_logger(__name__)


class Migration:
    def __init__(
        self,
        deliveries: DeliveryRepository,
        events: EventRepository,
        documents: DocumentRepository,
        partners: PartnerRepository,
        meta: MetaRepository,
        idempotency: IdempotencyRepository,
    ) -> None:
        self.deliveries = deliveries
        self.events = events
        self.documents = documents
        self.partners = partners
        self.meta = meta
        self.idempotency = idempotency

    async def run_once(self) -> bool:
        """True when a step ran now; False when earlier starts already did them all."""
        ran = False
        if await self.meta.get(MARKER) is None:
            await self._active_set()
            ran = True
        if await self.meta.get(KEYS_MARKER) is None:
            await self._idempotency_keys()
            ran = True
        if await self.meta.get(CREATED_MARKER) is None:
            await self._creation_buckets()
            ran = True
        return ran

    async def _creation_buckets(self) -> None:
        """Jobs stored before the administrators' list walked creation buckets."""
        earliest = utcnow()
        minute, ids, jobs = "", list[str](), 0
        async for job in self.deliveries.scan_history():  # oldest first: a minute at a time
            created = as_utc(job["created_at"])
            if minute_key(created) != minute:
                await self.deliveries.buckets.add_to(CREATED, minute, ids)
                minute, ids = minute_key(created), []
            ids.append(str(job["_id"]))
            earliest = min(earliest, created)
            jobs += 1
        await self.deliveries.buckets.add_to(CREATED, minute, ids)
        # An hour of slack: another replica's clock may be behind this one's.
        before = minute_key(earliest - dt.timedelta(hours=1))
        await self.meta.put_if_absent(mark_key(CREATED), {"through": before})
        await self.meta.put(CREATED_MARKER, {"at": utcnow(), "jobs": jobs})

    async def _idempotency_keys(self) -> None:
        """Idempotency keys kept before they expired through hourly buckets (a day's worth
        of partner creations at most: the earlier sweep deleted older ones)."""
        adopted = 0
        async for record in self.idempotency.unlisted():
            await self.idempotency.adopt(record)
            adopted += 1
        await self.meta.put(KEYS_MARKER, {"at": utcnow(), "keys": adopted})

    async def _active_set(self) -> None:
        started = utcnow()
        earliest = {FINISHED: started, EVENTS: started}
        jobs = 0
        page: list[Doc] = []
        async for job in self.deliveries.scan_history():
            page.append(job)
            if len(page) >= PAGE:
                jobs += await self._jobs(page, earliest)
                page = []
        jobs += await self._jobs(page, earliest)
        events = 0
        by_minute: dict[str, list[str]] = defaultdict(list)
        async for event in self.events.scan_times():
            by_minute[minute_key(event["time"])].append(str(event["_id"]))
            earliest[EVENTS] = min(earliest[EVENTS], as_utc(event["time"]))
            events += 1
        for key, ids in by_minute.items():
            await self.events.buckets.add_to(EVENTS, key, ids)
        for partner in await self.partners.all():
            await self.partners.ensure_code(partner)
        async for doc in self.documents.scan_with_notation():
            await self.documents.index(doc)
        for kind, first in earliest.items():
            before = minute_key(first - dt.timedelta(minutes=1))
            await self.meta.put_if_absent(mark_key(kind), {"through": before})
        await self.meta.put(MARKER, {"at": utcnow(), "jobs": jobs, "events": events})
        if jobs or events:
            log.info("lgsp.migrated", jobs=jobs, events=events)

    async def _jobs(self, page: list[Doc], earliest: dict[str, dt.datetime]) -> int:
        finished: dict[str, list[str]] = defaultdict(list)
        of_event: dict[str, list[str]] = defaultdict(list)
        for job in page:
            of_event[str(job["event_id"])].append(job["_id"])
            await self.deliveries.lookups.record(job)
            if job["state"] in OPEN_STATES:
                await self.deliveries.active.sync(job)
                continue
            at = as_utc(job.get("finished_at") or job["created_at"])
            finished[minute_key(at)].append(job["_id"])
            earliest[FINISHED] = min(earliest[FINISHED], at)
        for key, ids in finished.items():
            await self.deliveries.buckets.add_to(FINISHED, key, ids)
        for event_id, ids in of_event.items():
            await self.events.add_jobs(event_id, ids)
        return len(page)
