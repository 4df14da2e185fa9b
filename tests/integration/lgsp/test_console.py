"""The LGSP console in a real browser, signing in through the real Dex that
`deploy/local/infra.sh start` runs: the demo LGSP administrator creates a partner (its key
copied from the page, once), grants and subscribes it, sees its delivery arrive from real
Kafka, suspends it behind a confirmation, replays a window; a drafter is refused, an anonymous
visitor is sent to sign in, a form without its CSRF token is refused, and a hostile partner
name stays text on every page that shows it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from services.lgsp.app import create_app
from shared.contracts.vocabulary import DocumentType
from tests.integration.lgsp.support import PartnerServer, lgsp_settings, partner_server
from tests.integration.portal.browser import chromium
from tests.support.kafka import eventually, produce_event
from tests.support.workspace import (
    ISSUER,
    directory_copy,
    require_dex,
    screenshot,
    serving,
    sign_in,
)
from tests.unit.lgsp.factories import published, signed_document

# The test port registered with the local Dex's client beside the usual 8002.
PORT = 18002
BASE = f"http://127.0.0.1:{PORT}"
CONSOLE = f"{BASE}/console"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
CODE = "000.00.00.G77"


@pytest.fixture(scope="module")
def dex(servers: None) -> None:
    require_dex()


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return directory_copy(tmp_path_factory)


@pytest.fixture(scope="module")
async def partners() -> AsyncIterator[PartnerServer]:
    async with partner_server() as srv:
        yield srv


@pytest.fixture(scope="module")
async def console(
    dex: None, module_suffix: str, directory: Path, partners: PartnerServer
) -> AsyncIterator[str]:
    """The LGSP on a real port, so the browser and Dex's redirects reach it."""
    settings = lgsp_settings(
        module_suffix,
        port=PORT,
        staff_directory_file=str(directory),
        oidc_issuer=ISSUER,
        documents_url=partners.base,
    )
    async with serving(create_app(settings), PORT, settings.database_name()):
        yield module_suffix


async def _sign_in(page: Page, email: str, path: str = "/") -> None:
    await sign_in(page, f"{CONSOLE}{path}", email)


async def _shot(page: Page, name: str) -> None:
    await screenshot(page, f"console-{name}")


async def _inert(page: Page) -> None:
    """The hostile name is on the page as text, and nothing of it runs or loads."""
    assert HOSTILE in await page.inner_text("main")
    assert await page.locator("main img[src=x]").count() == 0
    assert await page.locator("main script:not([src])").count() == 0


