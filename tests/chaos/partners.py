"""Partner agencies that misbehave: webhook endpoints on loopback, each with its own fault.

A tiny HTTP/1.1 server on asyncio streams (one request per connection), so that a partner
can do what a real framework would not: close its port for a stretch, or answer bytes that
are not HTTP at all. A request counts as received only when the partner answered 2xx: a
partner that answered 500 or garbage has not taken the document, and the LGSP must try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from tests.support.infra import free_port

HEADER_LIMIT = 64 * 1024


class Mode:
    STEADY = "steady"  # answers 200 at once
    SLOW = "slow"  # answers 200 after a few seconds
    FLAKY = "flaky"  # answers 500 at random
    GARBAGE = "garbage"  # answers bytes that are not HTTP, or 200 with a binary body, at random
    DOWN = "down"  # its port is closed for a stretch of the run


@dataclass
class Delivery:
    webhook_id: str
    event_type: str
    subject: str
    data: dict[str, Any]
    body: bytes


@dataclass
class ChaosPartner:
    name: str
    code: str
    mode: str
    slow_s: float = 3.0
    failure_rate: float = 0.4
    port: int = field(default_factory=free_port)
    received: list[Delivery] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)  # what it answered → how often
    partner_id: str = ""
    api_key: str = ""
    secret: str | None = None
    _server: asyncio.Server | None = None
    _rng: random.Random = field(default_factory=random.Random)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    @property
    def up(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._serve, "127.0.0.1", self.port, reuse_address=True
            )

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    def _count(self, outcome: str) -> None:
        self.answered[outcome] = self.answered.get(outcome, 0) + 1

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            if len(head) > HEADER_LIMIT:
                return
            headers = _headers(head)
            length = int(headers.get("content-length", "0"))
            body = await asyncio.wait_for(reader.readexactly(length), 30) if length else b""
            if self._server is None:  # went down while the request was on its way
                return
            await self._answer(writer, headers, body)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, OSError):
            pass
        except ValueError:
            self._count("bad request")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(
        self, writer: asyncio.StreamWriter, headers: dict[str, str], body: bytes
    ) -> None:
        roll = self._rng.random()
        if self.mode == Mode.SLOW:
            await asyncio.sleep(self.slow_s)
        if self.mode == Mode.FLAKY and roll < self.failure_rate:
            self._count("500")
            writer.write(_response(500, b'{"error": "internal"}'))
            await writer.drain()
            return
        if self.mode == Mode.GARBAGE and roll < self.failure_rate:
            self._count("garbage")
            writer.write(bytes(self._rng.getrandbits(8) for _ in range(64)) + b"\r\n\r\n")
            await writer.drain()
            return
        self._note(headers, body)
        if self.mode == Mode.GARBAGE and roll < self.failure_rate * 1.5:
            # 2xx is success, whatever the body says: the partner took it.
            self._count("200 garbage body")
            writer.write(_response(200, b"\x00\xff not json \xfe", "application/octet-stream"))
        else:
            self._count("200")
            writer.write(_response(200, b'{"ok": true}'))
        await writer.drain()

    def _note(self, headers: dict[str, str], body: bytes) -> None:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        payload = payload if isinstance(payload, dict) else {}
        data = payload.get("data")
        self.received.append(
            Delivery(
                webhook_id=headers.get("webhook-id", ""),
                event_type=str(payload.get("type", "")),
                subject=str(payload.get("subject", "")),
                data=data if isinstance(data, dict) else {},
                body=body,
            )
        )


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")
    if len(lines[0].split()) < 3:
        raise ValueError("not an HTTP request line")
    found: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            found[name.strip().lower()] = value.strip()
    return found


def _response(status: int, body: bytes, media_type: str = "application/json") -> bytes:
    reason = {200: "OK", 500: "Internal Server Error"}.get(status, "Status")
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {media_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
