"""CSRF protection of every form: a per-session token in a hidden field, checked before
any handler runs.

Every request under the workspace path with an unsafe method must carry the session's token,
as the form field ``csrf_token`` or (for scripted uploads) the ``X-CSRF-Token`` header;
otherwise it is refused with 403 and the handler never sees it. SameSite=Lax cookies already
keep other sites' forms from carrying the session; the token also covers same-site pages.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.web.session import EMAIL, under

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Refusal = Callable[[Request], Awaitable[Response]]


def csrf_token(session: dict[str, Any]) -> str:
    """The session's token, made on first use (pages call this for their forms)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def token_matches(session: dict[str, Any], sent: str | None) -> bool:
    expected = session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


class BodyTooLarge(Exception):
    pass


class CsrfMiddleware:
    """Refuses unsafe requests under ``prefix`` without the session's token.

    Runs inside the session middleware, which may be outside the service's body limit: so a
    request whose session has no token is refused before anything is read, and the body read
    here to find the form's token stops at ``max_body_bytes`` (413). What was read is handed on
    unchanged, so the handler parses the same form.
    """

    def __init__(
        self,
        app: ASGIApp,
        prefix: str,
        refuse: Refusal,
        max_body_bytes: int,
        too_large: Refusal,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.refuse = refuse
        self.max_body_bytes = max_body_bytes
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or not under(scope["path"], self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        session: dict[str, Any] = scope.get("session", {})
        if token_matches(session, request.headers.get(HEADER)):
            await self.app(scope, receive, send)
            return
        # Nobody signed in may post anything (sign-in itself is GETs), and a form is only read
        # for someone who is: an anonymous client never makes the service buffer a body.
        if not session.get(SESSION_KEY) or not session.get(EMAIL):
            response = await self.refuse(request)
            await response(scope, receive, send)
            return
        try:
            body = await _read_at_most(request, receive, self.max_body_bytes)
        except BodyTooLarge:
            response = await self.too_large(request)
            await response(scope, receive, send)
            return
        request = Request(scope, _replay(body, receive))
        if not token_matches(session, await _form_token(request, body)):
            response = await self.refuse(request)
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_at_most(request: Request, receive: Receive, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _form_token(request: Request, body: bytes) -> str | None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode("utf-8", "replace")).get(FIELD)
        return values[0] if values else None
    if content_type == "multipart/form-data":
        try:
            async with request.form() as form:
                value = form.get(FIELD)
        except Exception:  # a malformed body is simply one without a token
            return None
        return value if isinstance(value, str) else None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
