"""The admin port: what operators and their tools read, away from the public one.

Each service serves ``/metrics`` (Prometheus), ``/asyncapi.json``, ``/openapi.json``,
``/docs`` and its health checks on ``EGOV_<SERVICE>_ADMIN_PORT`` (default: the public port +
1000), bound to ``EGOV_<SERVICE>_ADMIN_HOST`` (default: the public host). The public port
keeps ``/healthz`` and ``/readyz`` for probes; ``/metrics`` is never served there.

The server is started by the process runner (``egov serve``) through the app's lifespan, so
apps embedded in tests never bind a port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import uvicorn
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.asyncapi import asyncapi_document
from shared.http.health import health_router
from shared.logging import get_logger

if TYPE_CHECKING:
    from shared.runtime import Runtime

log = get_logger(__name__)
ADMIN_APP = "admin_app"
SERVE_ADMIN = "serve_admin"
# What only operators need; the portal's public port does not serve them.
OPERATOR_DOCUMENTS = ("/openapi.json", "/docs", "/docs/assets", "/docs/assets/own", "/redoc")


def build_admin_app(runtime: Runtime, public: FastAPI, version: str) -> FastAPI:
    settings = runtime.settings
    admin = FastAPI(
        title=f"{public.title} (admin)",
        version=version,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    admin.include_router(health_router(runtime, version))

    @admin.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @admin.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document(runtime.broker, settings.service_name, version)

    @admin.get("/openapi.json", include_in_schema=False)
    async def openapi() -> dict[str, Any]:
        # The public API's document, whether or not the public port serves it.
        return public.openapi()

    with contextlib.suppress(ImportError, RuntimeError):  # Swagger UI assets are optional
        from shared.http.docs import install_offline_docs

        install_offline_docs(admin, "/openapi.json")
    return admin


def serve_operator_documents_on_admin_only(public: FastAPI) -> None:
    """Drop the API description and its viewer from a public app (the portal's)."""
    public.router.routes[:] = [
        route
        for route in public.router.routes
        if getattr(route, "path", None) not in OPERATOR_DOCUMENTS
    ]
    public.openapi_url = None
    public.docs_url = None
    public.redoc_url = None


def admin_address(runtime: Runtime) -> tuple[str, int]:
    settings = runtime.settings
    host = settings.admin_host or settings.host
    port = settings.admin_port if settings.admin_port is not None else settings.port + 1000
    return host, port


class _QuietServer(uvicorn.Server):
    # The public server owns the process's signals; this one stops with the lifespan.
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class AdminServer:
    """The admin app on its own port, inside the public server's event loop."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self.host, self.port = host, port
        config = uvicorn.Config(
            app, host=host, port=port, lifespan="off", access_log=False, log_config=None
        )
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Bind now (a port in use fails the start, as the public port would), then serve."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="admin-server")
        # uvicorn signals readiness with a flag only.
        while not self._server.started and not self._task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        log.info("admin.started", host=self.host, port=self.port)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


def enable_admin_port(app: FastAPI) -> None:
    """Make ``app``'s lifespan serve the admin port (what ``egov serve`` does)."""
    setattr(app.state, SERVE_ADMIN, True)


def admin_port_enabled(app: FastAPI) -> bool:
    return bool(getattr(app.state, SERVE_ADMIN, False))
