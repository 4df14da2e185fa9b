"""A partner agency's webhook endpoint, played by a real HTTP server inside the test."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.infra import free_port
from tests.support.serving import serving


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value


@dataclass
class PartnerServer:
    port: int
    received: list[Received] = field(default_factory=list)
    status: int = 200  # what the endpoint answers; 503 plays "down"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def of_type(self, ce_type: str) -> list[Received]:
        return [r for r in self.received if r.json.get("type") == ce_type]


@contextlib.asynccontextmanager
async def partner_server() -> AsyncIterator[PartnerServer]:
    state = PartnerServer(port=free_port())

    async def webhook(request: Request) -> Response:
        body = await request.body()
        if state.status >= 300:
            return JSONResponse({"error": "unavailable"}, status_code=state.status)
        state.received.append(Received(dict(request.headers), body))
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])
    async with serving(app, state.port):
        yield state
