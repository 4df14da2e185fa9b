"""One pydantic model per event type (docs/architecture.md §3), each bound to its topic.

Every event carries the id and version of its aggregate; the aggregate id is also the
CloudEvents subject and the Kafka record key, so one aggregate's events keep their order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import Field

from shared.contracts import topics
from shared.contracts.models import (
    ORG_CODE_PATTERN,
    ClaimCheck,
    ContractModel,
    DocumentSignature,
    SignedDocument,
)
from shared.contracts.vocabulary import (
    Confidentiality,
    DeliveryState,
    IncomingStatus,
    MessageFormat,
    SignatureVerdict,
    Urgency,
)


class EventData(ContractModel):
    """Base of every event's data. Subclasses set the name and topic."""

    event_name: ClassVar[str]
    topic: ClassVar[str]

    @property
    def aggregate_id(self) -> str:
        raise NotImplementedError

    @property
    def aggregate_version(self) -> int:
        raise NotImplementedError

    @classmethod
    def ce_type(cls) -> str:
        return f"gov.egov.{cls.event_name}.v1"


class _DocumentEvent(EventData):
    document_id: str = Field(min_length=1, max_length=64)
    document_version: int = Field(ge=1)

    @property
    def aggregate_id(self) -> str:
        return self.document_id

    @property
    def aggregate_version(self) -> int:
        return self.document_version


class _IssuedDocumentEvent(_DocumentEvent):
    """An issued document exactly as signed, with claim checks for its files."""

    document: SignedDocument
    signature: DocumentSignature
    attachments: list[ClaimCheck] = Field(default_factory=list)


class DocumentPublished(_IssuedDocumentEvent):
    event_name: ClassVar[str] = "document.published"
    topic: ClassVar[str] = topics.DOCUMENTS_PUBLIC

    published_at: dt.datetime


class DocumentRevoked(_DocumentEvent):
    event_name: ClassVar[str] = "document.revoked"
    topic: ClassVar[str] = topics.DOCUMENTS_PUBLIC

    notation: str
    reason: str = Field(min_length=1, max_length=2000)
    revoked_at: dt.datetime


class DocumentReplaced(_DocumentEvent):
    event_name: ClassVar[str] = "document.replaced"
    topic: ClassVar[str] = topics.DOCUMENTS_PUBLIC

    notation: str
    replaced_by_id: str
    replaced_by_notation: str
    reason: str = Field(default="", max_length=2000)
    replaced_at: dt.datetime


class DocumentUnpublished(_DocumentEvent):
    """A published document taken off the public site for good ("gone"): its page answers
    410 with the explanation. Unlike a revocation, nothing of it stays on show."""

    event_name: ClassVar[str] = "document.unpublished"
    topic: ClassVar[str] = topics.DOCUMENTS_PUBLIC

    notation: str
    explanation: str = Field(min_length=1, max_length=2000)
    unpublished_at: dt.datetime


class DocumentDispatched(_IssuedDocumentEvent):
    """An issued document sent to named external agencies (never a classified one)."""

    event_name: ClassVar[str] = "document.dispatched"
    topic: ClassVar[str] = topics.DOCUMENTS_EXCHANGE

    recipients: list[str] = Field(min_length=1)
    urgency: Urgency = Urgency.THUONG
    dispatched_at: dt.datetime


class DocumentRecalled(_DocumentEvent):
    """Status 13 to every receiver: please remove your copy and confirm (15) or refuse (16)."""

    event_name: ClassVar[str] = "document.recalled"
    topic: ClassVar[str] = topics.DOCUMENTS_EXCHANGE

    notation: str
    reason: str = Field(min_length=1, max_length=2000)
    recipients: list[str] = Field(min_length=1)
    recalled_at: dt.datetime


class IncomingStatusChanged(EventData):
    """The documents service's handling status of a document an agency sent in."""

    event_name: ClassVar[str] = "incoming.status_changed"
    topic: ClassVar[str] = topics.DOCUMENTS_EXCHANGE

    inbound_id: str = Field(min_length=1, max_length=64)
    incoming_version: int = Field(ge=1)
    sender_code: str = Field(pattern=ORG_CODE_PATTERN)
    # What the sender needs to recognise its document (an edXML status's ResponseFor).
    sender_document_id: str = Field(min_length=1, max_length=300)
    sender_notation: str = Field(min_length=1, max_length=130, description="2491/STC-BCTC")
    promulgation_date: dt.date
    status: Literal["02", "03", "04", "05", "06", "15", "16"]
    note: str = Field(default="", max_length=2000)
    changed_at: dt.datetime

    @property
    def aggregate_id(self) -> str:
        return self.inbound_id

    @property
    def aggregate_version(self) -> int:
        return self.incoming_version


