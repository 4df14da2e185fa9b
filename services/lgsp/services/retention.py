"""The retention sweep (FerretDB has no TTL indexes): old finished records are deleted.

Every replica may run it: each step is an idempotent delete guarded by its own condition,
so two sweeps at once delete nothing twice and never anything still needed.
"""

from __future__ import annotations

import datetime as dt

from services.lgsp.repositories import (
    ApiKeyRepository,
    DeliveryRepository,
    EventRepository,
    IdempotencyRepository,
    PartnerRepository,
)
from services.lgsp.repositories.common import Doc, as_utc, now
from services.lgsp.settings import Settings
from shared.background import BackgroundLoop
from shared.logging import get_logger

log = get_logger(__name__)
EVENT_BATCH = 500


class RetentionSweeper:
    def __init__(
        self,
        deliveries: DeliveryRepository,
        events: EventRepository,
        keys: ApiKeyRepository,
        partners: PartnerRepository,
        idempotency: IdempotencyRepository,
        settings: Settings,
    ) -> None:
        self.deliveries = deliveries
        self.events = events
        self.keys = keys
        self.partners = partners
        self.idempotency = idempotency
        self.settings = settings
        self._loop = BackgroundLoop(
            "lgsp-retention", self._sweep_and_log, settings.retention_sweep_interval_s
        )

    def _ago(self, at: dt.datetime, seconds: float) -> dt.datetime:
        return at - dt.timedelta(seconds=seconds)

    async def sweep_once(self) -> dict[str, int]:
        at = now()
        s = self.settings
        swept = {
            "deliveries": await self.deliveries.delete_finished_before(
                self._ago(at, s.retention_delivered_s)
            ),
            "events": await self._sweep_events(self._ago(at, s.retention_events_s)),
            "revoked_keys": await self.keys.delete_revoked_before(
                self._ago(at, s.retention_revoked_keys_s)
            ),
            "expired_secrets": await self._sweep_secrets(at),
            "idempotency_keys": await self.idempotency.delete_before(
                self._ago(at, s.idempotency_key_ttl_s)
            ),
        }
        return swept

    async def _sweep_events(self, cutoff: dt.datetime) -> int:
        """Old events no stored job refers to (a job's payload is built from its event)."""
        deleted = 0
        after_kept: set[str] = set()
        while True:
            ids = [
                i
                for i in await self.events.ids_before(cutoff, EVENT_BATCH + len(after_kept))
                if i not in after_kept
            ]
            if not ids:
                return deleted
            kept = await self.deliveries.referenced_events(ids)
            deleted += await self.events.delete_ids([i for i in ids if i not in kept])
            after_kept |= kept
            if len(ids) < EVENT_BATCH:
                return deleted

    async def _sweep_secrets(self, at: dt.datetime) -> int:
        """Secrets past their overlap never sign again (``active_secrets``): drop them."""
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
