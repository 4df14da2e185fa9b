"""The portal's news editor in a real browser, signing in through the real Dex that
`deploy/local/infra.sh start` runs: the demo editor writes an article with hostile text and an
image, previews it, publishes it, finds it inert on the public page, meets a stale edit, and
unpublishes it; a drafter is refused the editor; a form without its CSRF token is refused."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from services.portal.app import create_app
from shared.web.csrf import FIELD
from tests.integration.portal.browser import chromium
from tests.integration.portal.conftest import portal_settings
from tests.integration.portal.support import DocumentsStandIn
from tests.support.workspace import (
    DIRECTORY,
    ISSUER,
    PASSWORD,
    require_dex,
    screenshot,
    serving,
    sign_in,
)

# The test port registered with the local Dex's client beside the usual 8000.
PORT = 18000
BASE = f"http://127.0.0.1:{PORT}"
HOSTILE_TITLE = 'Họp báo <script>alert("t")</script>'
HOSTILE_BODY = (
    "Bộ Ngoại giao **thông báo** lịch họp báo.\n\n"
    "<script>alert('body')</script>\n\n"
    "<img src=x onerror=alert(1)>\n\n"
    "[bấm vào đây](javascript:alert(1)) và [trang Bộ](https://mofa.gov.vn)\n"
)


def png(width: int = 8, height: int = 6) -> bytes:
    """A real PNG image, made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + b"\x8b\x1a\x1a" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def dex(servers: None) -> None:
    require_dex()


@pytest.fixture(scope="module")
async def editor_site(
    dex: None, module_suffix: str, stand_in: DocumentsStandIn
) -> AsyncIterator[str]:
    """The portal on the port Dex knows, so the browser and Dex's redirects reach it."""
    settings = portal_settings(
        module_suffix,
        stand_in.url,
        port=PORT,
        staff_directory_file=str(DIRECTORY),
        oidc_issuer=ISSUER,
        news_image_max_bytes=64 * 1024,
    )
    async with serving(create_app(settings), PORT, settings.database_name()):
        yield BASE


async def _sign_in(page: Page, base: str, email: str) -> None:
    await sign_in(page, f"{base}/editor/", email)


async def _shot(page: Page, name: str) -> None:
    await screenshot(page, f"editor-{name}")


async def _assert_inert(page: Page) -> None:
    """Nothing typed into the article became markup on the page."""
    assert await page.locator("img[src=x]").count() == 0
    assert await page.locator("a[href^='javascript']").count() == 0
    assert await page.locator("main script").count() == 0
    text = await page.inner_text("main")
    assert "<script>alert('body')</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert HOSTILE_TITLE in text


async def test_a_drafter_is_refused_the_editor(editor_site: str) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(f"{editor_site}/editor/")
        await page.get_by_role("link", name="Đăng nhập").click()
        await page.wait_for_url(f"{ISSUER}/**")
        await page.fill("#login", "drafter@egov.local")
        await page.fill("#password", PASSWORD)
        await page.click("#submit-login")
        await page.wait_for_url(f"{editor_site}/editor/")
        response = await page.reload()
        assert response is not None and response.status == 403
        assert "Chỉ biên tập viên cổng thông tin" in await page.inner_text("main")
        await _shot(page, "drafter-refused")
        write = await page.goto(f"{editor_site}/editor/news/new")
        assert write is not None and write.status == 403


