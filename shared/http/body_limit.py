"""Request bodies bounded per route and refused before they are read (pure ASGI).

FastAPI reads and parses a JSON body before it runs the route's dependencies, so without this
layer an anonymous caller could make any service read and parse hundreds of megabytes before
its 401. Here, for a request that carries a body:

- to a route that is not open to anonymous callers, a request without credentials
  (``Authorization`` or ``X-API-Key``) is answered 401 before a byte is read; the route itself
  still verifies the credentials it gets;
- a declared ``Content-Length`` above the route's limit is answered 413 at once;
- a body without one (chunked), or longer than it declared, is counted as it streams and
  refused with 413 as soon as it passes the limit.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import PROBLEM_JSON
from shared.logging import get_logger

log = get_logger(__name__)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CREDENTIAL_HEADERS = (b"authorization", b"x-api-key")


@dataclass(frozen=True)
class BodyRule:
    """The limit of the bodies sent to the paths matching ``path`` (a regular expression)."""

    path: str
    max_bytes: int


class _TooLarge(Exception):
    pass


def _problem(status: int, title: str, detail: str) -> bytes:
    slug = title.lower().replace(" ", "-")
    return json.dumps(
        {
            "type": f"https://egov.gov.vn/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
        }
    ).encode()


async def _answer(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _has_body(headers: dict[bytes, bytes]) -> bool:
    if b"transfer-encoding" in headers:
        return True
    declared = headers.get(b"content-length", b"0").strip()
    return declared != b"0" and declared != b""


def _routed(scope: Scope) -> bool:
    """Whether a route of the application takes this method and path (else: its own 404/405)."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    for route in getattr(router, "routes", ()):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return True
    return False


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default_max_bytes: int,
        rules: Sequence[BodyRule] = (),
        anonymous: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.default_max_bytes = default_max_bytes
        self.rules = [(re.compile(rule.path), rule.max_bytes) for rule in rules]
        self.anonymous = [re.compile(path) for path in anonymous]

    def limit_of(self, path: str) -> int:
        for pattern, max_bytes in self.rules:
            if pattern.fullmatch(path):
                return max_bytes
        return self.default_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if not _has_body(headers):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if (
            not any(h in headers for h in CREDENTIAL_HEADERS)
            and not any(p.fullmatch(path) for p in self.anonymous)
            and _routed(scope)
        ):
            log.info("body.refused_anonymous", path=path)
            body = _problem(401, "Unauthorized", "credentials are required to send a body here")
            await _answer(send, 401, body, [(b"www-authenticate", b"Bearer")])
            return
        limit = self.limit_of(path)
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length > limit:
                await self._refuse(send, limit, declared=length)
                return
        await self._counted(scope, receive, send, limit)

    async def _refuse(self, send: Send, limit: int, **facts: int) -> None:
        log.info("body.refused_too_large", limit=limit, **facts)
        body = _problem(
            413, "Content too large", f"request bodies here are limited to {limit} bytes"
        )
        await _answer(send, 413, body, [])

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _TooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # what the route made of a cut body is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded:
            if started:
                await send({"type": "http.response.body", "body": b""})
            else:
                await self._refuse(send, limit, received=received)


def install_body_limit(
    app: ASGIApp,
    *,
    default_max_bytes: int,
    rules: Sequence[BodyRule] = (),
    anonymous: Sequence[str] = (),
) -> None:
    """Innermost middleware of ``app`` (a FastAPI app), so refusals keep a correlation id."""
    from starlette.middleware import Middleware

    app.user_middleware.append(  # type: ignore[attr-defined]
        Middleware(
            BodyLimitMiddleware,
            default_max_bytes=default_max_bytes,
            rules=tuple(rules),
            anonymous=tuple(anonymous),
        )
    )
