"""A document taken off the portal (`document.unpublished`) reaches the feed subscribers that
would learn of its revocation: those granted the feed whose filter matches its facts."""

from __future__ import annotations

import datetime as dt

from services.lgsp.domain.partners import PartnerState, Service
from services.lgsp.domain.routing import (
    FEED_EVENT_TYPES,
    Channel,
    DocumentFacts,
    PartnerRoute,
    filter_from_lists,
    routable,
    route,
)
from shared.contracts.events import DocumentUnpublished

GONE = DocumentUnpublished(
    document_id="doc-1",
    document_version=7,
    notation="1637/QĐ-BNG",
    explanation="Đăng nhầm",
    unpublished_at=dt.datetime(2025, 6, 3, tzinfo=dt.UTC),
)


def partner(pid: str, *types: str, issuers: tuple[str, ...] = ()) -> PartnerRoute:
    return PartnerRoute(
        pid,
        f"code-{pid}",
        PartnerState.ACTIVE,
        frozenset({Service.PUBLIC_DOCUMENTS_FEED.value}),
        (filter_from_lists(event_types=types, issuers=issuers),),
    )


def test_unpublishing_goes_to_matching_feed_subscribers_only() -> None:
    assert "document.unpublished" in FEED_EVENT_TYPES
    target = routable(GONE, DocumentFacts("quyet_dinh", "000.00.00.G10", None))
    assert target.channel is Channel.FEED and target.subject == "doc-1"
    chosen = route(
        target,
        [
            partner("all"),
            partner("gone", "document.unpublished"),
            partner("only-published", "document.published"),
            partner("other-issuer", issuers=("000.00.00.H26",)),
        ],
    )
    assert chosen == ["all", "gone"]
