"""The public pages in a real browser: no serious or critical axe-core violations, and what
the checker cannot see: search and pagination by keyboard alone, a visible focus, the
current page marked in the navigation, downloads that name their format and size."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from services.portal.app import create_app
from shared.auth.principal import Role
from tests.integration.portal.browser import axe_source, axe_violations, chromium
from tests.integration.portal.conftest import portal_settings
from tests.integration.portal.support import (
    DocumentsStandIn,
    claim_check,
    published,
    signed_document,
)
from tests.support.infra import free_port
from tests.support.kafka import eventually, produce_event
from tests.support.services import auth
from tests.support.serving import serving

PDF = b"%PDF-1.4\n% quyet dinh 1637\n" + b"0" * 4000


@pytest.fixture(scope="module")
async def site(module_suffix: str, stand_in: DocumentsStandIn) -> AsyncIterator[dict[str, Any]]:
    """A portal on a real port with a decision (and its PDF), many more documents, news."""
    settings = portal_settings(module_suffix, stand_in.url, page_size=5)
    app = create_app(settings)
    port = free_port()
    async with app.router.lifespan_context(app), serving(app, port):
        base = f"http://127.0.0.1:{port}"
        sha = stand_in.add_file(PDF)
        claim = claim_check(sha, len(PDF), name="quyet-dinh-1637.pdf")
        decision = signed_document(notation="1637/QĐ-BNG", attachments=[claim])
        await produce_event(published(stand_in, decision, attachments=[claim]), module_suffix)
        for n in range(12):
            other = signed_document(
                notation=f"{40 + n}/TB-BNG",
                subject=f"Thông báo lịch tiếp công dân tháng {n + 1}",
                issue_date=dt.date(2025, 1 + n % 12, 10),
            )
            await produce_event(published(stand_in, other), module_suffix)
        async with httpx.AsyncClient(base_url=base) as client:
            news = await client.post(
                "/api/v1/news",
                json={"title": "Hội nghị chuyển đổi số", "summary": "Tóm tắt", "body": "Nội dung"},
                headers=auth(Role.PORTAL_EDITOR),
            )
            assert news.status_code == 201, news.text

            async def ready() -> Any:
                found = await client.get(f"/api/v1/documents/{decision.document_id}")
                body = found.json() if found.status_code == 200 else {}
                files = body.get("attachments", [])
                return body if files and files[0]["available"] else None

            body = await eventually(ready, timeout=30)
            await eventually(lambda: _listed(client), timeout=30)
        yield {"base": base, "document": body["url"], "news": news.json()["url"]}


async def _listed(client: Any) -> bool:
    found = (await client.get("/api/v1/search", params={"q": "tiep cong dan"})).json()
    return bool(found["total"] >= 12)


PAGES = [
    "/",
    "/van-ban",
    "/van-ban?q=tiep+cong+dan",
    "{document}",
    "/tin-tuc",
    "{news}",
    "/gioi-thieu",
    "/lanh-dao",
    "/en",
    "/en/documents?q=tiep+cong+dan",
    "/en/about",
]


async def test_no_serious_or_critical_axe_violations(site: dict[str, Any]) -> None:
    source = axe_source()
    problems: dict[str, Any] = {}
    async with chromium() as browser:
        page = await browser.new_page()
        for template in PAGES:
            path = template.format(**site)
            response = await page.goto(site["base"] + path)
            assert response is not None and response.status == 200, path
            found = await axe_violations(page, source)
            if found:
                problems[path] = found
        # The checker itself finds what it must (an image without a text alternative).
        await page.set_content('<html lang="vi"><title>x</title><main><img src="a.png"></main>')
        assert [v["id"] for v in await axe_violations(page, source)] == ["image-alt"]
        mobile = await browser.new_page(viewport={"width": 375, "height": 740})
        await mobile.goto(site["base"] + "/")
        found = await axe_violations(mobile, source)
        if found:
            problems["/ (mobile)"] = found
    assert not problems, problems


async def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    target = await page.query_selector(selector)
    assert target is not None, selector
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("(el) => el === document.activeElement", target):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


async def test_search_and_pagination_work_with_the_keyboard_alone(site: dict[str, Any]) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(site["base"] + "/")
        await _tab_to(page, "#q")
        outline = await page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), "the focused search field shows no focus"
        await page.keyboard.type("tiep cong dan")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert "/van-ban?q=tiep+cong+dan" in page.url
        assert "12 kết quả" in await page.inner_text(".result-count")
        await _tab_to(page, "a[rel=next]")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert "page=2" in page.url
        current = await page.get_attribute(".pager a[aria-current=page]", "aria-label")
        assert current == "Trang 2"
        assert await page.query_selector("a[rel=prev]") is not None
        nav = await page.get_attribute(".nav-wide a[aria-current=page]", "href")
        assert nav == "/van-ban"


async def test_the_document_page_offers_its_pdf_with_format_and_size(site: dict[str, Any]) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(site["base"] + site["document"])
        link = await page.inner_text(".files a")
        assert "quyet-dinh-1637.pdf" in link and "PDF" in link and "KB" in link
        assert "Còn hiệu lực" in await page.inner_text(".meta")
        crumbs = await page.inner_text(".breadcrumb")
        assert "Trang chủ" in crumbs and "1637/QĐ-BNG" in crumbs
        english = site["document"].replace("/van-ban/", "/en/documents/")
        await page.goto(site["base"] + english)
        assert "Vietnamese only" in await page.inner_text("main")
        switch = await page.get_attribute("a[hreflang=vi]", "href")
        assert switch == site["document"]