async def test_an_editor_writes_previews_publishes_and_unpublishes_an_article(
    editor_site: str, tmp_path: Path
) -> None:
    image = tmp_path / "hop-bao.png"
    image.write_bytes(png())
    not_an_image = tmp_path / "anh.png"
    not_an_image.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    async with chromium() as browser:
        context = await browser.new_context()
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))

        await _sign_in(page, editor_site, "editor@egov.local")
        home = await page.goto(f"{editor_site}/editor/")
        assert home is not None and home.status == 200
        csp = home.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert home.headers["cache-control"] == "no-store"
        assert await page.locator("html").get_attribute("lang") == "vi"

        # Write: an image without alt text, then a file that is no image, are refused.
        await page.get_by_role("link", name="Viết tin mới").first.click()
        await page.fill("#title", HOSTILE_TITLE)
        await page.fill("#summary", "Tóm tắt <b>không đậm</b>")
        await page.fill("#body", HOSTILE_BODY)
        await page.set_input_files("#image", str(image))
        await page.get_by_role("button", name="Lưu và xem trước").click()
        assert "Ảnh cần có mô tả" in await page.inner_text("main")
        assert await page.input_value("#body") == HOSTILE_BODY  # nothing typed is lost
        await page.set_input_files("#image", str(not_an_image))
        await page.fill("#image_alt", "Người phát ngôn tại họp báo")
        await page.get_by_role("button", name="Lưu và xem trước").click()
        assert "không phải ảnh" in await page.inner_text("main")
        await _shot(page, "form-refused")

        # Saved with its image and alt text: the preview is the public page.
        await page.set_input_files("#image", str(image))
        await page.get_by_role("button", name="Lưu và xem trước").click()
        await page.wait_for_url("**/editor/news/*/preview")
        news_id = page.url.split("/news/")[1].split("/")[0]
        assert "Xem trước." in await page.inner_text("main")
        assert await page.locator(".news-body strong").inner_text() == "thông báo"
        assert await page.locator(".news-body a[href='https://mofa.gov.vn']").count() == 1
        figure = page.locator(".news-image img")
        assert await figure.get_attribute("alt") == "Người phát ngôn tại họp báo"
        assert await figure.evaluate("img => img.naturalWidth") == 8  # served and decoded
        await _assert_inert(page)
        await _shot(page, "preview")
        async with httpx.AsyncClient(base_url=editor_site) as client:
            hidden = await client.get(f"/api/v1/news/{news_id}")
            assert hidden.status_code == 404  # a draft is not public

        # Publish from the preview; the public page shows it, inert.
        await page.get_by_role("button", name="Đăng lên cổng").click()
        await page.wait_for_url(f"**/editor/news/{news_id}")
        assert "Đã đăng tin lên cổng" in await page.inner_text("main")
        public_url = await page.locator("dd a[href^='/tin-tuc/']").get_attribute("href")
        assert public_url is not None
        await _shot(page, "article-published")
        public = await page.goto(f"{editor_site}{public_url}")
        assert public is not None and public.status == 200
        await _assert_inert(page)
        assert await page.locator(".news-body strong").inner_text() == "thông báo"
        await _shot(page, "public-article")
        listing = await page.goto(f"{editor_site}/tin-tuc")
        assert listing is not None and HOSTILE_TITLE in await page.inner_text("main")

        # A stale edit: another tab saved first; this one is told who, and nothing is lost.
        other = await context.new_page()
        await other.goto(f"{editor_site}/editor/news/{news_id}/edit")
        await page.goto(f"{editor_site}/editor/news/{news_id}/edit")
        await page.fill("#summary", "Bản tóm tắt mới")
        await page.get_by_role("button", name="Lưu thay đổi").click()
        await page.wait_for_url(f"**/editor/news/{news_id}")
        await other.fill("#body", "Nội dung viết trong tab cũ")
        await other.fill("#image_alt", "Người phát ngôn tại họp báo")
        await other.get_by_role("button", name="Lưu thay đổi").click()
        stale = await other.inner_text("main")
        assert "Vũ Thị Mai đã thay đổi tin này" in stale
        assert await other.input_value("#unsaved-body") == "Nội dung viết trong tab cũ"
        await _shot(other, "stale-edit")
        await other.get_by_role("link", name="Tải phiên bản hiện tại").click()
        assert await other.input_value("#summary") == "Bản tóm tắt mới"
        await other.close()

        # A form posted without its CSRF token is refused before anything happens.
        refused = await page.request.post(
            f"{editor_site}/editor/news/{news_id}/unpublish", form={"version": "3"}
        )
        assert refused.status == 403
        assert "mã chống giả mạo" in await refused.text()
        still = await page.goto(f"{editor_site}{public_url}")
        assert still is not None and still.status == 200

        # Unpublish, after a confirmation that says what will happen.
        await page.goto(f"{editor_site}/editor/news/{news_id}")
        await page.get_by_role("link", name="Gỡ khỏi cổng").click()
        assert public_url in await page.inner_text("main")
        await _shot(page, "unpublish-confirm")
        await page.get_by_role("button", name="Gỡ tin khỏi cổng").click()
        await page.wait_for_url(f"**/editor/news/{news_id}")
        assert "Đã gỡ tin khỏi cổng" in await page.inner_text("main")
        gone = await page.goto(f"{editor_site}{public_url}")
        assert gone is not None and gone.status == 404
        await page.goto(f"{editor_site}/editor/")
        drafts = page.locator("#drafts").locator("xpath=..")
        assert HOSTILE_TITLE in await drafts.inner_text()

        await page.goto(f"{editor_site}/editor/?lang=en")
        assert await page.get_by_role("heading", level=1).inner_text() == "Articles"
        await _shot(page, "articles-en")
        assert dialogs == []
        await context.close()


async def test_a_new_article_form_sent_twice_makes_one_article(editor_site: str) -> None:
    """A double click on "save" (the same form, the same key) makes one article; the same
    form sent with other values is refused and shown again with a fresh key."""
    async with chromium() as browser:
        context = await browser.new_context()
        page = await context.new_page()
        await _sign_in(page, editor_site, "editor@egov.local")
        await page.goto(f"{editor_site}/editor/news/new")
        key = await page.locator("input[name=form_key]").get_attribute("value")
        token = await page.locator(f"input[name={FIELD}]").first.get_attribute("value")
        assert key and token
        form = {
            FIELD: token,
            "form_key": key,
            "title": "Thông cáo báo chí về chuyến thăm",
            "summary": "Tóm tắt",
            "body": "Nội dung thông cáo.",
            "language": "vi",
        }
        url = f"{editor_site}/editor/news/new"
        first = await context.request.post(url, multipart=form, max_redirects=0)
        again = await context.request.post(url, multipart=form, max_redirects=0)
        assert first.status == again.status == 303
        assert first.headers["location"] == again.headers["location"]
        assert "/editor/news/" in first.headers["location"]

        other = await context.request.post(
            url, multipart={**form, "title": "Một tin khác"}, max_redirects=0
        )
        assert other.status == 422
        shown = await other.text()
        assert "đã được lưu trước đó" in shown
        assert f'name="form_key" value="{key}"' not in shown  # a fresh key: a new request
        await context.close()
