"""Finishing what a crash left behind on incoming documents.

The relay's sweep hands every incoming document whose pending marker settled to
``follow_up``: a registration left before its number was reserved is completed, pending
audit entries are chained, a fetch job is re-queued and the open set brought in step.
Reservations of arrival numbers are completed by ``ArrivalRegistration.recover``.
"""

from __future__ import annotations

from services.documents.domain.incoming import IncomingState
from services.documents.repositories.aggregates import AUDIT_PENDING
from services.documents.repositories.incoming import IncomingRepository
from services.documents.repositories.incoming_fetches import FetchQueue
from services.documents.services.incoming_changes import IncomingWriter
from services.documents.services.incoming_registration import ArrivalRegistration
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.logging import get_logger

log = get_logger(__name__)


class IncomingRecovery:
    def __init__(
        self,
        incoming: IncomingRepository,
        fetches: FetchQueue,
        writer: IncomingWriter,
        registration: ArrivalRegistration,
    ) -> None:
        self._incoming = incoming
        self._fetches = fetches
        self._writer = writer
        self._registration = registration

    async def follow_up(self, doc: Doc) -> bool:
        """What the sweep finishes on a document whose marker settled; True if work is left."""
        if doc["state"] == IncomingState.REGISTERING.value:
            doc = await self._registration.complete(doc)
        if doc["state"] == IncomingState.RECEIVING.value:
            await self._fetches.add(str(doc["_id"]), utcnow())
        if doc.get(AUDIT_PENDING):
            await self._writer.flush(doc)
        await self._incoming.sync_open(doc)
        return False

    async def recover_reservations(self, grace_s: float) -> int:
        touched = await self._registration.recover(grace_s)
        if touched:
            log.info("incoming.recovered", documents=touched)
        return touched