class EdxmlSigner(ContractModel):
    competence: str = Field(default="", max_length=200)
    position: str = Field(default="", max_length=200)
    full_name: str = Field(min_length=1, max_length=200)


class TraceHop(ContractModel):
    organ_id: str = Field(max_length=64)
    timestamp: dt.datetime


class EdxmlHeader(ContractModel):
    """The fields of an edXML message header that the receiving system registers."""

    from_organ_id: str = Field(pattern=ORG_CODE_PATTERN)
    from_organ_name: str = Field(min_length=1, max_length=300)
    to_organ_ids: list[str] = Field(min_length=1, max_length=200)
    code_number: str = Field(min_length=1, max_length=20)
    code_notation: str = Field(min_length=1, max_length=100)
    promulgation_place: str = Field(default="", max_length=200)
    promulgation_date: dt.date
    document_type: str = Field(min_length=1, max_length=100)
    subject: str = Field(min_length=1, max_length=2000)
    signer: EdxmlSigner
    due_date: dt.date | None = None
    priority: Urgency = Urgency.THUONG
    confidentiality: Confidentiality = Confidentiality.THUONG
    steering_type: str = Field(default="", max_length=100)
    trace: list[TraceHop] = Field(default_factory=list, max_length=50)


class _InboundEvent(EventData):
    """About a document an agency sent in through the LGSP: keyed by its inbound id."""

    topic: ClassVar[str] = topics.LGSP_INBOUND

    inbound_id: str = Field(min_length=1, max_length=64)
    inbound_version: int = Field(ge=1)
    sender_code: str = Field(pattern=ORG_CODE_PATTERN)

    @property
    def aggregate_id(self) -> str:
        return self.inbound_id

    @property
    def aggregate_version(self) -> int:
        return self.inbound_version


class InboundReceived(_InboundEvent):
    event_name: ClassVar[str] = "inbound.received"

    # The sender's own id of the message (edXML DocumentId), unique per sender.
    sender_document_id: str = Field(min_length=1, max_length=300)
    message_format: MessageFormat
    header: EdxmlHeader
    body: str = Field(default="", max_length=500_000)
    # Claim checks on the LGSP: fetched with the documents service's own account.
    attachments: list[ClaimCheck] = Field(default_factory=list, max_length=100)
    signature_verdict: SignatureVerdict
    signature_note: str = Field(default="", max_length=500)
    received_at: dt.datetime


class InboundRecallRequested(_InboundEvent):
    event_name: ClassVar[str] = "inbound.recall_requested"

    reason: str = Field(min_length=1, max_length=2000)
    requested_at: dt.datetime


class DeliveryStatusChanged(EventData):
    """A delivery outcome at the LGSP, or the receiving agency's own status (01–06, 15, 16)."""

    event_name: ClassVar[str] = "delivery.status_changed"
    topic: ClassVar[str] = topics.LGSP_STATUS

    document_id: str = Field(min_length=1, max_length=64)
    delivery_id: str = Field(min_length=1, max_length=200)
    delivery_version: int = Field(ge=1)
    recipient_code: str = Field(pattern=ORG_CODE_PATTERN)
    delivery_state: DeliveryState | None = None
    receiver_status: IncomingStatus | None = None
    note: str = Field(default="", max_length=2000)
    changed_at: dt.datetime

    @property
    def aggregate_id(self) -> str:
        # Keyed by document so every status of one document keeps its order.
        return self.document_id

    @property
    def aggregate_version(self) -> int:
        return self.delivery_version


@dataclass(frozen=True)
class EventSpec:
    model: type[EventData]
    producer: str
    consumers: tuple[str, ...]

    @property
    def ce_type(self) -> str:
        return self.model.ce_type()

    @property
    def topic(self) -> str:
        return self.model.topic


EVENTS: tuple[EventSpec, ...] = (
    EventSpec(DocumentPublished, "documents", ("portal", "lgsp")),
    EventSpec(DocumentRevoked, "documents", ("portal", "lgsp")),
    EventSpec(DocumentReplaced, "documents", ("portal", "lgsp")),
    EventSpec(DocumentUnpublished, "documents", ("portal", "lgsp")),
    EventSpec(DocumentDispatched, "documents", ("lgsp",)),
    EventSpec(DocumentRecalled, "documents", ("lgsp",)),
    EventSpec(IncomingStatusChanged, "documents", ("lgsp",)),
    EventSpec(InboundReceived, "lgsp", ("documents",)),
    EventSpec(InboundRecallRequested, "lgsp", ("documents",)),
    EventSpec(DeliveryStatusChanged, "lgsp", ("documents",)),
)

EVENTS_BY_TYPE: dict[str, EventSpec] = {spec.ce_type: spec for spec in EVENTS}


def spec_for(ce_type: str) -> EventSpec | None:
    return EVENTS_BY_TYPE.get(ce_type)
