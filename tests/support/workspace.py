"""What the browser tests of the three workspaces share: the local Dex, a copy of the demo
staff directory, and a service served on the real port Dex's client redirects to."""

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
from pymongo import AsyncMongoClient

from tests.support.infra import mongo_url, reachable

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "http://127.0.0.1:5556/dex"
PASSWORD = "egov-demo"  # every demo account's, local only
DIRECTORY = ROOT / "deploy" / "local" / "dex" / "staff-directory.json"


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
