"""Document events from the public topic become public pages, in version order."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from shared.contracts.events import DocumentReplaced, DocumentRevoked
from shared.contracts.topics import DOCUMENTS_PUBLIC
from shared.contracts.vocabulary import Access, Confidentiality
from tests.integration.portal.conftest import Portal
from tests.integration.portal.support import published, signed_document
from tests.support.kafka import TopicReader, header, produce_raw


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def test_a_published_document_becomes_an_html_page_and_json(portal: Portal) -> None:
    doc = signed_document(notation="1637/QĐ-BNG")
    body, seconds = await portal.timed_document(published(portal.documents, doc))
    print(f"event produced -> page visible: {seconds * 1000:.0f} ms")
    assert body["notation"] == "1637/QĐ-BNG"
    assert body["type_name"] == "Quyết định"
    assert body["issuer"]["name"] == "Bộ Ngoại giao"
    assert body["slug"].startswith("1637-qd-bng-2025")

    page = await portal.client.get(body["url"], headers={"accept": "text/html"})
    assert page.status_code == 200
    for text in ("1637/QĐ-BNG", "Quyết định", "Bùi Thanh Sơn", "28/03/2025", doc.subject):
        assert text in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    listing = await portal.client.get("/van-ban")
    assert body["url"] in listing.text
    assert body["url"] in (await portal.client.get("/")).text
    assert f"/en/documents/{body['slug']}" in (await portal.client.get("/en/documents")).text
    assert body["url"] in (await portal.client.get("/feed.atom")).text
    sitemap_index = (await portal.client.get("/sitemap.xml")).text
    month = f"/sitemap-{doc.issue_date:%Y-%m}.xml"
    assert month in sitemap_index and "/sitemap-pages.xml" in sitemap_index
    assert body["url"] in (await portal.client.get(month)).text
    by_id = await portal.client.get(f"/van-ban/{doc.document_id}", follow_redirects=False)
    assert by_id.status_code == 301 and by_id.headers["location"] == body["url"]


async def test_duplicate_and_older_events_never_regress_a_page(portal: Portal) -> None:
    doc = signed_document(notation="201/QĐ-BNG", subject="Phiên bản năm")
    await portal.publish(published(portal.documents, doc, version=5))
    await portal.document(doc.document_id, lambda b: b["version"] == 5)
    older = doc.model_copy(update={"subject": "Phiên bản ba"})
    await portal.publish(published(portal.documents, older, version=3))
    same = doc.model_copy(update={"subject": "Bản trùng phiên bản năm"})
    await portal.publish(published(portal.documents, same, version=5))
    newer = doc.model_copy(update={"subject": "Phiên bản sáu"})
    await portal.publish(published(portal.documents, newer, version=6))
    await portal.document(doc.document_id, lambda b: b["version"] == 6)
    stale = doc.model_copy(update={"subject": "Phiên bản bốn"})
    await portal.publish(published(portal.documents, stale, version=4))
    # Same key, same partition: once the revocation shows, the stale event was handled.
    revoke = DocumentRevoked(
        document_id=doc.document_id,
        document_version=7,
        notation=doc.notation,
        reason="Kiểm tra thứ tự",
        revoked_at=now(),
    )
    await portal.publish(revoke)
    body = await portal.document(doc.document_id, lambda b: b["revoked"] is not None)
    assert body["subject"] == "Phiên bản sáu"
    assert body["version"] == 6


async def test_a_revoked_document_stays_with_a_withdrawn_banner(portal: Portal) -> None:
    doc = signed_document(notation="305/QĐ-BNG")
    await portal.publish(published(portal.documents, doc, version=4))
    revoke = DocumentRevoked(
        document_id=doc.document_id,
        document_version=5,
        notation=doc.notation,
        reason="Ban hành sai thẩm quyền",
        revoked_at=dt.datetime(2025, 4, 2, 3, 0, tzinfo=dt.UTC),
    )
    await portal.publish(revoke)
    await portal.publish(revoke)  # a duplicate changes nothing
    body = await portal.document(doc.document_id, lambda b: b["revoked"] is not None)
    assert body["revoked"]["reason"] == "Ban hành sai thẩm quyền"
    page = await portal.client.get(body["url"])
    assert "Đã thu hồi" in page.text
    assert "02/04/2025" in page.text
    assert "Ban hành sai thẩm quyền" in page.text


async def test_a_replacement_is_linked_both_ways_whichever_arrives_first(portal: Portal) -> None:
    old = signed_document(notation="410/QĐ-BNG", subject="Văn bản cũ")
    new = signed_document(notation="411/QĐ-BNG", subject="Văn bản thay thế")
    await portal.publish(published(portal.documents, new, version=4))
    await portal.publish(
        DocumentReplaced(
            document_id=old.document_id,
            document_version=5,
            notation=old.notation,
            replaced_by_id=new.document_id,
            replaced_by_notation=new.notation,
            reason="Sửa sai sót",
            replaced_at=now(),
        )
    )
    # The old document's own publication arrives last (an out-of-order replay).
    await portal.publish(published(portal.documents, old, version=4))
    old_body = await portal.document(old.document_id, lambda b: b["replaced_by"] is not None)
    new_body = await portal.document(new.document_id, lambda b: bool(b["replaces"]))
    assert old_body["replaced_by"]["url"] == new_body["url"]
    assert new_body["replaces"][0]["url"] == old_body["url"]
    old_page = (await portal.client.get(old_body["url"])).text
    assert f'href="{new_body["url"]}"' in old_page
    new_page = (await portal.client.get(new_body["url"])).text
    assert f'href="{old_body["url"]}"' in new_page


async def test_non_public_and_classified_documents_are_refused_to_the_dead_letter_topic(
    portal: Portal,
) -> None:
    internal = signed_document(notation="512/QĐ-BNG", access=Access.INTERNAL)
    secret = signed_document(notation="513/QĐ-BNG", confidentiality=Confidentiality.MAT)
    await portal.publish(published(portal.documents, internal))
    await portal.publish(published(portal.documents, secret))
    dlq = DOCUMENTS_PUBLIC + portal.suffix + ".dlq"
    refused_ids = {internal.document_id, secret.document_id}
    async with TopicReader(dlq) as reader:
        for _ in range(60):
            records = await reader.poll(0.5)
            mine = [r for r in records if r.key and r.key.decode() in refused_ids]
            if len(mine) >= 2:
                break
    reasons = {r.key.decode(): header(r, "dlq_reason") or "" for r in mine}
    assert "not public" in reasons[internal.document_id]
    assert "classified" in reasons[secret.document_id]
    for document_id in refused_ids:
        assert (await portal.client.get(f"/api/v1/documents/{document_id}")).status_code == 404


async def test_a_malformed_record_is_dead_lettered_and_the_portal_keeps_serving(
    portal: Portal,
) -> None:
    key = uuid.uuid4().hex
    topic = DOCUMENTS_PUBLIC + portal.suffix
    await produce_raw(topic, b"{not json", key=key.encode(), headers={"ce_type": "x"})
    await produce_raw(
        topic,
        json.dumps({"document_id": key}).encode(),
        key=key.encode(),
        headers={
            "ce_specversion": "1.0",
            "ce_id": uuid.uuid4().hex,
            "ce_source": "urn:test",
            "ce_type": "gov.egov.document.published.v1",
            "ce_time": "2025-01-01T00:00:00Z",
            "ce_subject": key,
        },
    )
    async with TopicReader(DOCUMENTS_PUBLIC + portal.suffix + ".dlq") as reader:
        for _ in range(60):
            mine = [r for r in await reader.poll(0.5) if r.key == key.encode()]
            if len(mine) >= 2:
                break
    assert len(mine) == 2
    assert all(header(r, "dlq_reason") for r in mine)
    doc = signed_document(notation="601/QĐ-BNG")
    await portal.publish(published(portal.documents, doc))
    assert (await portal.document(doc.document_id))["notation"] == "601/QĐ-BNG"


async def test_pages_appear_well_within_a_second_of_the_event(portal: Portal) -> None:
    timings = []
    for n in range(10):
        doc = signed_document(notation=f"{700 + n}/TB-BNG")
        _, seconds = await portal.timed_document(published(portal.documents, doc))
        timings.append(seconds)
    timings.sort()
    print(f"event -> page: median {timings[5] * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms")
    assert timings[5] < 1.0
