"""How an incoming document changes: the documents' unit of work (``unit_of_work``), with
the audit chain of incoming documents, status events for the sender, and the open set kept
in step after each write. A crash in between leaves a pending marker, and the relay's sweep
finishes it (``IncomingRecovery.follow_up``).
"""

from __future__ import annotations

import datetime as dt

from services.documents.domain.incoming import audit_subject, status_changed
from services.documents.errors import DocumentNotFound
from services.documents.repositories.audit import AuditRepository
from services.documents.repositories.incoming import IncomingRepository
from services.documents.services.audit import AuditTrail
from services.documents.services.unit_of_work import DocumentChange, UnitOfWork
from shared.auth.principal import Principal
from shared.contracts.vocabulary import IncomingStatus
from shared.kit.types import Doc
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import EventPublisher


class IncomingChange(DocumentChange):
    """A change of an incoming document: its audit entries go to its own chain, and each
    step may tell the sender where its document stands."""

    @property
    def inbound_id(self) -> str:
        return self.document_id

    def tell_sender(self, status: IncomingStatus, note: str, at: dt.datetime) -> IncomingChange:
        """The status this write reports, carrying the version the write produces."""
        version = int(self.current["version"]) + 1
        self.events.append(status_changed(self.current, version, status, note, at))
        return self


class IncomingWriter(UnitOfWork):
    """The unit of work of incoming documents: every write also keeps the open set in step."""

    def __init__(
        self,
        incoming: IncomingRepository,
        audit: AuditRepository,
        relay: OutboxRelay,
        publisher: EventPublisher,
    ) -> None:
        self.trail = AuditTrail(incoming, audit, audit_subject)
        super().__init__(
            incoming,
            self.trail,
            relay,
            publisher,
            missing=lambda: DocumentNotFound("incoming document"),
            after_write=incoming.sync_open,
        )

    def change(self, current: Doc) -> IncomingChange:
        return IncomingChange(current, subject=audit_subject(str(current["_id"])))

    async def flush(self, doc: Doc | None) -> None:
        """Move the document's pending audit entries onto its chain (idempotent)."""
        await self.trail.flush(doc)

    async def record_read(self, principal: Principal, doc: Doc, what: str = "read") -> None:
        await self.trail.record_read(principal, doc, what)
