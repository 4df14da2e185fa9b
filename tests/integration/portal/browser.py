"""Chromium driven by Playwright (Debian's browser, no download) and axe-core from the npm
registry, installed outside the repository (``.ci/run`` puts it in ~/.cache/egov/axe)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

AXE_JS = (
    Path(os.environ.get("EGOV_AXE_DIR", str(Path.home() / ".cache" / "egov" / "axe")))
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
SERIOUS = {"serious", "critical"}


def chromium_path() -> str:
    found = os.environ.get("EGOV_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("Chromium is missing: apt-get install chromium (.ci/run does)")
    return found


def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is missing: npm install --prefix {AXE_JS.parents[2]} axe-core")
    return AXE_JS.read_text()


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            await browser.close()


async def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    """Serious and critical violations of WCAG 2.x A/AA rules on the page as it is now.

    axe is added as a script element's text through the DevTools protocol, so the page's
    own Content-Security-Policy (``script-src 'self'``) stays as it is for everything else.
    """
    await page.evaluate(source)
    result = await page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v.get("impact") in SERIOUS
    ]
