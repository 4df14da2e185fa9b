"""Security headers on every response, and HTML error pages for browsers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.portal.api.html import PageNotFound
from services.portal.components import components_of
from shared.http.problems import problem_response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


class SecurityHeadersMiddleware:
    """Adds the headers unless a route set its own (file downloads are sandboxed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {bytes(k).lower() for k, _ in headers}
                for key, value in HEADERS.items():
                    if key.encode() not in present:
                        headers.append((key.encode(), value.encode()))
            await send(message)

        await self.app(scope, receive, _send)


def wants_html(request: Request) -> bool:
    path = request.url.path
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not path.startswith("/api/")


def install_html_errors(app: FastAPI) -> None:
    def error_page(request: Request, lang: str, gone: bool) -> Response:
        renderer = components_of(request.app.state.runtime).renderer
        status = 410 if gone else 404
        return renderer.page(request, "error.html", lang=lang, status_code=status, gone=gone)

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, exc: PageNotFound) -> Response:
        return error_page(request, exc.lang, exc.gone)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and wants_html(request):
            lang = "en" if request.url.path.startswith("/en/") else "vi"
            return error_page(request, lang, False)
        return problem_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
