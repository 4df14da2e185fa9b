"""Correlation id and request metrics on every HTTP request."""

from __future__ import annotations

import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logging import correlation_id_var, get_logger, new_correlation_id
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS

HEADER = "x-correlation-id"
# Probes and scrapes would drown the access log.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
log = get_logger("egov.http")
_VALID = re.compile(r"^[A-Za-z0-9._\-]{1,100}$")


class CorrelationMiddleware:
    """Takes X-Correlation-ID from the request (or makes one), logs with it, echoes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        cid = incoming if _VALID.match(incoming) else new_correlation_id()
        token = correlation_id_var.set(cid)
        started = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((HEADER.encode(), cid.encode()))
            await send(message)

        try:
            with structlog.contextvars.bound_contextvars(correlation_id=cid):
                await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS.labels(scope["method"], path, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], path).observe(elapsed)
            if path not in QUIET_ROUTES:
                log.info(
                    "http.request",
                    method=scope["method"],
                    route=path,
                    status=status,
                    ms=round(elapsed * 1000, 1),
                )
            correlation_id_var.reset(token)
