"""Security headers on every response, and HTML error pages for browsers."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.portal.api.html import PageNotFound
from services.portal.api.i18n import LABELS, PATHS
from services.portal.components import components_of
from shared.http.problems import ProblemError, problem_response
from shared.kit.types import Doc
from shared.web.headers import DefaultHeadersMiddleware, content_security_policy

HEADERS = {
    "content-security-policy": content_security_policy(),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def install_security_headers(app: FastAPI) -> None:
    """On every response unless a route set its own (file downloads are sandboxed)."""
    app.add_middleware(DefaultHeadersMiddleware, headers=HEADERS)


def wants_html(request: Request) -> bool:
    path = request.url.path
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not path.startswith("/api/")


def _explain(lang: str, exc: Exception) -> list[str]:
    """What a reader is told about a search the site cannot run."""
    labels = LABELS[lang]
    if isinstance(exc, RequestValidationError):
        lines = []
        for err in exc.errors():
            limit = (err.get("ctx") or {}).get("max_length")
            if err.get("type") == "string_too_long" and limit:
                lines.append(labels["err_too_long"].format(n=limit))
            else:
                field = str((err.get("loc") or ("", ""))[-1])
                lines.append(f"{labels['err_other']}: {labels.get(field, field)}")
        return list(dict.fromkeys(lines))
    detail = str(getattr(exc, "detail", exc))
    if "date_from is after date_to" in detail:
        return [labels["err_date_order"]]
    return [f"{labels['err_other']}: {detail}"]


async def _awaited(result: Response | Awaitable[Response]) -> Response:
    return await result if inspect.isawaitable(result) else result


def install_html_errors(app: FastAPI) -> None:
    """HTML for browsers, the shared problem+json handlers (installed before) for the rest."""
    json_invalid = app.exception_handlers[RequestValidationError]
    json_problem = app.exception_handlers[ProblemError]

    def error_page(
        request: Request, lang: str, gone: bool, document: Doc | None = None
    ) -> Response:
        renderer = components_of(request.app.state.runtime).renderer
        labels = LABELS[lang]
        if document is not None:
            at = renderer.env.filters["vndate"](document["at"], lang)
            heading = labels["gone_doc"]
            lines = [labels["gone_doc_text"].format(notation=document["notation"], at=at)]
        else:
            heading = labels["gone" if gone else "not_found"]
            lines = [labels["gone_text" if gone else "not_found_text"]]
        return renderer.page(
            request,
            "error.html",
            lang=lang,
            status_code=410 if gone else 404,
            heading=heading,
            lines=lines,
            explanation=document["explanation"] if document else None,
            back=None,
        )

    def bad_request(request: Request, status: int, exc: Exception) -> Response:
        lang = _language_of(request)
        renderer = components_of(request.app.state.runtime).renderer
        return renderer.page(
            request,
            "error.html",
            lang=lang,
            status_code=status,
            heading=LABELS[lang]["bad_request"],
            lines=_explain(lang, exc),
            explanation=None,
            back=PATHS[lang]["documents"],
        )

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, exc: PageNotFound) -> Response:
        return error_page(request, exc.lang, exc.gone, exc.document)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and wants_html(request):
            return error_page(request, _language_of(request), False)
        return problem_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request):
            return bad_request(request, 400, exc)
        return await _awaited(json_invalid(request, exc))

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        if wants_html(request) and exc.status in (400, 422):
            return bad_request(request, exc.status, exc)
        return await _awaited(json_problem(request, exc))


def _language_of(request: Request) -> str:
    path = request.url.path
    return "en" if path == "/en" or path.startswith("/en/") else "vi"
