"""Hostile text in any field of a document shows as text in a real browser, never runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from services.portal.app import create_app
from shared.contracts.events import DocumentRevoked
from shared.contracts.models import OrgRef
from tests.integration.portal.conftest import portal_settings
from tests.integration.portal.support import (
    DocumentsStandIn,
    claim_check,
    published,
    signed_document,
)
from tests.support.infra import free_port
from tests.support.kafka import eventually, produce_event

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
BREAK = '"\'><b id="injected">x</b>'
LINK = '<a id="jslink" href="javascript:document.title=\'pwned\'">bấm</a>'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


async def dump_dom(url: str) -> str:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (the CI script installs it)")
    with tempfile.TemporaryDirectory() as profile:
        process = await asyncio.create_subprocess_exec(
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 60)
    return out.decode()


@pytest.fixture(scope="module")
async def served_portal(module_suffix: str) -> AsyncIterator[str]:
    """The portal on a real port, since the browser needs one."""
    async with DocumentsStandIn() as documents:
        port = free_port()
        app = create_app(portal_settings(module_suffix, documents.url))
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", documents  # type: ignore[misc]
        finally:
            server.should_exit = True
            await task


@pytest.fixture(scope="module")
async def hostile_page(served_portal: Any, module_suffix: str) -> dict[str, Any]:
    base, documents = served_portal
    content = b"x"
    claim = claim_check(documents.add_file(content), 1, name=f"{BREAK}{IMG}.pdf")
    doc = signed_document(
        notation=f"9/QĐ-{BREAK}"[:100],
        subject=f"{SCRIPT}{IMG}{BREAK}",
        body=f"{LINK}\n{SCRIPT}\n<svg onload=\"document.title='pwned'\"></svg>\n" + "A" * 300_000,
        field_name=f"{BREAK} onmouseover=alert(1)",
        issuer=OrgRef(code="000.00.00.G10", name=f"</title>{SCRIPT}"),
        attachments=[claim],
    )
    await produce_event(published(documents, doc, attachments=[claim]), module_suffix)
    await produce_event(
        DocumentRevoked(
            document_id=doc.document_id,
            document_version=6,
            notation=doc.notation,
            reason=f"{SCRIPT}{IMG}",
            revoked_at=dt.datetime.now(dt.UTC),
        ),
        module_suffix,
    )
    async with httpx.AsyncClient(base_url=base) as client:

        async def ready() -> Any:
            response = await client.get(f"/api/v1/documents/{doc.document_id}")
            body = response.json() if response.status_code == 200 else {}
            return body if body.get("revoked") and body["attachments"][0]["available"] else None

        body = await eventually(ready)
    return {"base": base, "body": body}


def assert_inert(dom: str) -> None:
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None and title.group(1) != "pwned", dom[:500]
    assert 'data-pwned="1"' not in dom
    assert '<b id="injected">' not in dom
    assert '<a id="jslink"' not in dom
    assert "<svg" not in dom
    assert '<img src="x"' not in dom
    assert "<script>" not in dom


async def test_the_browser_check_does_catch_a_script_that_runs() -> None:
    dom = await dump_dom("data:text/html,<title>t</title><script>document.title='pwned'</script>")
    assert "<title>pwned</title>" in dom


async def test_hostile_text_on_the_document_page_is_shown_not_run(
    hostile_page: dict[str, Any],
) -> None:
    dom = await dump_dom(hostile_page["base"] + hostile_page["body"]["url"])
    assert_inert(dom)
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert "Đã thu hồi" in dom


@pytest.mark.parametrize("path", ["/", "/van-ban", "/en/documents", "/van-ban?q=pwned"])
async def test_hostile_text_in_lists_is_shown_not_run(
    hostile_page: dict[str, Any], path: str
) -> None:
    dom = await dump_dom(hostile_page["base"] + path)
    assert_inert(dom)


async def test_feed_and_sitemap_stay_well_formed_xml(hostile_page: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=hostile_page["base"]) as client:
        feed = await client.get("/feed.atom")
        sitemap = await client.get("/sitemap.xml")
        page = await client.get(hostile_page["body"]["url"])
    root = ET.fromstring(feed.content)
    titles = [e.text or "" for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(SCRIPT in t for t in titles)
    ET.fromstring(sitemap.content)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
