"""Which events may become public pages, what they show, and how retries back off."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.portal.domain import present
from services.portal.domain.index import page_terms
from services.portal.domain.page import (
    LEGACY_FIELDS,
    FileStatus,
    page_fields,
    refusal,
    sort_key,
)
from services.portal.services.keys import JwksCache, JwksUnavailable
from shared.contracts.events import DocumentPublished
from shared.contracts.models import DocumentSignature, OrgRef, SignedDocument, Signer
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType
from shared.kit.backoff import Backoff
from shared.kit.claim_check import claim_url as fetch_url
from shared.signing import sign
from tests.support.infra import free_port


def event(**changes: object) -> DocumentPublished:
    document = SignedDocument(
        document_id="doc-1",
        notation="1637/QĐ-BNG",
        number=1637,
        year=2025,
        doc_type=DocumentType.QUYET_DINH,
        subject="Kế hoạch chuyển đổi số",
        issuer=OrgRef(code="000.00.00.G10", name="Bộ Ngoại giao"),
        signer=Signer(name="Bùi Thanh Sơn", position="Bộ trưởng"),
        issue_date=dt.date(2025, 3, 28),
        access=Access.PUBLIC,
    ).model_copy(update=changes)
    key = Ed25519PrivateKey.generate()
    return DocumentPublished(
        document_id="doc-1",
        document_version=3,
        document=document,
        signature=DocumentSignature(
            kid="k1", value=sign(document, key), signed_at=dt.datetime.now(dt.UTC)
        ),
        published_at=dt.datetime(2025, 3, 28, 8, tzinfo=dt.UTC),
    )


def test_a_public_unclassified_document_may_be_published() -> None:
    assert refusal(event()) is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"access": Access.INTERNAL}, "not public"),
        ({"confidentiality": Confidentiality.MAT}, "classified"),
        ({"confidentiality": Confidentiality.TUYET_MAT}, "classified"),
        ({"document_id": "other"}, "does not match"),
    ],
)
def test_internal_classified_or_inconsistent_documents_are_refused(
    changes: dict[str, object], words: str
) -> None:
    reason = refusal(event(**changes))
    assert reason is not None and words in reason


def test_a_page_keeps_what_the_public_needs_and_starts_unverified() -> None:
    fields = page_fields(event())
    assert fields["slug"] == "1637-qd-bng-2025"
    assert present.summary({**fields, "_id": "doc-1"})["type_name"] == "Quyết định"
    assert present.summary({**fields, "_id": "doc-1"})["type_name_en"] == "Decision"
    assert fields["signature_status"] == "pending"
    head, _ = page_terms(fields)
    assert {"quyet", "dinh", "1637", "qd", "bng"} <= set(head)
    assert fields["issue_date"] == "2025-03-28"


def test_the_body_is_stored_once_in_the_signed_copy_and_shown_from_it() -> None:
    published = event(
        body="Điều 1. Ban hành Kế hoạch hộ chiếu.",
        drafting_unit=OrgRef(code="000.00.31.H01", name="Cục Lãnh sự"),
    )
    page = {**page_fields(published), "_id": "doc-1"}
    assert not set(LEGACY_FIELDS) & set(page)
    assert page["signed"].count("Ban hành Kế hoạch hộ chiếu") == 1
    shown = present.detail(page, {}, {})
    assert shown["body"] == "Điều 1. Ban hành Kế hoạch hộ chiếu."
    assert (shown["signer"]["name"], shown["signer"]["position"]) == ("Bùi Thanh Sơn", "Bộ trưởng")
    assert shown["drafting_unit"]["name"] == "Cục Lãnh sự"
    assert shown["language"] == "vi"
    assert shown["type_name"] == "Quyết định"
    assert isinstance(page["signature"], str) and shown["signature"]["kid"] == "k1"
    _, body = page_terms(page)
    assert {"ho", "chieu", "ban", "hanh"} <= set(body)


def test_a_page_written_before_shows_and_indexes_its_own_fields() -> None:
    """Pages written before kept the display fields beside the signed copy (sometimes a
    nested object): they are shown as stored, whatever the signed copy holds."""
    page = {**page_fields(event(body="Văn bản ký.")), "_id": "doc-1"}
    page.update(
        {
            "signed": {"document_id": "doc-1", "body": "Văn bản ký."},
            "body": "Nội dung đã lưu.",
            "signer": {"name": "Người ký đã lưu", "position": "Thứ trưởng"},
            "drafting_unit": None,
            "language": "en",
            "type_name": "Quyết định (cũ)",
            "type_name_en": "Decision (old)",
            "signature": {"alg": "EdDSA", "kid": "k-old", "value": "v", "signed_at": "x"},
        }
    )
    shown = present.detail(page, {}, {})
    assert shown["body"] == "Nội dung đã lưu."
    assert shown["signer"]["name"] == "Người ký đã lưu"
    assert shown["language"] == "en" and shown["signature"]["kid"] == "k-old"
    assert (shown["type_name"], shown["type_name_en"]) == ("Quyết định (cũ)", "Decision (old)")
    head, body = page_terms(page)
    assert "cu" in head and {"noi", "dung", "luu"} <= set(body)


def test_pages_sort_newest_first_by_issue_date_then_publication() -> None:
    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    older = sort_key(dt.date(2025, 1, 1), at, "a")
    newer = sort_key(dt.date(2025, 1, 2), at, "a")
    later = sort_key(dt.date(2025, 1, 2), at + dt.timedelta(seconds=1), "a")
    assert older < newer < later


class _Highest(random.Random):
    """The jitter's top: the delay is the whole exponential step."""

    def random(self) -> float:
        return 1.0


