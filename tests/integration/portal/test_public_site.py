"""What a citizen meets: validators and 304s, gone pages (410), ranked and faceted search
with highlights, English pages that keep the page on a language switch, and bad filters
explained in HTML."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from shared.contracts.events import DocumentUnpublished
from shared.contracts.models import OrgRef
from shared.contracts.vocabulary import DocumentType
from tests.integration.portal.conftest import Portal
from tests.integration.portal.support import published, signed_document
from tests.support.kafka import eventually

HTML = {"accept": "text/html"}


async def indexed(portal: Portal, q: str, document_id: str) -> bool:
    found = (await portal.client.get("/api/v1/search", params={"q": q})).json()
    return any(item["id"] == document_id for item in found["items"])


async def test_pages_answer_304_until_a_publication_changes_them(portal: Portal) -> None:
    first = await portal.client.get("/van-ban", headers=HTML)
    etag, dated = first.headers["etag"], first.headers["last-modified"]
    assert "stale-while-revalidate=" in first.headers["cache-control"]
    assert "s-maxage=" in first.headers["cache-control"]
    again = await portal.client.get("/van-ban", headers={**HTML, "if-none-match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    for path in ("/api/v1/documents", "/feed.atom", "/sitemap.xml", "/"):
        answer = await portal.client.get(path)
        assert answer.headers.get("etag") and answer.headers.get("last-modified"), path
        cached = await portal.client.get(path, headers={"if-none-match": answer.headers["etag"]})
        assert cached.status_code == 304, path

    doc = signed_document(notation=f"{random.randint(1000, 9999)}/QĐ-BNG")
    await portal.publish(published(portal.documents, doc))
    await portal.document(doc.document_id)
    fresh = await portal.client.get("/van-ban", headers={**HTML, "if-none-match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert doc.notation in fresh.text
    since = await portal.client.get("/van-ban", headers={**HTML, "if-modified-since": dated})
    assert since.status_code == 200


async def test_an_unpublished_document_is_gone_with_its_explanation(portal: Portal) -> None:
    doc = signed_document(notation=f"{random.randint(1000, 9999)}/QĐ-BNG", subject="Đăng nhầm")
    body, _ = await portal.timed_document(published(portal.documents, doc, version=3))
    await portal.publish(
        DocumentUnpublished(
            document_id=doc.document_id,
            document_version=4,
            notation=doc.notation,
            explanation="Văn bản không thuộc diện công khai",
            unpublished_at=dt.datetime.now(dt.UTC),
        )
    )

    async def gone() -> Any:
        answer = await portal.client.get(f"/api/v1/documents/{doc.document_id}")
        return answer if answer.status_code == 410 else None

    answer = await eventually(gone)
    assert "Văn bản không thuộc diện công khai" in answer.json()["detail"]
    page = await portal.client.get(body["url"], headers=HTML)
    assert page.status_code == 410 and "Văn bản không thuộc diện công khai" in page.text
    english = await portal.client.get(f"/en/documents/{body['slug']}", headers=HTML)
    assert english.status_code == 410 and "removed from the portal" in english.text
    assert body["url"] not in (await portal.client.get("/van-ban")).text
    # An older publication redelivered never brings it back.
    await portal.publish(published(portal.documents, doc, version=3))
    await eventually(lambda: _not_indexed(portal, doc.notation, doc.document_id))
    assert (await portal.client.get(f"/api/v1/documents/{doc.document_id}")).status_code == 410


async def _not_indexed(portal: Portal, q: str, document_id: str) -> bool:
    return not await indexed(portal, q, document_id)


async def test_search_ranks_marks_counts_and_answers_an_exact_notation(portal: Portal) -> None:
    n = random.randint(10_000, 99_999)
    exact = signed_document(
        notation=f"{n}/QĐ-BNG", subject="Về công tác văn thư", issue_date=dt.date(2023, 1, 5)
    )
    both = signed_document(
        notation=f"{n + 1}/QĐ-BNG",
        subject=f"Kế hoạch tinhgon{n} và bảo mật{n}",
        issue_date=dt.date(2024, 2, 1),
    )
    one = signed_document(
        notation=f"{n + 2}/TB-BNG",
        doc_type=DocumentType.THONG_BAO,
        subject=f"Thông báo tinhgon{n}",
        body=f"bảo mật{n} trong nội dung",
        issue_date=dt.date(2025, 4, 1),
        issuer=OrgRef(code="000.00.31.H01", name="Cục Lãnh sự"),
    )
    for doc in (exact, both, one):
        await portal.publish(published(portal.documents, doc))
    await eventually(lambda: indexed(portal, f"tinhgon{n}", one.document_id))
    await eventually(lambda: indexed(portal, f"tinhgon{n}", both.document_id))

    found = (
        await portal.client.get("/api/v1/search", params={"q": f"tinhgon{n} bao mat{n}"})
    ).json()
    # Both words in the heading outrank one in the heading and one only in the body.
    assert [i["id"] for i in found["items"]] == [both.document_id, one.document_id]
    assert found["total"] == 2 and found["facets"]["types"] == {"quyet_dinh": 1, "thong_bao": 1}
    assert found["facets"]["issuers"]["000.00.31.H01"] == 1
    assert found["issuer_names"]["000.00.31.H01"] == "Cục Lãnh sự"
    marked = [r["text"] for r in found["items"][0]["subject_marked"] if r["match"]]
    assert marked == [f"tinhgon{n}", "bảo", f"mật{n}"]

    by_notation = (await portal.client.get("/api/v1/search", params={"q": f"{n}/QĐ-BNG"})).json()
    assert by_notation["exact"]["id"] == exact.document_id
    assert by_notation["items"][0]["id"] == exact.document_id
    page = await portal.client.get("/van-ban", params={"q": f"tinhgon{n}"}, headers=HTML)
    assert "2 kết quả" in page.text and f"<mark>tinhgon{n}</mark>" in page.text
    assert "Cục Lãnh sự (1)" in page.text


async def test_english_pages_translate_and_keep_the_page_on_a_switch(portal: Portal) -> None:
    doc = signed_document(notation=f"{random.randint(1000, 9999)}/QĐ-BNG")
    body, _ = await portal.timed_document(published(portal.documents, doc))
    page = await portal.client.get(f"/en/documents/{body['slug']}", headers=HTML)
    assert page.status_code == 200
    for text in ("Ministry of Foreign Affairs", "Decision", "28 March 2025", "Vietnamese only"):
        assert text in page.text, text
    assert f'href="/van-ban/{body["slug"]}"' in page.text  # the switch keeps the page
    vi = await portal.client.get(body["url"], headers=HTML)
    assert f'href="/en/documents/{body["slug"]}"' in vi.text
    assert 'aria-current="page"' in vi.text and "Còn hiệu lực" in vi.text
    for path in ("/en", "/en/about", "/en/leadership", "/en/news", "/lanh-dao", "/gioi-thieu"):
        answer = await portal.client.get(path, headers=HTML)
        assert answer.status_code == 200, path
    listing = await portal.client.get("/en/documents", params={"q": "x"}, headers=HTML)
    assert 'href="/van-ban?q=x"' in listing.text


async def test_bad_filters_get_an_html_page_that_explains_them(portal: Portal) -> None:
    reversed_dates = await portal.client.get(
        "/van-ban", params={"date_from": "2025-06-01", "date_to": "2025-01-01"}, headers=HTML
    )
    assert reversed_dates.status_code == 400
    assert reversed_dates.headers["content-type"].startswith("text/html")
    assert "Từ ngày" in reversed_dates.text and "Đến ngày" in reversed_dates.text
    long_query = await portal.client.get("/en/documents", params={"q": "x" * 300}, headers=HTML)
    assert long_query.status_code == 400 and "at most 200 characters" in long_query.text
    api = await portal.client.get("/api/v1/documents", params={"q": "x" * 300}, headers=HTML)
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_the_home_page_features_important_documents_and_paginates(portal: Portal) -> None:
    featured = signed_document(notation="1637/QĐ-BNG", issue_date=dt.date(2019, 3, 28))
    await portal.timed_document(published(portal.documents, featured))
    home = await portal.client.get("/", headers=HTML)
    assert "Văn bản quan trọng" in home.text and "1637/QĐ-BNG" in home.text
    listing = await portal.client.get("/van-ban", params={"page": 1}, headers=HTML)
    assert 'aria-label="Phân trang"' in listing.text or "doc-item" in listing.text
