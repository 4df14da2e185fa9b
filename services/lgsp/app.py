"""Composition root of the lgsp service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.lgsp.api import (
    admin_audit,
    admin_deliveries,
    admin_partners,
    edxml_inbox,
    inbound,
    message_log,
    partner,
    webhooks,
)
from services.lgsp.api.deps import current_partner
from services.lgsp.components import build
from services.lgsp.consumers import register_consumers
from services.lgsp.settings import Settings
from services.lgsp.web.install import install_console
from shared.http.app import service_app
from shared.http.body_limit import BodyRule
from shared.http.openapi import API_KEY, STAFF_SECURITY
from shared.runtime import Runtime

VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    def install(app: FastAPI, _: Runtime) -> None:
        app.webhooks.include_router(webhooks.router)  # documented only: the calls to partners
        # The LGSP console: pages under /console behind OpenID Connect sign-in.
        install_console(app, settings)

    return service_app(
        settings,
        title="egov lgsp",
        version=VERSION,
        routers=[
            admin_partners.router,
            admin_deliveries.router,
            partner.router,
            edxml_inbox.router,
            inbound.router,
            message_log.router,
            admin_audit.router,
        ],
        build=build,
        register_consumers=register_consumers,
        install=install,
        # The inbound route authenticates, then reads and limits the body itself (with its
        # own message); this layer is only the backstop above it.
        body_rules=[BodyRule(r"/api/v1/inbound/?", settings.max_inbound_bytes + 64 * 1024)],
        # Console forms carry a session cookie, not a bearer token; the CSRF check and the
        # session guard them (docs/architecture.md, "Staff workspace").
        anonymous=[r"/console/.*"],
        security=[*STAFF_SECURITY, (current_partner, (API_KEY,), False)],
        rate_limited=[current_partner],
    )