def test_retries_back_off_exponentially_up_to_a_cap() -> None:
    assert [Backoff(5, 60).delay(n, _Highest()) for n in range(1, 6)] == [5, 10, 20, 40, 60]


def test_only_verified_files_get_a_download_link() -> None:
    page = {**page_fields(event()), "_id": "doc-1"}
    page["attachments"] = [
        {"name": "a.pdf", "media_type": "application/pdf", "size": 1, "sha256": "a" * 64},
        {"name": "b.pdf", "media_type": "application/pdf", "size": 1, "sha256": "b" * 64},
    ]
    statuses = {"a" * 64: str(FileStatus.OK), "b" * 64: str(FileStatus.MISMATCH)}
    body = present.detail(page, statuses, {})
    assert body["attachments"][0]["url"] == f"/van-ban/1637-qd-bng-2025/files/{'a' * 64}"
    assert body["attachments"][1]["url"] is None


def test_claim_checks_are_fetched_only_from_the_documents_service() -> None:
    assert fetch_url("http://docs:8001/", "/api/v1/files/x") == "http://docs:8001/api/v1/files/x"
    assert fetch_url("http://docs:8001", "//evil.example/x") is None
    assert fetch_url("http://docs:8001", "http://evil.example/x") is None


async def test_an_unreachable_key_set_leaves_signatures_unchecked() -> None:
    cache = JwksCache(f"http://127.0.0.1:{free_port()}/jwks", ttl_s=60, min_refresh_s=0)
    with pytest.raises(JwksUnavailable):
        await cache.for_kid("k1")


async def test_an_unknown_key_is_looked_up_again_before_a_verdict() -> None:
    from tests.integration.portal.support import DocumentsStandIn

    async with DocumentsStandIn() as server:
        cache = JwksCache(f"{server.url}/.well-known/jwks.json", ttl_s=60, min_refresh_s=0.2)
        assert server.kid in str(await cache.for_kid(server.kid))
        with pytest.raises(JwksUnavailable):  # just fetched: wait before fetching again
            await cache.for_kid("rotated")
        await asyncio.sleep(0.25)
        jwks = await cache.for_kid("rotated")  # fetched anew: still unknown, so a verdict
        assert "rotated" not in str(jwks)
        assert server.requests.count("jwks") == 2
