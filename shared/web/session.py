"""The workspace session: a signed cookie (HttpOnly, SameSite=Lax, Secure over https) that
ends after an idle period and, whatever the activity, some time after sign-in.

The whole session travels in the cookie, signed with ``EGOV_SESSION_SECRET``: any replica
reads it, nothing is stored server-side. It holds only the signed-in e-mail, times, the CSRF
token, the language, flash messages and the sign-in flow's state; never a credential.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SIGNED_IN_AT = "signed_in_at"
EMAIL = "email"  # who signed in
EXPIRED = "session_expired"  # set in the scope when an ended session was presented


@dataclass(frozen=True)
class SessionPolicy:
    cookie_name: str
    path: str
    secret: str
    idle_s: int
    max_s: int
    # Always mark the cookie Secure (production: TLS may end at a proxy, so the scheme the
    # service sees says nothing about what the browser used).
    always_secure: bool = False


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


class SessionCodec:
    """Signs and reads session cookies; the signature's age is the idle time."""

    def __init__(self, policy: SessionPolicy) -> None:
        self.policy = policy
        # Salted per cookie (per service): with one secret shared by a deployment, a cookie of
        # one service is still never a session at another.
        self._serializer = URLSafeTimedSerializer(
            policy.secret, salt=f"egov.workspace.session.{policy.cookie_name}", serializer=json
        )

    def dumps(self, session: dict[str, Any]) -> str:
        value = self._serializer.dumps(session)
        return value if isinstance(value, str) else value.decode()

    def loads(self, value: str, now: float | None = None) -> tuple[dict[str, Any], bool]:
        """The session, and whether the cookie was one that has ended (idle or too old)."""
        try:
            data = self._serializer.loads(value, max_age=self.policy.idle_s)
        except SignatureExpired:
            return {}, True
        except BadSignature:
            return {}, False
        if not isinstance(data, dict):
            return {}, False
        signed_in_at = data.get(SIGNED_IN_AT)
        current = time.time() if now is None else now
        if isinstance(signed_in_at, int | float) and current - signed_in_at > self.policy.max_s:
            return {}, True
        return data, False


class SessionMiddleware:
    """Puts ``scope["session"]`` on requests under the workspace path and writes it back."""

    def __init__(self, app: ASGIApp, policy: SessionPolicy) -> None:
        self.app = app
        self.policy = policy
        self.codec = SessionCodec(policy)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not under(scope["path"], self.policy.path):
            await self.app(scope, receive, send)
            return
        presented = _cookie(scope, self.policy.cookie_name)
        session, expired = self.codec.loads(presented) if presented else ({}, False)
        scope["session"] = session
        scope[EXPIRED] = expired

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current = scope["session"]
                if current:
                    headers.append("set-cookie", self._cookie(self.codec.dumps(current), scope))
                elif presented:
                    headers.append("set-cookie", self._cookie("", scope, max_age=0))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, value: str, scope: Scope, max_age: int | None = None) -> str:
        age = self.policy.idle_s if max_age is None else max_age
        parts = [
            f"{self.policy.cookie_name}={value}",
            f"Path={self.policy.path}",
            f"Max-Age={age}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if self.policy.always_secure or scope.get("scheme") == "https":
            parts.append("Secure")
        return "; ".join(parts)


def _cookie(scope: Scope, name: str) -> str | None:
    # Browsers' own lenient parsing: another cookie of the site with a space, quotes or JSON
    # in it must not hide ours (http.cookies gives up on the whole header).
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found:
                return found
    return None
