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

# What the LGSP takes from each documents topic (its consumers subscribe to these).
FEED_EVENTS: tuple[type[EventData], ...] = (
    DocumentPublished,
    DocumentRevoked,
    DocumentReplaced,
    DocumentUnpublished,
)
ADDRESSED_EVENTS: tuple[type[EventData], ...] = (
    DocumentDispatched,
    DocumentRecalled,
    IncomingStatusChanged,
)
FEED_EVENT_TYPES = frozenset(event.event_name for event in FEED_EVENTS)


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
    if isinstance(event, DocumentPublished | DocumentDispatched):
        return _of_document(event)
    if isinstance(event, DocumentRevoked | DocumentReplaced | DocumentUnpublished):
        return Routable(name, Channel.FEED, event.document_id, facts or DocumentFacts())
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


def _of_document(event: DocumentPublished | DocumentDispatched) -> Routable:
    """A document that travels with its event: published to the feed, or dispatched to the
    agencies it names (more urgent of the dispatch and the document)."""
    doc = event.document
    facts = DocumentFacts(doc_type=str(doc.doc_type), issuer=doc.issuer.code, field=doc.field)
    unclassified = doc.confidentiality is Confidentiality.THUONG
    if isinstance(event, DocumentPublished):
        channel, recipients = Channel.FEED, frozenset[str]()
        priority = _rank(doc.urgency)
        shareable = unclassified and doc.access is Access.PUBLIC
    else:
        channel, recipients = Channel.ADDRESSED, frozenset(event.recipients)
        priority = max(_rank(event.urgency), _rank(doc.urgency))
        shareable = unclassified
    return Routable(
        event.event_name, channel, event.document_id, facts, recipients, priority, shareable
    )


def filter_from_lists(
    event_types: Sequence[str] = (),
    doc_types: Sequence[str] = (),
    issuers: Sequence[str] = (),
    fields: Sequence[str] = (),
) -> SubscriptionFilter:
    return SubscriptionFilter(
        frozenset(event_types), frozenset(doc_types), frozenset(issuers), frozenset(fields)
    )
