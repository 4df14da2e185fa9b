"""Composition root of the documents service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.documents.api import (
    attachments,
    deliveries,
    documents,
    incoming,
    registers,
    signatures,
)
from services.documents.components import build
from services.documents.consumers import register_consumers
from services.documents.settings import Settings
from services.documents.web.install import install_documents_workspace
from shared.http.app import service_app
from shared.http.body_limit import BodyRule
from shared.http.rate_limit import LocalWindowCounter, RateLimit, RateLimiter
from shared.runtime import Runtime

VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # Uploads get the file limit plus multipart overhead, refused before they are read.
    upload_bytes = settings.max_attachment_bytes + settings.upload_overhead_bytes

    def install(app: FastAPI, _: Runtime) -> None:
        # Per replica: an anonymous client is known only by its address.
        app.state.verify_limiter = RateLimiter(
            LocalWindowCounter(), RateLimit(settings.verify_rate_per_min)
        )
        # The staff workspace: pages under /workspace behind OpenID Connect sign-in.
        install_documents_workspace(app, settings)

    return service_app(
        settings,
        title="egov documents",
        version=VERSION,
        routers=[
            documents.router,
            attachments.router,
            deliveries.router,
            incoming.router,
            registers.router,
            signatures.router,
        ],
        build=build,
        register_consumers=register_consumers,
        install=install,
        body_rules=[
            BodyRule(r"/api/v1/documents/[^/]+/attachments/?", upload_bytes),
            BodyRule(r"/workspace/documents/[^/]+/attachments/?", upload_bytes),
        ],
        # Workspace forms carry a session cookie, not a bearer token; the CSRF check and the
        # session guard them (docs/architecture.md, "Staff workspace").
        anonymous=[r"/api/v1/verify", r"/workspace/.*"],
        rate_limited=[signatures.verify_rate],
    )
