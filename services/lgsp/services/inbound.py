"""Documents sent in by partner agencies: receive, tell the sender what happened, recall.

A message is checked completely before anything is stored; then its attachments are kept by
content, and one insert creates the record with ``inbound.received`` in its outbox (the
writer holds the relay's lease and publishes at once; the sweep finishes after a crash).
A resend of the same (sender, DocumentId) finds that record and publishes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from services.lgsp.domain.inbound import (
    EncodedFile,
    InboundMessage,
    Recall,
    check_addressing,
    decode_attachment,
    inbound_id_for,
    new_record,
    recall_answer,
    recall_event,
    received_event,
    status_entry,
)
from services.lgsp.errors import (
    FileNotFound,
    InboundEventTooLarge,
    InboundNotFound,
    RecallPending,
)
from services.lgsp.repositories.inbound import InboundRepository
from services.lgsp.repositories.inbound_files import InboundFileRepository
from services.lgsp.settings import Settings
from shared.contracts.events import EdxmlHeader, IncomingStatusChanged
from shared.contracts.vocabulary import IncomingStatus, MessageFormat, SignatureVerdict
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.logging import get_logger
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import EventPublisher

log = get_logger(__name__)
RECALL_ATTEMPTS = 5
# Kafka's default largest record is 1 MiB; the event (header, text, claim checks) stays
# well under it, with room for the envelope's headers.
MAX_EVENT_BYTES = 900_000


@dataclass(eq=False)
class InboundService:
    inbound: InboundRepository
    files: InboundFileRepository
    relay: OutboxRelay
    publisher: EventPublisher
    settings: Settings

    # Receiving ------------------------------------------------------------------------
    async def receive_json(
        self,
        partner: Doc,
        sender_document_id: str,
        header: EdxmlHeader,
        body: str,
        attachments: Sequence[EncodedFile],
    ) -> tuple[Doc, bool]:
        """A JSON message. It is authenticated by the partner's API key and carries no
        signature of its own: its verdict is ``unsigned``."""
        check_addressing(header, partner["code"], self.settings.organisation_code)
        files = tuple(
            decode_attachment(
                i, a.name, a.media_type, a.content_base64, self.settings.max_file_bytes
            )
            for i, a in enumerate(attachments)
        )
        message = InboundMessage(
            sender_document_id=sender_document_id,
            message_format=MessageFormat.JSON,
            header=header,
            body=body,
            files=files,
            signature_verdict=SignatureVerdict.UNSIGNED,
        )
        return await self.receive(partner, message)

    async def receive(self, partner: Doc, message: InboundMessage) -> tuple[Doc, bool]:
        """The record and whether it is new (False: a resend of a message already taken)."""
        sender = str(partner["code"])
        check_addressing(message.header, sender, self.settings.organisation_code)
        inbound_id = inbound_id_for(sender, message.sender_document_id)
        existing = await self.inbound.get(inbound_id)
        if existing is not None:
            return existing, False
        event = received_event(inbound_id, message, sender, utcnow())
        record = self.publisher.record_for(event)
        # Refused before anything is stored: a record the broker would not take would stay
        # in the outbox for ever, and the partner would have been told it arrived.
        if len(record.value) > MAX_EVENT_BYTES:
            raise InboundEventTooLarge(len(record.value), MAX_EVENT_BYTES)
        # Every check is done: from here on only storing, files first so that a record
        # (and its event) never points at bytes that are not there.
        for file in message.files:
            await self.files.store(file.data, file.sha256, file.media_type)
        doc, created = await self.inbound.insert(
            new_record(event, str(partner["_id"])), [record], self.relay.lease_s
        )
        if created:
            log.info(
                "inbound.received",
                inbound_id=inbound_id,
                sender=sender,
                message_format=message.message_format.value,
                attachments=len(message.files),
                signature=message.signature_verdict.value,
            )
            await self._publish(doc)
        return doc, created

    async def _publish(self, doc: Doc) -> None:
        try:
            await self.relay.publish_written(doc)
        except Exception:  # stored with its event: the relay's sweep publishes it later
            log.exception("inbound.publish_deferred", inbound_id=doc["_id"])

    # The sender's view ----------------------------------------------------------------
    async def get(self, partner: Doc, inbound_id: str) -> Doc:
        """Only the agency that sent it may see it; anyone else is told it does not exist."""
        record = await self.inbound.get(inbound_id)
        if record is None or record.get("sender_code") != partner["code"]:
            raise InboundNotFound()
        return record

    async def find(self, partner: Doc, sender_document_id: str) -> Doc | None:
        """The partner's document with this DocumentId, if it sent one."""
        return await self.inbound.get(inbound_id_for(str(partner["code"]), sender_document_id))

    async def recall(self, partner: Doc, inbound_id: str, reason: str) -> Doc:
        """Status 13 from the sender: ``inbound.recall_requested``, once per open recall."""
        for _ in range(RECALL_ATTEMPTS):
            record = await self.get(partner, inbound_id)
            if record.get("recall") not in Recall.OPEN_TO_REQUEST:
                raise RecallPending(str(record["recall"]))
            at = utcnow()
            event = recall_event(record, reason, at)
            entry = status_entry(
                IncomingStatus.RECALL_REQUESTED.value,
                at,
                version=event.inbound_version,
                source="sender",
                note=reason,
            )
            doc = await self.inbound.request_recall(
                record, entry, at, [self.publisher.record_for(event)]
            )
            if doc is not None:
                log.info("inbound.recall_requested", inbound_id=inbound_id, sender=partner["code"])
                await self._publish(doc)
                return doc
        # Another request kept winning: it opened the recall, or the record keeps changing.
        record = await self.get(partner, inbound_id)
        raise RecallPending(str(record.get("recall") or Recall.PENDING))

    async def recall_by_document_id(
        self, partner: Doc, sender_document_id: str, reason: str
    ) -> Doc:
        """A recall that names the sender's own id of the message (edXML)."""
        return await self.recall(
            partner, inbound_id_for(str(partner["code"]), sender_document_id), reason
        )

    # Statuses from the documents service ----------------------------------------------
    async def record_status(self, event: IncomingStatusChanged) -> bool:
        """Add a handling status to the record (idempotent); False if no such record."""
        entry = status_entry(
            event.status,
            event.changed_at,
            version=event.incoming_version,
            source="ministry",
            note=event.note,
        )
        found = await self.inbound.add_status(event.inbound_id, entry)
        answer = recall_answer(event.status)
        if found and answer is not None:
            await self.inbound.answer_recall(event.inbound_id, answer, event.changed_at)
        if not found:
            log.warning("inbound.status_for_unknown", inbound_id=event.inbound_id)
        return found

    # Claim checks ---------------------------------------------------------------------
    async def file(self, sha256: str) -> tuple[Doc, AsyncIterator[bytes]]:
        info = await self.files.info(sha256)
        if info is None:
            raise FileNotFound("no attachment of a document sent in has this hash")
        return info, self.files.stream(info)
