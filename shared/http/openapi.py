"""The OpenAPI document as the services really behave: problem details, security, limits.

FastAPI documents validation errors as its own ``HTTPValidationError`` and knows nothing of the
problem+json answers, the credentials a route checks or the limits in front of it. This module
rewrites the generated document once, whichever port serves it:

- one shared ``Problem`` schema (RFC 9457, with the validation problem's ``errors`` list) for
  every error answer, as ``application/problem+json``;
- the security schemes (bearer JWT for staff and administrators, ``X-API-Key`` for partners)
  on the operations whose dependencies check them, found by walking each route's dependencies;
- 401/403 on secured operations, 412/428 where ``If-Match`` is read, 413 where a body is sent,
  429 where a rate limit counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from shared.auth.dependencies import authenticate, optional_principal
from shared.http.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; every error answer of the platform has this form.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "identifies the problem"},
        "title": {"type": "string", "description": "short summary of the problem type"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what went wrong, for a person"},
        "errors": {
            "type": "array",
            "description": "for a validation problem (422): each field refused and why",
            "items": {
                "type": "object",
                "required": ["field", "message", "type"],
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
        "retry_after_s": {"type": "integer", "description": "with 429: seconds to wait"},
        "current_version": {"type": "integer", "description": "with 412: the current version"},
    },
    "additionalProperties": True,
}

BEARER = "bearerAuth"
API_KEY = "partnerApiKey"
SECURITY_SCHEMES: dict[str, Any] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "staff, administrators and service accounts: a JWT of the identity "
        "provider (roles, clearance and unit in its claims)",
    },
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "a partner agency's LGSP API key",
    },
}

_DESCRIPTIONS = {
    "400": "Bad request (problem details)",
    "401": "Credentials missing or not valid",
    "403": "Authenticated, but not allowed",
    "404": "Not found, or not visible to the caller",
    "409": "Conflict with the resource's state",
    "412": "If-Match does not name the current version",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "422": "Validation failed: `errors` lists each field",
    "428": "If-Match is required",
    "429": "Too many requests: wait for `Retry-After` seconds",
    "500": "Unexpected error (logged with the correlation id)",
}


# A route's security: the dependency callables that check credentials, each with the schemes
# it accepts and whether the credentials are optional.
SecurityRule = tuple[Callable[..., Any], tuple[str, ...], bool]
STAFF_SECURITY: tuple[SecurityRule, ...] = (
    (authenticate, (BEARER,), False),
    (optional_principal, (BEARER,), True),
)


def _calls(dependant: Dependant) -> Iterable[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _problem_response(code: str) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(code, "Problem details"),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _has_header(operation: Mapping[str, Any], name: str) -> bool:
    return any(
        p.get("in") == "header" and str(p.get("name", "")).lower() == name
        for p in operation.get("parameters", [])
    )


def _operation_extras(
    route: Any, rules: Iterable[SecurityRule], rate_limited: Iterable[Callable[..., Any]]
) -> tuple[list[dict[str, list[str]]], set[str]]:
    calls = set(_calls(route.dependant))
    security: list[dict[str, list[str]]] = []
    codes: set[str] = set()
    for call, schemes, optional in rules:
        if call in calls:
            if optional:
                security.append({})
            security.extend({scheme: []} for scheme in schemes)
            codes.update({"401"} if optional else {"401", "403"})
    if calls & set(rate_limited):
        codes.add("429")
    return security, codes


def complete_openapi(
    app: FastAPI,
    *,
    security: Iterable[SecurityRule] = (),
    rate_limited: Iterable[Callable[..., Any]] = (),
    examples: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The application's OpenAPI document, rewritten as the module docstring says."""
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        webhooks=app.webhooks.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    # Webhooks are calls the service makes: what the receiver answers is theirs to say, and
    # FastAPI's validation error (removed above) is no answer of theirs.
    for item in doc.get("webhooks", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    rules = list(security)
    limited = list(rate_limited)
    routes = {
        (context.path_format, method.lower()): context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            route = routes.get((path, method))
            if route is None or not isinstance(operation, dict):
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            op_security, codes = _operation_extras(route, rules, limited)
            if op_security:
                operation["security"] = op_security
            codes.update({"400", "422"})
            if "requestBody" in operation:
                codes.update({"413", "415"})
            if _has_header(operation, "if-match"):
                codes.update({"412", "428"})
            if "{" in path:
                codes.add("404")
            for code in sorted(codes):
                responses[code] = _problem_response(code)
            responses["default"] = _problem_response("500")
            example = (examples or {}).get(operation.get("operationId", ""))
            if example is not None and "requestBody" in operation:
                for media in operation["requestBody"].get("content", {}).values():
                    media.setdefault("example", example)
    return doc


def install_openapi(
    app: FastAPI,
    *,
    security: Iterable[SecurityRule] = STAFF_SECURITY,
    rate_limited: Iterable[Callable[..., Any]] = (),
    examples: Mapping[str, Any] | None = None,
) -> None:
    """``app.openapi()`` returns the completed document (built once, on first use)."""
    rules = list(security)
    limited = list(rate_limited)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_openapi(
                app, security=rules, rate_limited=limited, examples=examples
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
