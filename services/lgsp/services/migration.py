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
    PartnerRepository,
)
from services.lgsp.repositories.buckets import minute_key
from services.lgsp.repositories.common import Doc, now
from services.lgsp.repositories.deliveries import FINISHED
from services.lgsp.repositories.documents import EVENTS
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.services.retention import mark_key
from shared.logging import get_logger

MARKER = "migrated:active-set-v1"
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
    ) -> None:
        self.deliveries = deliveries
        self.events = events
        self.documents = documents
        self.partners = partners
        self.meta = meta

    async def run_once(self) -> bool:
        """True when it ran now; False when an earlier start already did it."""
        if await self.meta.get(MARKER) is not None:
            return False
        started = now()
        earliest = {FINISHED: started, EVENTS: started}
        jobs = 0
        page: list[Doc] = []
        async for job in self.deliveries.collection.find({}).sort("created_at", 1):
            page.append(job)
            if len(page) >= PAGE:
                jobs += await self._jobs(page, earliest)
                page = []
        jobs += await self._jobs(page, earliest)
        events = 0
        by_minute: dict[str, list[str]] = defaultdict(list)
        async for event in self.events.collection.find({}, projection={"time": 1}):
            by_minute[minute_key(event["time"])].append(str(event["_id"]))
            earliest[EVENTS] = min(earliest[EVENTS], _utc(event["time"]))
            events += 1
        for key, ids in by_minute.items():
            await self.events.buckets.add_to(EVENTS, key, ids)
        for partner in await self.partners.all():
            await self.partners.ensure_code(partner)
        async for doc in self.documents.collection.find({"notation": {"$exists": True}}):
            await self.documents.index(doc)
        for kind, first in earliest.items():
            before = minute_key(first - dt.timedelta(minutes=1))
            await self.meta.put_if_absent(mark_key(kind), {"through": before})
        await self.meta.put(MARKER, {"at": now(), "jobs": jobs, "events": events})
        if jobs or events:
            log.info("lgsp.migrated", jobs=jobs, events=events)
        return True

    async def _jobs(self, page: list[Doc], earliest: dict[str, dt.datetime]) -> int:
        finished: dict[str, list[str]] = defaultdict(list)
        of_event: dict[str, list[str]] = defaultdict(list)
        for job in page:
            of_event[str(job["event_id"])].append(job["_id"])
            await self.deliveries.lookups.record(job)
            if job["state"] in OPEN_STATES:
                await self.deliveries.active.sync(job)
                continue
            at = _utc(job.get("finished_at") or job["created_at"])
            finished[minute_key(at)].append(job["_id"])
            earliest[FINISHED] = min(earliest[FINISHED], at)
        for key, ids in finished.items():
            await self.deliveries.buckets.add_to(FINISHED, key, ids)
        for event_id, ids in of_event.items():
            await self.events.add_jobs(event_id, ids)
        return len(page)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
