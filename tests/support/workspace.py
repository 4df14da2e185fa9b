"""What the browser tests of the three workspaces share: the local Dex, a copy of the demo
staff directory, a service served on the real port Dex's client redirects to, signing in
through Dex, and screenshots."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Page
from pymongo import AsyncMongoClient

from tests.support.infra import mongo_url, reachable

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "http://127.0.0.1:5556/dex"
PASSWORD = "egov-demo"  # every demo account's, local only
DIRECTORY = ROOT / "deploy" / "local" / "dex" / "staff-directory.json"
SHOTS = ROOT / "test-results" / "screenshots"


def require_dex() -> None:
    if not reachable("127.0.0.1:5556"):
        pytest.fail(
            "Dex is not running: use `make test`, or start it with `deploy/local/infra.sh start`"
        )
    answer = httpx.get(f"{ISSUER}/.well-known/openid-configuration", timeout=5)
    assert answer.json()["issuer"] == ISSUER


def directory_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo staff directory that a test may edit."""
    path = tmp_path_factory.mktemp("staff") / "staff-directory.json"
    path.write_text(DIRECTORY.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@contextlib.asynccontextmanager
async def serving(app: FastAPI, port: int, database: str) -> AsyncIterator[None]:
    """``app`` on 127.0.0.1:``port`` until the block ends; its database dropped after."""
    if reachable(f"127.0.0.1:{port}"):
        pytest.fail(f"port {port} is taken: another workspace browser test is running")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(60):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.1)
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
        async with AsyncMongoClient[dict[str, Any]](mongo_url()) as client:
            await client.drop_database(database)


async def sign_in(page: Page, home: str, email: str) -> None:
    """Through the real Dex: ``home`` asks a visitor to sign in, Dex's form, back at ``home``."""
    response = await page.goto(home)
    assert response is not None and response.status == 401
    await page.get_by_role("link", name="Đăng nhập").click()
    await page.wait_for_url(f"{ISSUER}/**")
    await page.fill("#login", email)
    await page.fill("#password", PASSWORD)
    await page.click("#submit-login")
    await page.wait_for_url(home)


async def screenshot(page: Page, name: str) -> None:
    """The whole page, as ``test-results/screenshots/<name>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
