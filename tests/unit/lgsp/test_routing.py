"""What goes to whom: properties of the pure routing function."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.lgsp.domain.partners import PartnerState, Service
from services.lgsp.domain.routing import (
    Channel,
    DocumentFacts,
    PartnerRoute,
    Routable,
    SubscriptionFilter,
    routable,
    route,
)
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType, Urgency
from tests.unit.lgsp.factories import dispatched, published, recalled, signed_document

CODES = ["000.00.00.G10", "000.00.00.G22", "000.00.00.H26", "000.01.02.A01", "BNG"]
FEED = Service.PUBLIC_DOCUMENTS_FEED.value
codes = st.sampled_from(CODES)
filters = st.builds(
    SubscriptionFilter,
    event_types=st.frozensets(st.sampled_from(["document.published", "document.revoked"])),
    doc_types=st.frozensets(st.sampled_from(["quyet_dinh", "cong_van"])),
    issuers=st.frozensets(codes, max_size=2),
    fields=st.frozensets(st.sampled_from(["ngoai-giao", "lao-dong"]), max_size=1),
)
partners = st.lists(
    st.builds(
        PartnerRoute,
        partner_id=st.uuids().map(str),
        code=codes,
        state=st.sampled_from(list(PartnerState)),
        grants=st.frozensets(st.sampled_from([FEED, Service.DOCUMENT_LOOKUP.value])),
        subscriptions=st.lists(filters, max_size=3).map(tuple),
    ),
    max_size=8,
)
events = st.builds(
    Routable,
    event_type=st.sampled_from(["document.published", "document.revoked", "document.dispatched"]),
    channel=st.sampled_from(list(Channel)),
    subject=st.just("doc-1"),
    facts=st.builds(
        DocumentFacts,
        doc_type=st.sampled_from(["quyet_dinh", "cong_van", None]),
        issuer=st.one_of(st.none(), codes),
        field=st.sampled_from(["ngoai-giao", "lao-dong", None]),
    ),
    recipients=st.frozensets(codes, max_size=3),
    priority=st.integers(0, 3),
    shareable=st.booleans(),
)


@given(events, partners)
def test_an_addressed_event_reaches_exactly_the_named_agencies_that_are_not_disabled(
    event: Routable, all_partners: list[PartnerRoute]
) -> None:
    addressed = Routable(
        event.event_type, Channel.ADDRESSED, event.subject, event.facts, event.recipients
    )
    chosen = set(route(addressed, all_partners))
    expected = {
        p.partner_id
        for p in all_partners
        if p.code in event.recipients and p.state is not PartnerState.DISABLED
    }
    assert chosen == expected


@given(events, partners)
def test_nobody_receives_a_feed_event_without_the_grant_and_a_matching_subscription(
    event: Routable, all_partners: list[PartnerRoute]
) -> None:
    by_id = {p.partner_id: p for p in all_partners}
    for pid in route(event, all_partners):
        partner = by_id[pid]
        if event.channel is Channel.FEED:
            assert partner.state is PartnerState.ACTIVE
            assert FEED in partner.grants
            assert any(s.matches(event) for s in partner.subscriptions)
        else:
            assert partner.code in event.recipients


@given(events, partners)
def test_what_must_not_leave_the_ministry_reaches_nobody(
    event: Routable, all_partners: list[PartnerRoute]
) -> None:
    hidden = Routable(
        event.event_type,
        event.channel,
        event.subject,
        event.facts,
        event.recipients,
        shareable=False,
    )
    assert route(hidden, all_partners) == []


@given(
    st.lists(codes, min_size=1, max_size=3, unique=True),
    st.sampled_from(list(DocumentType)),
    st.sampled_from(list(Urgency)),
    partners,
)
def test_a_dispatched_document_goes_only_to_its_recipients_never_to_feed_subscribers(
    recipients: list[str],
    doc_type: DocumentType,
    urgency: Urgency,
    all_partners: list[PartnerRoute],
) -> None:
    doc = signed_document(doc_type=doc_type, access=Access.INTERNAL, recipients=recipients)
    target = routable(dispatched(recipients, doc=doc, urgency=urgency))
    chosen = set(route(target, all_partners))
    assert all(p.code in recipients for p in all_partners if p.partner_id in chosen)
    assert target.channel is Channel.ADDRESSED
    assert target.priority >= 0


def test_a_publication_is_a_feed_notice_and_a_dispatch_an_addressed_message() -> None:
    assert routable(published()).channel is Channel.FEED
    assert routable(dispatched(["BNG"])).channel is Channel.ADDRESSED
    assert routable(recalled("d", ["BNG"])).recipients == frozenset({"BNG"})


def test_an_internal_publication_is_not_shareable() -> None:
    doc = signed_document(access=Access.INTERNAL)
    assert not routable(published(doc)).shareable
    assert routable(published()).shareable
    assert doc.confidentiality == Confidentiality.THUONG


def test_urgent_dispatches_rank_above_routine_ones() -> None:
    assert routable(dispatched(["BNG"], urgency=Urgency.HOA_TOC)).priority == 3
    assert routable(dispatched(["BNG"])).priority == 0


def test_empty_filters_match_everything_and_lists_must_contain_the_value() -> None:
    event = Routable("document.published", Channel.FEED, "d", DocumentFacts("cong_van", "BNG"))
    assert SubscriptionFilter().matches(event)
    assert SubscriptionFilter(doc_types=frozenset({"cong_van"})).matches(event)
    assert not SubscriptionFilter(doc_types=frozenset({"quyet_dinh"})).matches(event)
    assert not SubscriptionFilter(fields=frozenset({"x"})).matches(event)
