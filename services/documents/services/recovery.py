"""Finishing what a crash left behind: reservations, then every settled pending marker
(issuances, back-links, audit entries, events, the open set)."""

from __future__ import annotations

import datetime as dt

from services.documents.domain.lifecycle import State
from services.documents.repositories.aggregates import AUDIT_PENDING
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.audit import AuditTrail
from services.documents.services.incoming_recovery import IncomingRecovery
from services.documents.services.issuance import IssuanceService
from services.documents.services.revocation import RevocationService
from shared.kit.clock import utcnow
from shared.kit.idempotency import IdempotencyKeys
from shared.kit.types import Doc
from shared.logging import get_logger
from shared.messaging.outbox import OutboxRelay

log = get_logger(__name__)


class RecoveryService:
    def __init__(
        self,
        issuance: IssuanceService,
        revocation: RevocationService,
        trail: AuditTrail,
        relay: OutboxRelay,
        incoming: IncomingRecovery | None = None,
        incoming_relay: OutboxRelay | None = None,
        *,
        documents: DocumentRepository,
    ) -> None:
        self._issuance = issuance
        self._revocation = revocation
        self._trail = trail
        self._relay = relay
        self._incoming = incoming
        self._incoming_relay = incoming_relay
        self._documents = documents

    async def recover(self, grace_s: float) -> int:
        """Complete whatever a crash left: reservations, then every settled pending marker
        (issuances, back-links, audit entries, events), and the same for incoming documents."""
        # Arrival numbers first: their reservations share the counters collection.
        touched = await self._recover_arrivals(grace_s)
        touched += await self._issuance.recover(grace_s)
        await self._relay.sweep_once(settle_s=grace_s)
        if self._incoming_relay is not None:
            await self._incoming_relay.sweep_once(settle_s=grace_s)
        return touched

    async def _recover_arrivals(self, grace_s: float) -> int:
        if self._incoming is None:
            return 0
        return await self._incoming.recover_reservations(grace_s)

    async def follow_up(self, doc: Doc) -> bool:
        """What the sweep finishes on a document whose marker settled; True if work is left."""
        if doc["state"] == State.ISSUING.value:
            doc = await self._issuance.complete(doc)
        else:
            if doc.get("link_pending"):
                await self._revocation.finish_link(doc)
            if doc.get(AUDIT_PENDING):
                await self._trail.flush(doc)
        # A crash between a write and its open entry: bring the entry in step.
        await self._documents.sync_open(doc)
        return False

    async def recover_reservations(self, grace_s: float) -> None:
        """The periodic job: reservations only, the relay's sweep finishes the documents
        through their pending markers."""
        await self._recover_arrivals(grace_s)
        touched = await self._issuance.recover(grace_s)
        if touched:
            log.info("issuance.recovered", documents=touched)


class KeyExpiry:
    """Expire Idempotency-Key records (FerretDB has no TTL indexes). Safe on every replica:
    deleting what another replica already deleted is a no-op."""

    def __init__(self, keys: IdempotencyKeys, ttl_s: float) -> None:
        self._keys = keys
        self._ttl = dt.timedelta(seconds=ttl_s)

    async def expire_once(self) -> int:
        deleted = await self._keys.expire(utcnow() - self._ttl)
        if deleted:
            log.info("idempotency.expired", keys=deleted)
        return deleted
