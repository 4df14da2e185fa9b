"""The demo loader registers the demo partners idempotently; the receiver verifies them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
import uvicorn

from services.lgsp.app import create_app
from services.lgsp.demo import credentials_path, load_demo, read_credentials
from services.lgsp.demo_receiver import create_receiver
from shared import demo
from tests.integration.lgsp.support import lgsp_settings
from tests.support.infra import free_port
from tests.support.kafka import eventually, produce_event
from tests.unit.lgsp.factories import dispatched


@contextlib.asynccontextmanager
async def serve(app: Any, lifespan: Literal["on", "off"] = "on") -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_the_demo_partners_are_loaded_once_and_the_receiver_verifies_deliveries(
    topic_suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_HOME", str(tmp_path))
    receiver = create_receiver()  # reads the secret from the file on each request
    lgsp_app = create_app(lgsp_settings(topic_suffix))
    async with serve(receiver, lifespan="off") as receiver_url, serve(lgsp_app) as lgsp_url:
        async with httpx.AsyncClient(base_url=receiver_url) as rc:
            health = await rc.get("/healthz")
            assert health.status_code == 200 and health.json() == {"status": "ok", "ready": False}
            await load_demo(lgsp_url, f"{receiver_url}/webhook")
            assert (await rc.get("/healthz")).json() == {"status": "ok", "ready": True}
        first = read_credentials()
        await load_demo(lgsp_url, f"{receiver_url}/webhook")  # idempotent
        assert read_credentials() == first
        assert credentials_path().stat().st_mode & 0o777 == 0o600
        hook = first[demo.WEBHOOK_PARTNER_CODE]
        inbox = first[demo.INBOX_PARTNER_CODE]
        assert hook["webhook_secret"].startswith("whsec_") and "webhook_secret" not in inbox
        # Which partner is which, said in the file itself.
        assert (hook["mode"], inbox["mode"]) == ("webhook", "inbox")
        assert "/received" in hook["purpose"] and "GET /api/v1/inbox" in inbox["purpose"]

        async with httpx.AsyncClient(base_url=lgsp_url) as client:
            pull = await client.get("/api/v1/inbox", headers={"X-API-Key": inbox["api_key"]})
            assert pull.status_code == 200
            await produce_event(
                dispatched([demo.WEBHOOK_PARTNER_CODE, demo.INBOX_PARTNER_CODE]), topic_suffix
            )

            async def received() -> list[dict[str, Any]]:
                async with httpx.AsyncClient(base_url=receiver_url) as rc:
                    items: list[dict[str, Any]] = (await rc.get("/received")).json()["items"]
                    return items

            [item] = await eventually(received, timeout=20)
            assert item["payload"]["type"] == "gov.egov.document.dispatched.v1"

            async def inbox_items() -> list[dict[str, Any]]:
                headers = {"X-API-Key": inbox["api_key"]}
                items: list[dict[str, Any]] = (
                    await client.get("/api/v1/inbox", headers=headers)
                ).json()["items"]
                return items

            assert len(await eventually(inbox_items, timeout=10)) == 1

        async with httpx.AsyncClient(base_url=receiver_url) as rc:
            forged = await rc.post(
                "/webhook",
                content=b"{}",
                headers={
                    "webhook-id": "x",
                    "webhook-timestamp": "1",
                    "webhook-signature": "v1,AA==",
                },
            )
            assert forged.status_code == 401
