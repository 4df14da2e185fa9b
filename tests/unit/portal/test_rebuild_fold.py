"""The rebuild's in-memory fold follows the projection's rules: version guards per concern,
first slug claim wins, refused events leave no page, gone hides a page for good."""

from __future__ import annotations

import datetime as dt
import json

from services.portal.domain.index import page_terms
from services.portal.domain.page import page_body
from services.portal.domain.replay import SlugBook, fold, fold_batch, touched_ids
from shared.contracts.events import (
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
)
from shared.contracts.models import (
    ClaimCheck,
    DocumentSignature,
    OrgRef,
    SignedDocument,
    Signer,
)
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def publication(
    doc_id: str, version: int, subject: str = "Về việc", **changes: object
) -> DocumentPublished:
    values: dict[str, object] = {
        "document_id": doc_id,
        "notation": "1637/QĐ-BNG",
        "number": 1637,
        "year": 2025,
        "doc_type": DocumentType.QUYET_DINH,
        "subject": subject,
        "issuer": OrgRef(code="000.00.00.G10", name="Bộ Ngoại giao"),
        "signer": Signer(name="Bùi Thanh Sơn", position="Bộ trưởng"),
        "issue_date": dt.date(2025, 3, 28),
        "access": Access.PUBLIC,
        "confidentiality": Confidentiality.THUONG,
    }
    values.update(changes)
    return DocumentPublished(
        document_id=doc_id,
        document_version=version,
        document=SignedDocument(**values),  # type: ignore[arg-type]
        signature=DocumentSignature(kid="k", value="v", signed_at=NOW),
        attachments=[],
        published_at=NOW,
    )


def test_versions_are_guarded_per_concern_and_duplicates_change_nothing() -> None:
    pages: dict[str, dict[str, object]] = {}
    slugs = SlugBook()
    assert fold(pages, publication("a", 5, "năm"), "e5", slugs)
    assert fold(pages, publication("a", 3, "ba"), "e3", slugs)
    assert fold(pages, publication("a", 5, "trùng"), "e5b", slugs)
    assert pages["a"]["subject"] == "năm" and pages["a"]["applied"] == {
        "page": {"version": 5, "event_id": "e5"}
    }
    revoked = DocumentRevoked(
        document_id="a", document_version=6, notation="1637/QĐ-BNG", reason="sai", revoked_at=NOW
    )
    assert fold(pages, revoked, "r6", slugs)
    assert pages["a"]["revoked"]["reason"] == "sai" and pages["a"]["visible"] is True  # type: ignore[index]


def test_slugs_go_to_the_first_claimant_and_refused_events_leave_no_page() -> None:
    pages: dict[str, dict[str, object]] = {}
    slugs = SlugBook()
    fold(pages, publication("a", 1), "1", slugs)
    fold(pages, publication("b", 1), "2", slugs)
    assert pages["a"]["slug"] == "1637-qd-bng-2025"
    assert pages["b"]["slug"] != pages["a"]["slug"] and str(pages["b"]["slug"]).startswith("1637")
    secret = publication("c", 1, confidentiality=Confidentiality.MAT)
    assert not fold(pages, secret, "3", slugs) and "c" not in pages


def test_replacement_links_both_ways_and_gone_hides_for_good() -> None:
    pages: dict[str, dict[str, object]] = {}
    slugs = SlugBook()
    fold(pages, publication("old", 1), "1", slugs)
    replaced = DocumentReplaced(
        document_id="old",
        document_version=2,
        notation="1637/QĐ-BNG",
        replaced_by_id="new",
        replaced_by_notation="2/QĐ-BNG",
        replaced_at=NOW,
    )
    assert touched_ids(replaced) == ["old", "new"]
    fold(pages, replaced, "2", slugs)
    fold(pages, replaced, "2", slugs)
    assert pages["new"]["replaces"] == [{"id": "old", "notation": "1637/QĐ-BNG"}]
    assert pages["old"]["replaced_by"]["id"] == "new"  # type: ignore[index]
    gone = DocumentUnpublished(
        document_id="old",
        document_version=3,
        notation="1637/QĐ-BNG",
        explanation="nhầm",
        unpublished_at=NOW,
    )
    fold(pages, gone, "3", slugs)
    fold(pages, publication("old", 1), "1-again", slugs)
    assert pages["old"]["visible"] is False and pages["old"]["gone"]["explanation"] == "nhầm"  # type: ignore[index]


def test_slug_claims_are_handed_out_in_order_once_each() -> None:
    slugs = SlugBook()
    pages: dict[str, dict[str, object]] = {}
    fold(pages, publication("a", 1), "1", slugs)
    fold(pages, publication("b", 1), "2", slugs)
    fold(pages, publication("a", 2), "3", slugs)
    assert slugs.claims == [("1637-qd-bng-2025", "a"), (str(pages["b"]["slug"]), "b")]


def test_a_later_version_without_attachments_drops_the_earlier_list() -> None:
    """As the live projection's ``$unset``: a field the newer version leaves out is gone."""
    claim = ClaimCheck(
        attachment_id="f1",
        name="a.pdf",
        media_type="application/pdf",
        size=1,
        sha256="a" * 64,
        fetch_path="/api/v1/files/f1",
    )
    pages: dict[str, dict[str, object]] = {}
    slugs = SlugBook()
    fold(pages, publication("a", 1).model_copy(update={"attachments": [claim]}), "1", slugs)
    assert pages["a"]["attachments"] == [claim.model_dump(mode="json")]
    pages["a"]["body"] = "kept by a page written before"
    fold(pages, publication("a", 2), "2", slugs)
    assert "attachments" not in pages["a"] and "body" not in pages["a"]
    assert json.loads(str(pages["a"]["signature"]))["kid"] == "k"


def test_a_batch_hands_over_the_body_in_force_and_counts_what_it_refused() -> None:
    pages: dict[str, dict[str, object]] = {}
    events = [
        (publication("a", 5, body="Điều 1. Bản mới."), "e5"),
        (publication("a", 3, body="Điều 1. Bản cũ."), "e3"),  # older: the page keeps v5
        (publication("b", 1, body="Điều 1. Văn bản khác."), "b1"),
        (publication("c", 1, access=Access.INTERNAL), "c1"),  # never a page
    ]
    refused, bodies = fold_batch(pages, events, SlugBook())
    assert refused == 1
    assert bodies == {"a": "Điều 1. Bản mới.", "b": "Điều 1. Văn bản khác."}
    # What the indexer reads from the stored signed copy is the same text.
    assert all(page_body(pages[i]) == body for i, body in bodies.items())
    assert page_terms(pages["a"], bodies["a"]) == page_terms(pages["a"])
