"""Real partner endpoints for the LGSP's integration tests: uvicorn and raw TCP servers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from standardwebhooks import Webhook

from services.lgsp.settings import Settings
from shared.auth.principal import Role
from tests.support.infra import free_port, kafka_bootstrap, mongo_url, unique
from tests.support.services import auth
from tests.support.serving import serving

ADMIN = auth(Role.LGSP_ADMIN, audience=("lgsp",))
Behaviour = Callable[[int], Awaitable[tuple[int, dict[str, str]]]]


def lgsp_settings(topic_suffix: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": kafka_bootstrap(),
        "mongo_url": mongo_url(),
        "mongo_database": unique("t_lgsp_"),
        "consumer_group": unique("t-lgsp-"),
        "topic_suffix": topic_suffix,
        "allow_private_webhooks": True,
        "backoff_base_s": 0.2,
        "backoff_max_s": 1.0,
        "worker_poll_interval_s": 0.1,
        "outbox_sweep_interval_s": 0.5,
        "webhook_timeout_s": 1.0,
        "job_lease_s": 5.0,
        "public_url": "https://lgsp.example",
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Receipt:
    name: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class PartnerServer:
    """Partner endpoints at /hooks/{name}; also serves claim-check files as a documents stub."""

    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    file_requests: list[dict[str, str]] = field(default_factory=list)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, name: str) -> str:
        return f"{self.base}/hooks/{name}"

    def delivered(self, name: str) -> list[Receipt]:
        return [r for r in self.receipts if r.name == name and 200 <= r.status < 300]

    def verified(self, name: str, secret: str) -> list[dict[str, Any]]:
        return [Webhook(secret).verify(r.body, r.headers) for r in self.delivered(name)]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hooks/{name}")
        async def hook(name: str, request: Request) -> Response:
            body = await request.body()
            attempt = sum(1 for r in self.receipts if r.name == name) + 1
            behaviour = self.behaviours.get(name)
            status, headers = (200, {}) if behaviour is None else await behaviour(attempt)
            self.receipts.append(Receipt(name, status, dict(request.headers), body))
            return Response(status_code=status, headers=headers)

        @app.get("/api/v1/files/{sha}")
        async def file(sha: str, request: Request) -> Response:
            self.file_requests.append(dict(request.headers))
            if sha not in self.files:
                return Response(status_code=404)
            return Response(self.files[sha], media_type="application/pdf")

        return app


@contextlib.asynccontextmanager
async def partner_server() -> AsyncIterator[PartnerServer]:
    server = PartnerServer(port=free_port())
    async with serving(server.app(), server.port):
        yield server


@contextlib.asynccontextmanager
async def raw_server(
    answers: list[bytes | float | None],
) -> AsyncIterator[tuple[str, list[int]]]:
    """A misbehaving endpoint: per connection, bytes to write and close, None to reset at
    once, or a float to hang that many seconds; after the list, a proper 200."""
    hits: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(len(hits) + 1)
        with contextlib.suppress(Exception):
            await reader.read(65536)
        answer = (
            answers[len(hits) - 1]
            if len(hits) <= len(answers)
            else (b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        )
        if isinstance(answer, float):
            await asyncio.sleep(answer)
        elif isinstance(answer, bytes):
            writer.write(answer)
            with contextlib.suppress(Exception):
                await writer.drain()
        writer.close()

    port = free_port()
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}/hook", hits
    finally:
        server.close()


async def register(
    client: httpx.AsyncClient,
    code: str,
    *,
    webhook_url: str | None = None,
    grants: tuple[str, ...] = (),
    subscription: dict[str, Any] | None = None,
) -> tuple[str, str, str | None]:
    """(partner id, API key, webhook secret) of a new partner set up through the admin API;
    the secret is the one the creation response shows once."""
    body: dict[str, Any] = {"code": code, "name": f"Agency {code}"}
    if webhook_url:
        body["webhook_url"] = webhook_url
    created = await client.post("/api/v1/partners", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    secret: str | None = created.json().get("webhook_secret")
    assert (secret is not None) == bool(webhook_url)
    for service in grants:
        granted = await client.post(f"/api/v1/partners/{pid}/grants/{service}", headers=ADMIN)
        assert granted.status_code == 200, granted.text
    if subscription is not None:
        sub = await client.post(
            f"/api/v1/partners/{pid}/subscriptions", json=subscription, headers=ADMIN
        )
        assert sub.status_code == 201, sub.text
    key = (await client.post(f"/api/v1/partners/{pid}/keys", headers=ADMIN)).json()["api_key"]
    return pid, key, secret


async def deliveries(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/deliveries", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
