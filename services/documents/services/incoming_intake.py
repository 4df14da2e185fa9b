"""What arrives from the LGSP: documents sent in (``inbound.received``) and their senders'
recalls (``inbound.recall_requested``). Both are idempotent: a redelivered or repeated event
never creates a second document, a second number or a second recall."""

from __future__ import annotations

from collections.abc import Callable

from services.documents.domain.incoming import RecallStatus, audit_subject, recall_pending
from services.documents.domain.incoming_intake import intake_problems, received_document
from services.documents.domain.incoming_listing import closed_sort_key
from services.documents.errors import DocumentNotFound, InvalidInput
from services.documents.repositories.incoming import IncomingRepository
from services.documents.repositories.incoming_fetches import FetchQueue
from services.documents.services.audit import audit_entry
from services.documents.services.incoming_changes import IncomingWriter
from shared.contracts.events import InboundRecallRequested, InboundReceived
from shared.kit.clock import as_utc, utcnow
from shared.logging import get_logger

log = get_logger(__name__)


class IntakeService:
    def __init__(
        self,
        incoming: IncomingRepository,
        fetches: FetchQueue,
        writer: IncomingWriter,
        *,
        organisation_code: str,
        max_attachment_bytes: int,
    ) -> None:
        self._incoming = incoming
        self._fetches = fetches
        self._writer = writer
        self._organisation_code = organisation_code
        self._max_bytes = max_attachment_bytes
        self._wake: Callable[[], None] = lambda: None

    def on_fetch_queued(self, wake: Callable[[], None]) -> None:
        """Who to wake when attachments wait to be fetched (the fetch worker)."""
        self._wake = wake

    async def received(self, event: InboundReceived) -> bool:
        """Store the document sent in; False when it is already stored (a duplicate)."""
        if await self._incoming.get(event.inbound_id) is not None:
            return False
        problems = intake_problems(event, self._organisation_code, self._max_bytes)
        now = utcnow()
        doc = received_document(event, problems, now)
        if doc["state"] == "receiving":
            # The job first: a crash after it leaves a job whose document the redelivered
            # event will still create; never a document waiting for a job that is not there.
            await self._fetches.add(event.inbound_id, now)
        entry = audit_entry(
            audit_subject(event.inbound_id),
            f"lgsp:{event.sender_code}",
            "receive",
            from_state=None,
            to_state=str(doc["state"]),
            reason="; ".join(problems)[:2000],
        )
        stored = await self._incoming.insert(doc, [entry], closed_sort_key(doc))
        if stored is None:
            return False
        await self._writer.flush(stored)
        if problems:
            log.warning("incoming.needs_attention", inbound_id=event.inbound_id, reasons=problems)
        if doc["state"] == "receiving":
            self._wake()
        return True

    async def recall_requested(self, event: InboundRecallRequested) -> bool:
        """Record the sender's recall for a clerk to answer; False when already recorded."""
        while True:
            doc = await self._incoming.get(event.inbound_id)
            if doc is None:
                # Its document was never stored (dead-lettered): nothing to recall here.
                raise DocumentNotFound("incoming document to recall")
            if doc["sender_code"] != event.sender_code:
                raise InvalidInput(
                    f"{event.sender_code} may not recall a document {doc['sender_code']} sent",
                    "sender_code",
                )
            recall = doc.get("recall") or {}
            if int(recall.get("inbound_version") or 0) >= event.inbound_version:
                return False  # this recall (or a later one) is recorded already
            if doc["state"] == "withdrawn":
                return False  # already out of use: nothing more to withdraw
            change = (
                self._writer.change(doc)
                .set(
                    recall={
                        "status": RecallStatus.PENDING.value,
                        "reason": event.reason,
                        "requested_at": as_utc(event.requested_at),
                        "inbound_version": event.inbound_version,
                    },
                    updated_at=utcnow(),
                )
                .audit(f"lgsp:{event.sender_code}", "recall-requested", reason=event.reason)
            )
            written = await self._writer.try_write(change)
            if written is not None:
                await self._writer.settle(written)
                return recall_pending(written)
            # Written meanwhile (a clerk's step, a fetch): read it again and retry.
