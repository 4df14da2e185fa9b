"""Composition root of the documents service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import functools

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
from services.documents.web.install import install_workspace
from shared.asyncapi import declare_publishers
from shared.http.body_limit import BodyRule, install_body_limit
from shared.http.docs import install_offline_docs
from shared.http.openapi import install_openapi
from shared.http.rate_limit import LocalWindowCounter, RateLimit, RateLimiter
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    register_consumers(runtime, settings)
    app = create_service_app(
        runtime,
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
        build=functools.partial(build, settings=settings),
    )
    # Uploads get the file limit plus multipart overhead, refused before they are read.
    install_body_limit(
        app,
        default_max_bytes=settings.max_body_bytes,
        rules=[
            BodyRule(
                r"/api/v1/documents/[^/]+/attachments/?",
                settings.max_attachment_bytes + settings.upload_overhead_bytes,
            ),
            BodyRule(
                r"/workspace/documents/[^/]+/attachments/?",
                settings.max_attachment_bytes + settings.upload_overhead_bytes,
            ),
        ],
        # Workspace forms carry a session cookie, not a bearer token; the CSRF check and the
        # session guard them (docs/architecture.md, "Staff workspace").
        anonymous=[r"/api/v1/verify", r"/workspace/.*"],
    )
    # Per replica: an anonymous client is known only by its address.
    app.state.verify_limiter = RateLimiter(
        LocalWindowCounter(), RateLimit(settings.verify_rate_per_min)
    )
    install_openapi(app, rate_limited=[signatures.verify_rate])
    install_offline_docs(app)
    # The staff workspace: pages under /workspace behind OpenID Connect sign-in.
    install_workspace(app, settings)
    return app
