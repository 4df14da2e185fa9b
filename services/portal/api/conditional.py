"""Validators and shared-cache rules on every public answer: ``ETag`` and ``Last-Modified``,
``304 Not Modified``, and ``Cache-Control`` that lets a CDN hold a page for a few seconds.

The ETag is the hash of the body, so it changes exactly when the answer does (a verified
signature or a fetched file changes a page without a new version). ``Last-Modified`` is the
site's change stamp, which the projection, the worker and news writes move (whole seconds,
rounded up): a body rendered at ``r`` is dated by the stamp known then if that second has
passed, else by ``r`` rounded down, so every change the body misses is dated after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.kit.clock import utcnow

# Answers that are not public pages or data: health, metrics, docs, static files (their own
# validators), attachment downloads (immutable, by hash) and anything with credentials.
SKIPPED_PREFIXES = ("/health", "/ready", "/metrics", "/docs", "/openapi", "/asyncapi", "/static")
CACHEABLE_TYPES = ("text/html", "application/json", "application/atom+xml", "application/xml")


def last_modified(stamp: dt.datetime, rendered_at: dt.datetime) -> dt.datetime:
    """The date of a body rendered at ``rendered_at`` when the change stamp was ``stamp``."""
    if stamp <= rendered_at:
        return stamp
    return rendered_at.replace(microsecond=0)


def http_date(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def _not_modified_since(header: str, stamp: dt.datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return stamp <= since


class ConditionalGetMiddleware:
    """``stamp()`` is the site's change stamp as this process knows it (None: not ready)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        stamp: Callable[[Scope], dt.datetime | None],
        cache_control: Callable[[Scope], str],
    ) -> None:
        self.app = app
        self._stamp = stamp
        self._cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        stamp = self._stamp(scope)
        rendered_at = utcnow()
        start: Message | None = None
        passthrough = False
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
            elif message["type"] == "http.response.start":
                if self._buffered(message):
                    start = message
                else:
                    passthrough = True
                    await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, send, start, b"".join(chunks), stamp, rendered_at)
            else:
                await send(message)

        await self.app(scope, receive, capture)

    @staticmethod
    def _applies(scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        path = str(scope["path"])
        if path.startswith(SKIPPED_PREFIXES) or "/files/" in path:
            return False
        return not any(k == b"authorization" for k, _ in scope.get("headers", []))

    @staticmethod
    def _buffered(start: Message) -> bool:
        if start.get("status") != 200:
            return False
        headers = {bytes(k).lower(): bytes(v) for k, v in start.get("headers", [])}
        media = headers.get(b"content-type", b"").decode("latin-1")
        return b"cache-control" not in headers and media.startswith(CACHEABLE_TYPES)

    async def _finish(
        self,
        scope: Scope,
        send: Send,
        start: Message,
        body: bytes,
        stamp: dt.datetime | None,
        rendered_at: dt.datetime,
    ) -> None:
        raw = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        found = dict(raw)
        etag = found.get(b"etag", b"").decode("latin-1") or (
            '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        )
        dated = found.get(b"last-modified", b"").decode("latin-1")
        if not dated and stamp is not None:
            dated = http_date(last_modified(stamp, rendered_at))
        extra = {b"etag": etag, b"cache-control": self._cache_control(scope)}
        if dated:
            extra[b"last-modified"] = dated
        request = {bytes(k).lower(): bytes(v).decode("latin-1") for k, v in scope["headers"]}
        if_none_match = request.get(b"if-none-match")
        if_modified_since = request.get(b"if-modified-since")
        fresh = False
        if if_none_match is not None:
            fresh = _etag_matches(if_none_match, etag)
        elif if_modified_since is not None and stamp is not None and dated:
            fresh = _not_modified_since(if_modified_since, stamp)
        kept = [(k, v) for k, v in raw if k not in extra and k != b"content-length"]
        headers = kept + [(k, v.encode("latin-1")) for k, v in extra.items()]
        if fresh:
            headers = [(k, v) for k, v in headers if k != b"content-type"]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
