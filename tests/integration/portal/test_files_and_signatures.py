"""Attachments come by claim check and are checked by SHA-256; signatures get a badge."""

from __future__ import annotations

import os
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.portal.components import JWKS_PATH
from services.portal.domain.page import page_fields
from services.portal.repositories import PageRepository, PendingWork
from services.portal.services.jobs import SignatureJobs
from services.portal.services.keys import JwksCache
from shared.contracts.topics import DOCUMENTS_PUBLIC
from tests.integration.portal.conftest import Portal
from tests.integration.portal.support import (
    DocumentsStandIn,
    claim_check,
    published,
    signed_document,
)
from tests.support.kafka import TopicReader, header


async def test_an_attachment_is_fetched_verified_and_downloadable(portal: Portal) -> None:
    content = b"%PDF-1.7\n" + os.urandom(300_000)
    sha = portal.documents.add_file(content)
    claim = claim_check(sha, len(content), name="Quyết định 1637.pdf")
    doc = signed_document(notation="1701/QĐ-BNG", attachments=[claim])
    await portal.publish(published(portal.documents, doc, attachments=[claim]))
    body = await portal.document(doc.document_id, lambda b: b["attachments"][0]["available"])
    download = await portal.client.get(body["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.content == content
    assert "attachment" in download.headers["content-disposition"]
    assert "sandbox" in download.headers["content-security-policy"]
    assert any(r.startswith(f"file:{sha}:Bearer") for r in portal.documents.requests)
    page = await portal.client.get(body["url"])
    assert body["attachments"][0]["url"] in page.text


async def test_an_attachment_with_the_wrong_hash_is_never_served_and_is_dead_lettered(
    portal: Portal,
) -> None:
    expected = b"the signed bytes " + os.urandom(64)
    sha = portal.documents.add_file(expected, serve=b"tampered bytes")
    claim = claim_check(sha, len(expected))
    doc = signed_document(notation="1702/QĐ-BNG", attachments=[claim])
    await portal.publish(published(portal.documents, doc, attachments=[claim]))
    body = await portal.document(doc.document_id)
    async with TopicReader(DOCUMENTS_PUBLIC + portal.suffix + ".dlq") as reader:
        for _ in range(60):
            mine = [r for r in await reader.poll(0.5) if r.key == doc.document_id.encode()]
            if mine:
                break
    reason = header(mine[0], "dlq_reason") or ""
    assert "sha256 mismatch" in reason and sha in reason
    body = await portal.document(doc.document_id)
    assert body["attachments"][0]["available"] is False
    assert body["attachments"][0]["url"] is None
    page = await portal.client.get(body["url"])
    assert "Tệp tạm thời chưa thể tải về" in page.text
    direct = await portal.client.get(f"{body['url']}/files/{sha}")
    assert direct.status_code == 404


async def test_a_valid_signature_gets_the_verified_badge(portal: Portal) -> None:
    doc = signed_document(notation="1703/QĐ-BNG")
    await portal.publish(published(portal.documents, doc))
    body = await portal.document(doc.document_id, lambda b: b["signature"]["status"] != "pending")
    assert body["signature"]["status"] == "verified"
    assert "Chữ ký số hợp lệ" in (await portal.client.get(body["url"])).text


async def test_a_signature_that_does_not_match_the_document_is_shown_as_not_valid(
    portal: Portal,
) -> None:
    doc = signed_document(notation="1704/QĐ-BNG")
    await portal.publish(published(portal.documents, doc, tamper=True))
    body = await portal.document(doc.document_id, lambda b: b["signature"]["status"] != "pending")
    assert body["signature"]["status"] == "failed"
    assert "Chữ ký số không hợp lệ" in (await portal.client.get(body["url"])).text


async def test_a_file_missing_at_first_is_fetched_again_later(portal: Portal) -> None:
    content = b"late file " + os.urandom(32)
    claim = claim_check(portal.documents.add_file(content), len(content))
    del portal.documents.files[claim.sha256]
    doc = signed_document(notation="1705/QĐ-BNG", attachments=[claim])
    await portal.publish(published(portal.documents, doc, attachments=[claim]))
    body = await portal.document(doc.document_id)
    assert body["attachments"][0]["available"] is False
    portal.documents.add_file(content)
    body = await portal.document(doc.document_id, lambda b: b["attachments"][0]["available"])
    assert (await portal.client.get(body["attachments"][0]["url"])).content == content


async def test_a_fetch_path_off_the_documents_service_is_refused_and_reported(
    portal: Portal,
) -> None:
    content = b"elsewhere"
    claim = claim_check(portal.documents.add_file(content), len(content)).model_copy(
        update={"fetch_path": "//evil.example/file"}
    )
    doc = signed_document(notation="1706/QĐ-BNG", attachments=[claim])
    await portal.publish(published(portal.documents, doc, attachments=[claim]))
    async with TopicReader(DOCUMENTS_PUBLIC + portal.suffix + ".dlq") as reader:
        for _ in range(60):
            mine = [r for r in await reader.poll(0.5) if r.key == doc.document_id.encode()]
            if mine:
                break
    assert "fetch path not allowed" in (header(mine[0], "dlq_reason") or "")
    body = await portal.document(doc.document_id)
    assert body["attachments"][0]["available"] is False


async def test_a_page_stored_before_in_the_old_shape_is_still_checked(
    db: AsyncDatabase[Any], stand_in: DocumentsStandIn
) -> None:
    """Pages written before the signed copy became one string kept it as a nested object:
    the worker of a portal upgraded in place still checks both."""
    pages, queue = PageRepository(db), PendingWork(db, "signature_pending")
    shapes = {}
    for name, tamper in (("old", False), ("new", False), ("old-tampered", True)):
        doc = signed_document(document_id=f"shape-{name}", notation="1705/QĐ-BNG")
        fields = page_fields(published(stand_in, doc, tamper=tamper))
        assert isinstance(fields["signed"], str)
        if name.startswith("old"):
            fields["signed"] = doc.model_dump(mode="json")
        await pages.apply(doc.document_id, concern="page", version=5, event_id=name, fields=fields)
        await queue.add(doc.document_id, 5)
        shapes[name] = doc.document_id
    keys = JwksCache(stand_in.url + JWKS_PATH, ttl_s=60, min_refresh_s=0.1, timeout_s=5)
    assert await SignatureJobs(pages, queue, keys).run_pending() == 3
    status = {n: (await pages.get(i) or {}).get("signature_status") for n, i in shapes.items()}
    assert status == {"old": "verified", "new": "verified", "old-tampered": "failed"}
