"""The documents workspace in a real browser, signing in through the real Dex that
`deploy/local/infra.sh start` runs: the drafter and the approver each see what waits for
them, sign out; a form without its CSRF token is refused; every page has the CSP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from services.documents.app import create_app
from shared.auth.principal import Role
from shared.contracts.vocabulary import Confidentiality
from tests.integration.documents import support
from tests.integration.portal.browser import chromium
from tests.support.services import auth
from tests.support.workspace import (
    ISSUER,
    directory_copy,
    require_dex,
    screenshot,
    serving,
    sign_in,
)

# The test port registered with the local Dex's client beside the usual 8001.
PORT = 18001
BASE = f"http://127.0.0.1:{PORT}"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def dex(servers: None) -> None:
    require_dex()


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return directory_copy(tmp_path_factory)


@pytest.fixture(scope="module")
async def workspace(dex: None, module_suffix: str, directory: Path) -> AsyncIterator[str]:
    """The documents service on a real port, so the browser and Dex's redirects reach it."""
    settings = support.settings(
        module_suffix,
        port=PORT,
        staff_directory_file=str(directory),
        oidc_issuer=ISSUER,
    )
    async with serving(create_app(settings), PORT, settings.database_name()):
        yield BASE


def _as(role: Role) -> dict[str, str]:
    """The API token of the demo account the directory gives to this role."""
    return auth(role, user=f"demo-{role}", unit="CNTT", clearance=Confidentiality.MAT)


async def _seed(base: str) -> dict[str, str]:
    """Through the API: a draft returned to the demo drafter, one waiting for approval."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        drafter, approver = _as(Role.DRAFTER), _as(Role.APPROVER)

        async def created(subject: str, urgency: str = "thuong") -> httpx.Response:
            response = await client.post(
                "/api/v1/documents",
                json=support.body(subject=subject, urgency=urgency),
                headers=drafter,
            )
            assert response.status_code == 201, response.text
            return response

        async def step(
            doc: httpx.Response, action: str, actor: dict[str, str], **body: Any
        ) -> httpx.Response:
            response = await client.post(
                f"/api/v1/documents/{doc.json()['id']}/{action}",
                headers={**actor, "If-Match": doc.headers["ETag"]},
                json=body or None,
            )
            assert response.status_code == 200, response.text
            return response

        returned = await created(f"Dự thảo cần sửa {HOSTILE}")
        returned = await step(returned, "submit", drafter)
        await step(returned, "return", approver, reason="Thiếu căn cứ pháp lý")
        waiting = await created("Quyết định chờ duyệt hỏa tốc", urgency="hoa_toc")
        await step(waiting, "submit", drafter)
        return {"returned": returned.json()["id"], "waiting": waiting.json()["id"]}


async def _sign_in(page: Page, base: str, email: str) -> None:
    await sign_in(page, f"{base}/workspace/", email)


async def _sign_out(page: Page, base: str) -> None:
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_url(f"{base}/workspace/auth/signed-out")
    assert await page.get_by_role("heading", level=1).inner_text() == "Bạn đã đăng xuất"
    response = await page.goto(f"{base}/workspace/")
    assert response is not None and response.status == 401  # the session is gone


async def _shot(page: Page, name: str) -> None:
    await screenshot(page, f"workspace-{name}")


async def test_drafter_and_approver_sign_in_through_dex_and_see_what_waits(workspace: str) -> None:
    ids = await _seed(workspace)
    async with chromium() as browser:
        context = await browser.new_context()
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))

        await _sign_in(page, workspace, "drafter@egov.local")
        home = await page.goto(f"{workspace}/workspace/")
        assert home is not None and home.status == 200
        csp = home.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert await page.locator("html").get_attribute("lang") == "vi"
        returned = page.locator("#list-returned_drafts").locator("xpath=..")
        assert "Thiếu căn cứ pháp lý" in await returned.inner_text()
        assert HOSTILE in await returned.inner_text()  # shown as text, never run
        assert await page.locator("img[src=x]").count() == 0
        await page.get_by_role("link", name=f"Dự thảo cần sửa {HOSTILE}").click()
        await page.wait_for_url(f"**/workspace/documents/{ids['returned']}")
        assert "Nhật ký xử lý" in await page.content()
        assert "Chuỗi nhật ký toàn vẹn" in await page.inner_text("main")
        await _shot(page, "document")

        # A form posted without its token is refused before any handler runs.
        refused = await page.request.post(f"{workspace}/workspace/auth/signout", form={"x": "1"})
        assert refused.status == 403
        assert "mã chống giả mạo" in await refused.text()
        assert "script-src 'self'" in refused.headers["content-security-policy"]
        await page.goto(f"{workspace}/workspace/")
        assert await page.get_by_role("button", name="Đăng xuất").count() == 1  # still signed in

        await page.goto(f"{workspace}/workspace/?lang=en")
        assert await page.locator("html").get_attribute("lang") == "en"
        assert await page.get_by_role("heading", level=1).inner_text() == "What waits for me"
        await _shot(page, "home-drafter-en")
        await page.goto(f"{workspace}/workspace/?lang=vi")
        await _shot(page, "home-drafter")
        await _sign_out(page, workspace)

        await _sign_in(page, workspace, "approver@egov.local")
        to_approve = page.locator("#list-to_approve").locator("xpath=..")
        text = await to_approve.inner_text()
        assert "Quyết định chờ duyệt hỏa tốc" in text
        assert "Dự thảo cần sửa" not in text  # returned to draft: no longer the approver's
        assert await page.locator("#list-returned_drafts").count() == 0  # not a drafter
        await _shot(page, "home-approver")
        await _sign_out(page, workspace)
        assert dialogs == []
        await context.close()


async def test_a_signed_in_user_missing_from_the_directory_is_told_to_ask_an_administrator(
    workspace: str, directory: Path
) -> None:
    """The directory is read at each request: removing someone ends their access at once."""
    original = directory.read_text(encoding="utf-8")
    async with chromium() as browser:
        page = await browser.new_page()
        await _sign_in(page, workspace, "clerk@egov.local")
        assert (await page.goto(f"{workspace}/workspace/")).status == 200  # type: ignore[union-attr]
        edited = original.replace('"clerk@egov.local"', '"former-clerk@egov.local"')
        try:
            directory.write_text(edited, encoding="utf-8")
            os.utime(directory, ns=(1, 1))  # a different stamp even within one clock tick
            response = await page.goto(f"{workspace}/workspace/")
            assert response is not None and response.status == 403
            assert "liên hệ quản trị viên" in await page.inner_text("main")
            await _shot(page, "not-authorised")
        finally:
            directory.write_text(original, encoding="utf-8")
