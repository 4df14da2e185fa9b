"""Search and filters over documents, insensitive to case and diacritics; bad input is 4xx."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from shared.contracts.models import OrgRef
from shared.contracts.vocabulary import DocumentType
from tests.integration.portal.conftest import Portal
from tests.integration.portal.support import published, signed_document
from tests.support.kafka import eventually


async def searchable(portal: Portal, q: str, document_id: str) -> bool | None:
    found = await portal.client.get("/api/v1/documents", params={"q": q})
    return document_id in ids(found) or None


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture(scope="module")
async def corpus(portal: Portal) -> dict[str, Any]:
    number = random.randint(1000, 9999)
    decision = signed_document(
        notation=f"{number}/QĐ-BNG",
        subject="Về việc triển khai Phong trào Bình dân học vụ số",
        body="Đẩy mạnh chuyển đổi số trong ngành ngoại giao.",
        issue_date=dt.date(2025, 3, 28),
    )
    circular = signed_document(
        notation=f"0{number % 9 + 1}/2024/TT-BNG",
        doc_type=DocumentType.THONG_TU,
        subject="Hướng dẫn công tác lãnh sự",
        body="Quy định về hộ chiếu ngoại giao.",
        issue_date=dt.date(2024, 6, 3),
        field_name="Lãnh sự",
        issuer=OrgRef(code="000.00.31.H01", name="Cục Lãnh sự"),
    )
    letter = signed_document(
        notation=f"{number + 1}/BNG-CNTT",
        doc_type=DocumentType.CONG_VAN,
        subject="Đôn đốc đào tạo kỹ năng số",
        body="Đề nghị các đơn vị cử cán bộ tham dự.",
        issue_date=dt.date(2025, 5, 12),
    )
    for doc in (decision, circular, letter):
        await portal.publish(published(portal.documents, doc))
    for doc in (decision, circular, letter):
        await portal.document(doc.document_id)
    # Words are indexed by the background worker, a moment after the page shows.
    for doc in (decision, circular, letter):
        await eventually(lambda doc=doc: searchable(portal, doc.subject, doc.document_id))
    return {"number": number, "decision": decision, "circular": circular, "letter": letter}


@pytest.mark.parametrize(
    "query",
    ["quyet dinh {n}", "QUYẾT ĐỊNH {n}", "{n}/QĐ-BNG", "{n} qd bng", "binh dan hoc vu so"],
)
async def test_search_finds_a_decision_with_or_without_diacritics(
    portal: Portal, corpus: dict[str, Any], query: str
) -> None:
    q = query.format(n=corpus["number"])
    found = ids(await portal.client.get("/api/v1/documents", params={"q": q}))
    assert corpus["decision"].document_id in found


async def test_search_maps_d_with_stroke_to_d(portal: Portal, corpus: dict[str, Any]) -> None:
    letter = corpus["letter"].document_id
    for q in ("đôn đốc đào tạo", "don doc dao tao", "ĐÔN ĐỐC", "DON DOC"):
        assert letter in ids(await portal.client.get("/api/v1/documents", params={"q": q}))
    html = await portal.client.get("/van-ban", params={"q": "don doc dao tao"})
    assert corpus["letter"].notation in html.text


async def test_search_needs_every_word(portal: Portal, corpus: dict[str, Any]) -> None:
    found = ids(await portal.client.get("/api/v1/documents", params={"q": "don doc lanh su"}))
    assert not found & {corpus["letter"].document_id, corpus["circular"].document_id}


async def test_filters_narrow_the_list(portal: Portal, corpus: dict[str, Any]) -> None:
    get = portal.client.get
    circular = corpus["circular"].document_id
    assert ids(await get("/api/v1/documents", params={"type": "thong_tu"})) == {circular}
    assert ids(await get("/api/v1/documents", params={"issuer": "000.00.31.H01"})) == {circular}
    assert ids(await get("/api/v1/documents", params={"field": "Lãnh sự"})) == {circular}
    assert ids(await get("/api/v1/documents", params={"year": "2024"})) == {circular}
    in_may = {"date_from": "2025-05-01", "date_to": "2025-05-31"}
    assert ids(await get("/api/v1/documents", params=in_may)) == {corpus["letter"].document_id}
    lookup = {"notation": corpus["decision"].notation, "year": "2025"}
    assert ids(await get("/api/v1/documents", params=lookup)) == {corpus["decision"].document_id}
    html = await get("/van-ban", params={"type": "thong_tu", "year": "", "q": ""})
    assert corpus["circular"].notation in html.text
    assert corpus["letter"].notation not in html.text


async def test_pages_follow_the_cursor_without_repeats(
    portal: Portal, corpus: dict[str, Any]
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        body = (await portal.client.get("/api/v1/documents", params=params)).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 3
    first = await portal.client.get("/van-ban", params={"type": "", "year": ""})
    assert first.status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/documents", {"year": "abc"}),
        ("/api/v1/documents", {"year": "99999"}),
        ("/api/v1/documents", {"limit": "0"}),
        ("/api/v1/documents", {"limit": "1000"}),
        ("/api/v1/documents", {"limit": "-5"}),
        ("/api/v1/documents", {"cursor": "!!not-a-cursor"}),
        ("/api/v1/documents", {"cursor": "WzEsMl0"}),
        ("/api/v1/documents", {"date_from": "2025-13-01"}),
        ("/api/v1/documents", {"date_from": "2025-06-01", "date_to": "2025-01-01"}),
        ("/api/v1/documents", {"type": "<script>"}),
        ("/api/v1/documents", {"q": "x" * 5000}),
        ("/van-ban", {"year": "0"}),
        ("/van-ban", {"page": "0"}),
        ("/api/v1/search", {"page": "501"}),
        ("/api/v1/news", {"limit": "201"}),
        ("/tin-tuc", {"cursor": "e30"}),
    ],
)
async def test_out_of_range_parameters_get_a_problem_not_a_crash(
    portal: Portal, path: str, params: dict[str, str]
) -> None:
    response = await portal.client.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_unknown_pages_are_404_in_html_for_browsers(portal: Portal) -> None:
    missing = await portal.client.get("/van-ban/khong-co", headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.text
    english = await portal.client.get("/en/nothing-here", headers={"accept": "text/html"})
    assert english.status_code == 404 and "Page not found" in english.text
    api = await portal.client.get("/api/v1/documents/khong-co")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_static_and_english_pages_and_the_print_view_render(
    portal: Portal, corpus: dict[str, Any]
) -> None:
    about = await portal.client.get("/gioi-thieu")
    assert about.status_code == 200 and "Cơ cấu tổ chức" in about.text
    about_en = await portal.client.get("/en/about")
    assert about_en.status_code == 200 and "Organisational structure" in about_en.text
    home_en = await portal.client.get("/en")
    assert home_en.status_code == 200 and 'lang="en"' in home_en.text
    body = await portal.document(corpus["decision"].document_id)
    english = await portal.client.get(f"/en/documents/{body['slug']}")
    assert "Decision" in english.text and "Issued" in english.text
    printable = await portal.client.get(body["url"], params={"print": "true"})
    assert 'class="print-view"' in printable.text
    css = await portal.client.get("/static/portal.css")
    assert css.status_code == 200 and "@media print" in css.text