async def test_the_lgsp_admin_creates_a_partner_copies_its_key_and_follows_its_delivery(
    console: str, partners: PartnerServer
) -> None:
    topic_suffix = console
    async with chromium() as browser:
        context = await browser.new_context()
        await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=BASE)
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))

        await _sign_in(page, "lgsp-admin@egov.local")
        assert await page.get_by_role("heading", level=1).inner_text() == "Đối tác kết nối"
        csp = (await page.goto(f"{CONSOLE}/")).headers["content-security-policy"]  # type: ignore[union-attr]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp

        # A new partner: its key and webhook secret are shown once, with a copy button.
        await page.get_by_role("link", name="Thêm đối tác").click()
        await page.fill("#code", CODE)
        await page.fill("#name", HOSTILE)
        await page.fill("#webhook_url", partners.url("console"))
        await page.get_by_role("button", name="Tạo đối tác").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Đã tạo đối tác")
        assert "bạn sẽ không xem lại được" in await page.inner_text("main")
        await _inert(page)
        api_key = (await page.inner_text("#api-key")).strip()
        secret = (await page.inner_text("#webhook-secret")).strip()
        assert api_key and secret
        copy = page.locator("button[data-copy=api-key]")
        await expect(copy).to_be_visible()  # the script un-hid it
        await expect(copy).to_have_text("Sao chép")
        await copy.click()
        await expect(page.locator("#api-key-status")).to_have_text("Đã sao chép vào bộ nhớ tạm.")
        assert await page.evaluate("navigator.clipboard.readText()") == api_key
        await _shot(page, "partner-created")

        # The key copied from the page is the partner's: the partner API knows it.
        async with httpx.AsyncClient(base_url=BASE) as api:
            known = await api.get("/api/v1/inbox", headers={"X-API-Key": api_key})
            unknown = await api.get("/api/v1/inbox", headers={"X-API-Key": api_key[:-2] + "xx"})
        assert known.status_code != 401 and unknown.status_code == 401

        # The partner's page never shows the key or secret again.
        await page.get_by_role("link", name="Đến trang đối tác").click()
        await page.wait_for_url(re.compile(r".*/console/partners/[0-9a-f]+$"))
        partner_url = page.url
        partner_id = partner_url.rsplit("/", 1)[1]
        content = await page.content()
        assert api_key not in content and secret not in content
        await _inert(page)

        # Grant the feed, subscribe to decisions (the form, as a person fills it).
        feed = page.locator("#grants").locator("xpath=..")
        await (
            feed.get_by_role("row", name=re.compile("Nguồn văn bản công khai"))
            .get_by_role("button", name="Cấp quyền")
            .click()
        )
        await expect(page.locator(".ws-flash-success")).to_have_text("Đã cấp quyền.")
        await page.get_by_text("Thêm đăng ký", exact=True).first.click()
        await page.select_option("#doc_types", ["quyet_dinh"])
        await page.get_by_role("button", name="Thêm đăng ký").click()
        await expect(page.locator(".ws-flash-success")).to_have_text("Đã thêm đăng ký nhận.")
        await _shot(page, "partner")

        # A decision is published on real Kafka: its delivery reaches the partner and the list.
        doc = signed_document(doc_type=DocumentType.QUYET_DINH)
        await produce_event(published(doc), topic_suffix)
        await eventually(lambda: _async(bool(partners.verified("console", secret))), timeout=30)

        row = page.get_by_role("row", name=re.compile(doc.document_id))

        async def delivered() -> bool:
            # The receiver has it; the job's own state follows a moment later.
            await page.goto(f"{CONSOLE}/deliveries?partner_id={partner_id}")
            return await row.count() == 1 and "Đã chuyển" in await row.inner_text()

        await eventually(delivered, timeout=30)
        await _shot(page, "deliveries")
        await row.get_by_role("link").first.click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text(doc.document_id)
        await page.get_by_role("button", name="Gửi lại ngay").click()
        await expect(page.locator(".ws-flash-success")).to_have_text(
            "Đã đưa vào hàng đợi để gửi lại."
        )

        # Suspending is confirmed first and says what it does; then the partner is parked.
        await page.goto(partner_url)
        await page.get_by_role("link", name="Tạm dừng…").click()
        await expect(page.locator("main")).to_contain_text("các lượt đang chờ được giữ lại")
        await _inert(page)
        await _shot(page, "confirm-suspend")
        await page.get_by_role("button", name="Tạm dừng đối tác").click()
        await page.wait_for_url(partner_url)
        await expect(page.locator(".ws-flash-success")).to_have_text("Đã tạm dừng đối tác.")
        await page.goto(f"{CONSOLE}/parked")
        assert "the partner is suspended" in await page.inner_text("main")
        await _inert(page)
        await _shot(page, "parked")
        await page.goto(f"{CONSOLE}/")
        await _inert(page)

        # The message log holds the webhook call, and its chain verifies.
        await page.goto(f"{CONSOLE}/message-log?partner={partner_id}")
        assert await page.locator("main tbody tr").count() >= 1
        await page.get_by_role("link", name="Kiểm tra tính toàn vẹn").click()
        await expect(page.locator("main .ws-flash")).to_contain_text("Nhật ký toàn vẹn")
        await _shot(page, "message-log-verify")

        # A replay of the last hour: confirmed, then its progress page.
        await page.goto(f"{CONSOLE}/replays/new")
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=7)))
        await page.fill("#from", (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        await page.fill("#to", (now + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_role("button", name="Tiếp tục…").click()
        await expect(page.locator("main")).to_contain_text(
            "sẽ được gửi lại cho mọi đối tác đã được gửi"
        )
        await page.get_by_role("button", name="Bắt đầu gửi lại").click()
        await page.wait_for_url(re.compile(r".*/console/replays/[^/]+$"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Tiến độ gửi lại")
        await _shot(page, "replay")

        # Dead letters are shown read-only (the test's topics have none).
        dead = await page.goto(f"{CONSOLE}/dead-letters")
        assert dead is not None and dead.status == 200
        await _shot(page, "dead-letters")

        # English on request, kept for the pages that follow.
        await page.goto(f"{CONSOLE}/deliveries?lang=en")
        assert await page.locator("html").get_attribute("lang") == "en"
        await page.goto(f"{CONSOLE}/")
        assert await page.get_by_role("heading", level=1).inner_text() == "Partners"
        await _shot(page, "partners-en")
        assert dialogs == []
        await context.close()


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(console: str) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await _sign_in(page, "lgsp-admin@egov.local")
        refused = await page.request.post(
            f"{CONSOLE}/partners", form={"code": "000.00.00.G78", "name": "Không có mã"}
        )
        assert refused.status == 403
        assert "mã chống giả mạo" in await refused.text()
        await page.goto(f"{CONSOLE}/")
        assert "000.00.00.G78" not in await page.inner_text("main")


async def test_a_drafter_is_refused_and_an_anonymous_visitor_is_sent_to_sign_in(
    console: str,
) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        anonymous = await page.goto(f"{CONSOLE}/deliveries")
        assert anonymous is not None and anonymous.status == 401
        assert await page.get_by_role("link", name="Đăng nhập").count() == 1
        assert "/console/auth/signin" in str(
            await page.get_by_role("link", name="Đăng nhập").get_attribute("href")
        )

        await _sign_in(page, "drafter@egov.local")
        for path in ("/", "/deliveries", "/parked", "/partners/new", "/message-log"):
            response = await page.goto(f"{CONSOLE}{path}")
            assert response is not None and response.status == 403, path
            assert "chỉ dành cho cán bộ có vai trò quản trị LGSP" in await page.inner_text("main")
        await _shot(page, "refused-drafter")
        # Nor may a drafter's session post to the console.
        token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
        posted = await page.request.post(
            f"{CONSOLE}/partners",
            form={"csrf_token": str(token), "code": "000.00.00.G79", "name": "Drafter's"},
        )
        assert posted.status == 403


async def test_bad_input_gets_a_4xx_page_and_a_stale_edit_never_overwrites(console: str) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await _sign_in(page, "lgsp-admin@egov.local")
        await page.goto(f"{CONSOLE}/partners/new")
        token = str(await page.locator("input[name=csrf_token]").first.get_attribute("value"))

        async def post(path: str, **form: str) -> tuple[int, str]:
            answer = await page.request.post(f"{CONSOLE}{path}", form={"csrf_token": token, **form})
            return answer.status, await answer.text()

        status, body = await post("/partners", code="not-a-code", name="Bộ <b>X</b>")
        assert status == 422 and "code" in body and "Bộ &lt;b&gt;X&lt;/b&gt;" in body
        status, body = await post("/partners", code="000.00.00.G80", name="X", format="pdf")
        assert status == 422
        status, _ = await post("/partners", code="000.00.00.G81", name="Bộ Y")
        assert status == 201
        status, body = await post("/partners", code="000.00.00.G81", name="Bộ Y lần hai")
        assert status == 409 and "000.00.00.G81" in body  # the code is taken

        for path, expected in (
            ("/partners/no-such-partner", 404),
            ("/partners/no-such-partner/confirm/suspend", 404),
            ("/deliveries?state=lost", 422),
            ("/deliveries?cursor=!!!", 422),
            ("/deliveries/no-such-delivery", 404),
            ("/replays/no-such-replay", 404),
            ("/message-log?partner=no-such-partner", 404),
            ("/message-log/verify", 422),
            ("/dead-letters?topic=secret.topic", 422),
            ("/dead-letters/egov.secret.v1@0", 404),
            ("/?cursor=%7B", 422),
        ):
            response = await page.goto(f"{CONSOLE}{path}")
            assert response is not None and response.status == expected, path
            assert "text/html" in response.headers["content-type"], path

        # Two administrators edit the same partner: the later form (an older version) is
        # refused and shows the current values; nothing is overwritten.
        await page.goto(f"{CONSOLE}/")
        await page.get_by_role("link", name="000.00.00.G81").click()
        await page.wait_for_url(re.compile(r".*/console/partners/[0-9a-f]+$"))
        partner_url = page.url
        old_version = str(await page.locator("input[name=version]").first.get_attribute("value"))
        path = partner_url.removeprefix(CONSOLE)
        status, _ = await post(f"{path}/edit", version=old_version, name="Bộ Y (mới)")
        assert status == 200  # followed the redirect back to the partner
        status, body = await post(f"{path}/edit", version=old_version, name="Bộ Y (cũ)")
        assert status == 412 and "Bộ Y (mới)" in body
        await page.goto(partner_url)
        assert (
            await page.get_by_role("heading", level=1).inner_text() == "000.00.00.G81 – Bộ Y (mới)"
        )
        # A form that makes a key sent twice (a reload of the page that showed the key)
        # issues one: the second sending is told the key was shown then.
        await page.goto(partner_url)
        form_key = str(await page.locator("input[name=form_key]").first.get_attribute("value"))
        status, body = await post(f"{path}/keys", form_key=form_key)
        assert status == 201 and "Đã cấp khoá API mới" in body
        status, body = await post(f"{path}/keys", form_key=form_key)
        assert status == 200 and "Đã cấp khoá API mới" not in body
        assert "Biểu mẫu này đã được gửi" in body
        await page.goto(f"{partner_url}/confirm/rotate-key")
        form_key = str(await page.locator("input[name=form_key]").first.get_attribute("value"))
        status, body = await post(f"{path}/do/rotate-key", form_key=form_key)
        assert status == 201 and "thu hồi" in body
        status, body = await post(f"{path}/do/rotate-key", form_key=form_key)
        assert status == 200 and "Biểu mẫu này đã được gửi" in body
        # A replay window longer than allowed is refused on the form.
        status, body = await post(
            "/replays", **{"from": "2026-01-01T00:00", "to": "2026-03-01T00:00", "confirmed": "yes"}
        )
        assert status == 422


async def _async(value: bool) -> bool:
    return value
