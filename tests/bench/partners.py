"""Partner agencies of the bench: HTTP servers in this process, registered through the LGSP.

- ``healthy`` answers at once and notes when each document arrived (the figure measured);
- ``slow`` answers after 5 s;
- ``down`` is a URL on a closed port;
- ``gone-host`` points at a host that does not resolve (misconfigured);
- ``wrong-scheme`` says https to a server that speaks plain HTTP (misconfigured).

(A partner without a signing secret, the other classic misconfiguration, can no longer be
registered: the LGSP creates the secret with the partner.)

All five subscribe to the public documents feed, so every issued document makes a job for
each of them while the healthy one is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.e2e.flow import LGSP_ADMIN
from tests.support.infra import free_port
from tests.support.serving import serving

SLOW_ANSWER_S = 5.0


@dataclass
class Receiver:
    """A webhook endpoint; ``arrivals`` maps document id → perf_counter at arrival."""

    port: int
    delay_s: float = 0.0
    arrivals: dict[str, float] = field(default_factory=dict)
    received: int = 0
    _waiters: dict[str, asyncio.Event] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def note(self, document_id: str) -> None:
        self.received += 1
        self.arrivals.setdefault(document_id, time.perf_counter())
        if document_id in self._waiters:
            self._waiters[document_id].set()

    async def wait_for(self, document_id: str, timeout: float) -> float | None:
        """When the document arrived (perf_counter), or None after ``timeout``."""
        if document_id not in self.arrivals:
            event = self._waiters.setdefault(document_id, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
            self._waiters.pop(document_id, None)
        return self.arrivals.get(document_id)


def _document_id(body: bytes) -> str | None:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, dict) and data.get("document_id"):
        return str(data["document_id"])
    subject = payload.get("subject") if isinstance(payload, dict) else None
    return str(subject) if subject else None


@contextlib.asynccontextmanager
async def receiver(delay_s: float = 0.0) -> AsyncIterator[Receiver]:
    state = Receiver(port=free_port(), delay_s=delay_s)

    async def webhook(request: Request) -> Response:
        body = await request.body()
        if state.delay_s:
            await asyncio.sleep(state.delay_s)
        document_id = _document_id(body)
        if document_id:
            state.note(document_id)
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])
    # "error": the https-to-http partner makes uvicorn warn on every attempt.
    async with serving(app, state.port, log_level="error"):
        yield state


@dataclass
class Partners:
    healthy: Receiver
    slow: Receiver
    ids: dict[str, str] = field(default_factory=dict)  # name → partner id


@contextlib.asynccontextmanager
async def partner_servers() -> AsyncIterator[Partners]:
    async with receiver() as healthy, receiver(SLOW_ANSWER_S) as slow:
        yield Partners(healthy, slow)


async def register_all(lgsp_url: str, partners: Partners, run_tag: str) -> None:
    """Register the five partners through the LGSP's admin API, as an operator would."""
    closed_port = free_port()  # nothing listens there
    plan = {
        "healthy": partners.healthy.url,
        "slow": partners.slow.url,
        "down": f"http://127.0.0.1:{closed_port}/webhook",
        "gone-host": f"http://{run_tag.replace('_', '-')}.partner-gone.invalid/webhook",
        "wrong-scheme": partners.slow.url.replace("http://", "https://"),
    }
    async with httpx.AsyncClient(base_url=lgsp_url, timeout=30) as lgsp:
        run_number = zlib.crc32(run_tag.encode()) % 1000
        for index, (name, url) in enumerate(plan.items()):
            # In the registry's form (ddd.dd.dd.Xdd), distinct per run and per partner.
            code = f"{run_number:03d}.{index:02d}.99.B{index:02d}"
            partners.ids[name] = await _register(lgsp, code, name, url)


async def _register(lgsp: httpx.AsyncClient, code: str, name: str, webhook_url: str) -> str:
    """As tests/e2e/flow.register_partner: partner (with its secret), key, grant, feed."""

    async def call(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await lgsp.post(path, json=body, headers=LGSP_ADMIN)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"LGSP {path}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    created = await call(
        "/api/v1/partners",
        {"code": code, "name": f"Bench partner {name}", "webhook_url": webhook_url},
    )
    base = f"/api/v1/partners/{created['id']}"
    await call(f"{base}/keys", {})
    await call(f"{base}/grants/public-documents-feed")
    await call(f"{base}/subscriptions", {})
    return str(created["id"])
