"""edXML messages posted by partner agencies: a document, a recall or a status.

A document (BussinessDocType 0, 2 or 3) is received like a JSON one, with the verdict of its
XML signature checked against the certificates the sender registered. A revocation
(BussinessDocType 1) names the DocumentId of a document sent earlier and asks for it back
(status 13). A status message answers a document the ministry sent: it is recorded as
``POST /api/v1/statuses`` records one. Parsing and signature checks are CPU work on up to
tens of megabytes, so they run off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.lgsp.domain.edxml import (
    BusinessDocType,
    EdxmlDocument,
    EdxmlStatus,
    parse_message,
)
from services.lgsp.domain.inbound import (
    InboundMessage,
    IncomingFile,
    check_addressing,
    checked_file,
)
from services.lgsp.errors import EdxmlInvalid, SenderMismatch, UpdateNotSupported
from services.lgsp.services.deliveries import DeliveryService
from services.lgsp.services.inbound import InboundService
from shared.contracts.vocabulary import IncomingStatus, MessageFormat, SignatureVerdict
from shared.kit.types import Doc

# The PEM certificates a partner registered for its XML signatures.
Certificates = Callable[[Doc], Awaitable[Sequence[str]]]
# The verdict on a signed message's bytes, given those certificates.
Verifier = Callable[[bytes, Sequence[str]], tuple[SignatureVerdict, str]]
# Our document id of the ministry's edXML DocumentId a document was sent with.
SentDocuments = Callable[[str], Awaitable[str | None]]
# Statuses a receiver may report of a document it was sent (13 comes from the issuer).
REPORTABLE = frozenset(
    {
        IncomingStatus.ARRIVED,
        IncomingStatus.REJECTED,
        IncomingStatus.ACCEPTED,
        IncomingStatus.ASSIGNED,
        IncomingStatus.IN_PROGRESS,
        IncomingStatus.COMPLETED,
        IncomingStatus.RECALL_ACCEPTED,
        IncomingStatus.RECALL_REFUSED,
    }
)
DEFAULT_RECALL_REASON = "thu hồi theo yêu cầu của cơ quan gửi"


class EdxmlKind(StrEnum):
    DOCUMENT = "document"
    RECALL = "recall"
    STATUS = "status"


@dataclass(frozen=True)
class EdxmlOutcome:
    """What an edXML message became: an inbound record (document, recall) or a delivery
    job (status); ``created`` is False for a resent document."""

    kind: EdxmlKind
    record: Doc
    created: bool = True


class EdxmlIntake:
    def __init__(
        self,
        inbound: InboundService,
        deliveries: DeliveryService,
        certificates: Certificates,
        verify: Verifier,
        sent_documents: SentDocuments,
    ) -> None:
        self.inbound = inbound
        self.sent_documents = sent_documents
        self.deliveries = deliveries
        self.certificates = certificates
        self.verify = verify

    async def receive(self, partner: Doc, data: bytes) -> EdxmlOutcome:
        parsed = await asyncio.to_thread(parse_message, data)
        if isinstance(parsed, EdxmlStatus):
            return await self._status(partner, parsed)
        if parsed.business_doc_type is BusinessDocType.REVOKE:
            return await self._recall(partner, parsed)
        return await self._document(partner, parsed, data)

    async def _document(self, partner: Doc, doc: EdxmlDocument, data: bytes) -> EdxmlOutcome:
        settings = self.inbound.settings
        # Before the costly part (the signature): a message refused for its addressing.
        check_addressing(doc.header, str(partner["code"]), settings.organisation_code)
        if doc.business_doc_type is BusinessDocType.UPDATE:
            await self._refuse_update_of_known(partner, doc.sender_document_id)
        limit = settings.max_file_bytes
        files = tuple(
            checked_file(
                i,
                IncomingFile(a.name, a.media_type, a.data, a.content_id.removeprefix("cid:")),
                limit,
            )
            for i, a in enumerate(doc.attachments)
        )
        certificates = await self.certificates(partner)
        verdict, note = await asyncio.to_thread(self.verify, data, certificates)
        message = InboundMessage(
            sender_document_id=doc.sender_document_id,
            message_format=MessageFormat.EDXML,
            header=doc.header,
            body=doc.content,
            files=files,
            signature_verdict=verdict,
            signature_note=note,
        )
        record, created = await self.inbound.receive(partner, message)
        return EdxmlOutcome(EdxmlKind.DOCUMENT, record, created)

    async def _refuse_update_of_known(self, partner: Doc, sender_document_id: str) -> None:
        """The documents service keeps the first version of a document sent in: an update
        of one already received would be taken for a resend and lost, so it is refused."""
        if await self.inbound.find(partner, sender_document_id) is not None:
            raise UpdateNotSupported(sender_document_id)

    async def _recall(self, partner: Doc, doc: EdxmlDocument) -> EdxmlOutcome:
        if doc.header.from_organ_id != partner["code"]:
            raise SenderMismatch(doc.header.from_organ_id, str(partner["code"]))
        reason = doc.business_reason.strip()[:2000] or DEFAULT_RECALL_REASON
        record = await self.inbound.recall_by_document_id(partner, doc.sender_document_id, reason)
        return EdxmlOutcome(EdxmlKind.RECALL, record)

    async def _status(self, partner: Doc, status: EdxmlStatus) -> EdxmlOutcome:
        if status.from_organ_id != partner["code"]:
            raise SenderMismatch(status.from_organ_id, str(partner["code"]))
        code = IncomingStatus(status.status_code)
        if code not in REPORTABLE:
            raise EdxmlInvalid(
                f"edXML:StatusCode {code.value} cannot be reported by a receiving agency"
            )
        # A receiver quotes the DocumentId we sent; our own id is accepted too.
        quoted = status.response_for_document_id
        document_id = await self.sent_documents(quoted) or quoted
        job = await self.deliveries.report_document_status(
            partner, document_id, code, status.description[:2000]
        )
        return EdxmlOutcome(EdxmlKind.STATUS, job)
