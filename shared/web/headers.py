"""Security headers of every workspace page: a strict Content-Security-Policy (scripts,
styles and images from the service only, no inline script), no framing, no caching of pages
that show what a signed-in user may see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.web.session import under


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """``form_targets``: origins a form may lead to besides the service (the identity
    provider's, for sign-out at the provider), since browsers apply form-action to redirects."""
    targets = " ".join(["'self'", *form_targets])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"object-src 'none'; base-uri 'none'; form-action {targets}; frame-ancestors 'none'"
    )


class DefaultHeadersMiddleware:
    """Adds ``headers`` to the responses under ``prefix`` that have not set them themselves (a
    file download sets a sandboxing policy of its own)."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str], prefix: str = "/") -> None:
        self.app = app
        self.prefix = prefix
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not under(scope["path"], self.prefix):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in self.headers.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecurityHeadersMiddleware(DefaultHeadersMiddleware):
    """The workspace's: never cached, never sent as a referrer to another site."""

    def __init__(self, app: ASGIApp, prefix: str, csp: str) -> None:
        headers = {
            "content-security-policy": csp,
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "same-origin",
            "cache-control": "no-store",
        }
        super().__init__(app, headers=headers, prefix=prefix)
