"""What goes to whom: a pure function from an event and the partners to the recipients.

Two channels never mix: a publication notice (public topic) goes to partners granted the
feed whose subscription matches; an official dispatch, recall or status (exchange topic)
goes only to the agencies it names, and to nobody else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from services.lgsp.domain.partners import PartnerState, Service
from shared.contracts.events import (
    DocumentDispatched,
    DocumentPublished,
    DocumentRecalled,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
    EventData,
    IncomingStatusChanged,
)
from shared.contracts.vocabulary import URGENCY_RANK, Access, Confidentiality, Urgency

FEED_EVENT_TYPES = frozenset(
    {
        DocumentPublished.event_name,
        DocumentRevoked.event_name,
        DocumentReplaced.event_name,
        DocumentUnpublished.event_name,
    }
)


class Channel(StrEnum):
    FEED = "feed"
    ADDRESSED = "addressed"


@dataclass(frozen=True)
class DocumentFacts:
    """What subscription filters look at; for a revocation, taken from the publication."""

    doc_type: str | None = None
    issuer: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Routable:
    event_type: str  # the event name, e.g. "document.published"
    channel: Channel
    subject: str
    facts: DocumentFacts = DocumentFacts()
    recipients: frozenset[str] = frozenset()
    priority: int = 0
    shareable: bool = True  # False for anything that must never leave the ministry


@dataclass(frozen=True)
class SubscriptionFilter:
    """Empty lists match everything; each non-empty list must contain the event's value."""

    event_types: frozenset[str] = frozenset()
    doc_types: frozenset[str] = frozenset()
    issuers: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()

    def matches(self, event: Routable) -> bool:
        facts = event.facts
        return (
            _allows(self.event_types, event.event_type)
            and _allows(self.doc_types, facts.doc_type)
            and _allows(self.issuers, facts.issuer)
            and _allows(self.fields, facts.field)
        )


def _allows(allowed: frozenset[str], value: str | None) -> bool:
    return not allowed or (value is not None and value in allowed)


@dataclass(frozen=True)
class PartnerRoute:
    partner_id: str
    code: str
    state: PartnerState
    grants: frozenset[str] = frozenset()
    subscriptions: tuple[SubscriptionFilter, ...] = field(default_factory=tuple)


def route(event: Routable, partners: Iterable[PartnerRoute]) -> list[str]:
    """The ids of the partners that must receive ``event``, in a stable order."""
    if not event.shareable:
        return []
    chosen: list[str] = []
    for partner in partners:
        if partner.state is PartnerState.DISABLED:
            continue
        if event.channel is Channel.ADDRESSED:
            if partner.code in event.recipients:
                chosen.append(partner.partner_id)
            continue
        if partner.state is not PartnerState.ACTIVE:
            continue
        if Service.PUBLIC_DOCUMENTS_FEED.value not in partner.grants:
            continue
        if any(sub.matches(event) for sub in partner.subscriptions):
            chosen.append(partner.partner_id)
    return sorted(set(chosen))


def _rank(urgency: Urgency) -> int:
    return URGENCY_RANK[urgency]


def routable(event: EventData, facts: DocumentFacts | None = None) -> Routable:
    """Describe a contract event for routing; ``facts`` fill in what a revocation lacks."""
    name = event.event_name
    if isinstance(event, DocumentPublished):
        doc = event.document
        return Routable(
            name,
            Channel.FEED,
            event.document_id,
            _facts_of(doc.doc_type, doc.issuer.code, doc.field),
            priority=_rank(doc.urgency),
            shareable=doc.access is Access.PUBLIC and doc.confidentiality is Confidentiality.THUONG,
        )
    if isinstance(event, DocumentRevoked | DocumentReplaced | DocumentUnpublished):
        return Routable(name, Channel.FEED, event.document_id, facts or DocumentFacts())
    if isinstance(event, DocumentDispatched):
        doc = event.document
        return Routable(
            name,
            Channel.ADDRESSED,
            event.document_id,
            _facts_of(doc.doc_type, doc.issuer.code, doc.field),
            recipients=frozenset(event.recipients),
            priority=max(_rank(event.urgency), _rank(doc.urgency)),
            shareable=doc.confidentiality is Confidentiality.THUONG,
        )
    if isinstance(event, DocumentRecalled):
        return Routable(
            name,
            Channel.ADDRESSED,
            event.document_id,
            facts or DocumentFacts(),
            recipients=frozenset(event.recipients),
            priority=_rank(Urgency.KHAN),
        )
    if isinstance(event, IncomingStatusChanged):
        return Routable(
            name, Channel.ADDRESSED, event.inbound_id, recipients=frozenset({event.sender_code})
        )
    raise ValueError(f"the LGSP does not route {event.ce_type()}")


def _facts_of(doc_type: str, issuer: str, field_: str | None) -> DocumentFacts:
    return DocumentFacts(doc_type=str(doc_type), issuer=issuer, field=field_)


def filter_from_lists(
    event_types: Sequence[str] = (),
    doc_types: Sequence[str] = (),
    issuers: Sequence[str] = (),
    fields: Sequence[str] = (),
) -> SubscriptionFilter:
    return SubscriptionFilter(
        frozenset(event_types), frozenset(doc_types), frozenset(issuers), frozenset(fields)
    )
