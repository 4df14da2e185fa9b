"""The retention sweep (FerretDB has no TTL indexes): old finished records are deleted.

Jobs and events are found through their minute buckets (``repositories.buckets``): each run
walks the minutes since the last run up to the cutoff and deletes the ids they name, so its
cost is the records that expire, never the history. Every replica may run it: each step is
an idempotent delete guarded by its own condition and the mark only moves forward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from services.lgsp.domain.deliveries import retention_horizon_s
from services.lgsp.repositories import (
    ApiKeyRepository,
    DeliveryRepository,
    EventRepository,
    IdempotencyRepository,
    PartnerRepository,
)
from services.lgsp.repositories.buckets import minute_key, minutes_between
from services.lgsp.repositories.deliveries import CREATED, FINISHED
from services.lgsp.repositories.documents import EVENTS
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.services.message_log import MessageLog
from services.lgsp.settings import Settings
from shared.background import BackgroundLoop
from shared.kit.clock import as_utc, utcnow
from shared.kit.types import Doc
from shared.logging import get_logger

log = get_logger(__name__)
BATCH = 500
MAX_MINUTES_PER_RUN = 14 * 24 * 60  # a long outage is caught up over several runs
# Deletes a batch of ids; returns how many went and which must be looked at again later.
Handler = Callable[[list[str], dt.datetime], Awaitable[tuple[int, list[str]]]]


def mark_key(kind: str) -> str:
    return f"swept:{kind}"


class RetentionSweeper:
    def __init__(
        self,
        deliveries: DeliveryRepository,
        events: EventRepository,
        keys: ApiKeyRepository,
        partners: PartnerRepository,
        idempotency: IdempotencyRepository,
        meta: MetaRepository,
        settings: Settings,
        message_log: MessageLog | None = None,
    ) -> None:
        self.message_log = message_log
        self.deliveries = deliveries
        self.events = events
        self.keys = keys
        self.partners = partners
        self.idempotency = idempotency
        self.meta = meta
        self.buckets = deliveries.buckets
        self.settings = settings
        self._loop = BackgroundLoop(
            "lgsp-retention", self._sweep_and_log, settings.retention_sweep_interval_s
        )

    def _ago(self, at: dt.datetime, seconds: float) -> dt.datetime:
        return at - dt.timedelta(seconds=seconds)

    async def sweep_once(self) -> dict[str, int]:
        at = utcnow()
        s = self.settings
        return {
            "deliveries": await self._sweep_jobs(at),
            "events": await self._walk(
                EVENTS, self._ago(at, s.retention_events_s), self._delete_events
            ),
            # Keys, secrets and idempotency keys are bounded by configuration and by the
            # rate of partner changes, not by delivery history.
            "revoked_keys": await self.keys.delete_revoked_before(
                self._ago(at, s.retention_revoked_keys_s)
            ),
            "expired_secrets": await self._sweep_secrets(at),
            "idempotency_keys": await self.idempotency.delete_before(
                self._ago(at, s.idempotency_key_ttl_s)
            ),
            # Up to a signed checkpoint per partner, by consecutive _ids from the floor up.
            "message_log": await self.message_log.expire() if self.message_log else 0,
        }

    async def _sweep_jobs(self, at: dt.datetime) -> int:
        """Finished jobs past their retention; then the creation buckets (the
        administrators' list) past the jobs' horizon, which deletes no job."""
        s = self.settings
        deleted = await self._walk(
            FINISHED, self._ago(at, s.retention_delivered_s), self._delete_jobs
        )
        horizon = retention_horizon_s(s.retention_delivered_s, s.give_up_after_s)
        await self._walk(CREATED, self._ago(at, horizon), self._forget_created)
        return deleted

    async def _walk(self, kind: str, cutoff: dt.datetime, handle: Handler) -> int:
        """Every minute bucket after the mark up to the cutoff's own minute, oldest first.

        The cutoff's minute is read but kept (part of it is younger than the cutoff), and
        held-back ids are added to it, so the next run looks at them again.
        """
        end = minute_key(cutoff)
        mark = await self.meta.get(mark_key(kind))
        start = str(mark["through"]) if mark else minute_key(cutoff - dt.timedelta(days=1))
        keys = minutes_between(start, end, MAX_MINUTES_PER_RUN)
        if len(keys) < MAX_MINUTES_PER_RUN and start < end:
            keys.append(end)
        deleted = 0
        for i in range(0, len(keys), 1000):
            chunk = keys[i : i + 1000]
            buckets = await self.buckets.load(kind, chunk)
            again: list[str] = []
            for key in sorted(buckets):
                ids = buckets[key]
                for j in range(0, len(ids), BATCH):
                    gone, kept = await handle(ids[j : j + BATCH], cutoff)
                    deleted += gone
                    again += kept
            await self.buckets.add_to(kind, end, again)
            done = [k for k in chunk if k != end]
            await self.buckets.delete(kind, [k for k in buckets if k != end])
            if done:
                await self.meta.advance(mark_key(kind), "through", done[-1])
        return deleted

    async def _delete_jobs(self, ids: list[str], cutoff: dt.datetime) -> tuple[int, list[str]]:
        deleted, held = await self.deliveries.delete_finished(ids, cutoff)
        await self.deliveries.lookups.forget(deleted)
        return len(deleted), held

    async def _forget_created(self, ids: list[str], _: dt.datetime) -> tuple[int, list[str]]:
        """Nothing is deleted but the bucket: jobs still stored (requeued ones live on) are
        kept, in the cutoff's minute, so the list still finds them."""
        alive = await self.deliveries.existing(ids)
        return 0, sorted(alive)

    async def _delete_events(self, ids: list[str], cutoff: dt.datetime) -> tuple[int, list[str]]:
        """Old events no stored job refers to (a job's payload is built from its event)."""
        events = [e for e in await self.events.get_many(ids) if as_utc(e["time"]) < cutoff]
        jobs = sorted({str(j) for e in events for j in e.get("jobs") or []})
        alive = await self.deliveries.existing(jobs)
        kept = [e["_id"] for e in events if alive.intersection(e.get("jobs") or [])]
        gone = [e["_id"] for e in events if e["_id"] not in set(kept)]
        return await self.events.delete_ids(gone), kept

    async def _sweep_secrets(self, at: dt.datetime) -> int:
        """Secrets past their overlap never sign again (``signing_secrets``): drop them."""
        removed = 0
        for partner in await self.partners.with_secrets():
            expired: list[Doc] = [
                entry
                for entry in partner["secrets"]
                if entry.get("expires_at") is not None and as_utc(entry["expires_at"]) <= at
            ]
            if expired and await self.partners.pull_secrets(partner["_id"], expired):
                removed += len(expired)
        return removed

    # Lifecycle ------------------------------------------------------------------------
    async def _sweep_and_log(self) -> None:
        swept = await self.sweep_once()
        if any(swept.values()):
            log.info("retention.swept", **swept)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
