"""RFC 9457 problem details for every error; never a stack trace."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth.verifier import AuthError
from shared.kit import errors
from shared.kit.errors import DomainError
from shared.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (errors.NotFound, 404),
    (errors.Forbidden, 403),
    (errors.Invalid, 422),
    (errors.Conflict, 409),
    (errors.Stale, 412),
    (errors.TooLarge, 413),
    (errors.Unsupported, 415),
    (errors.Gone, 410),
)


class ProblemError(Exception):
    """Raise anywhere in a request: it becomes a problem+json response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.type = type_ or f"https://egov.gov.vn/problems/{self.title.lower().replace(' ', '-')}"
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    title = title or _TITLES.get(status, "Error")
    body: dict[str, Any] = {
        "type": type_ or f"https://egov.gov.vn/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _domain_status(exc: DomainError) -> int:
    for kind, status in _DOMAIN_STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def domain_problem(exc: DomainError) -> ProblemError:
    """The problem details of a domain error (one mapping for every service)."""
    status = _domain_status(exc)
    extra = dict(exc.extra)
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Invalid):
        extra.setdefault(
            "errors", [{"field": exc.field, "message": exc.detail, "type": "value_error"}]
        )
    if isinstance(exc, errors.Stale):
        headers["ETag"] = f'"{exc.current_version}"'
        extra.setdefault("current_version", exc.current_version)
    if "version" in extra and isinstance(exc, errors.Conflict):
        headers["ETag"] = f'"{extra["version"]}"'
    return ProblemError(status, exc.detail, headers=headers, **extra)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        problem = domain_problem(exc)
        return problem_response(
            problem.status, problem.detail, headers=problem.headers, **problem.extra
        )

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.detail,
            title=exc.title,
            type_=exc.type,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        headers = (
            {"WWW-Authenticate": 'Bearer error="invalid_token"'} if exc.status == 401 else None
        )
        return problem_response(exc.status, exc.detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "message": err.get("msg", "invalid"),
                "type": err.get("type", "value_error"),
            }
            for err in exc.errors()
        ]
        fields = ", ".join(sorted({e["field"] or "body" for e in errors}))
        return problem_response(422, f"invalid request: {fields}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(ConnectionFailure)
    async def _store_unavailable(request: Request, exc: ConnectionFailure) -> JSONResponse:
        # The database restarting or unreachable is an outage, not a bug: the client may try
        # again (503 + Retry-After); writes are guarded by If-Match or Idempotency-Key, so a
        # retried call never applies twice.
        log.warning("http.store_unavailable", path=request.url.path, error=type(exc).__name__)
        return problem_response(
            503, "the database is unavailable; try again shortly", headers={"Retry-After": "1"}
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("http.unhandled", path=request.url.path, error=type(exc).__name__, exc_info=exc)
        return problem_response(500, "an unexpected error occurred; it has been logged")
