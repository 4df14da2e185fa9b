"""Composition root of the lgsp service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import functools

from fastapi import FastAPI

from services.lgsp.api import (
    admin_audit,
    admin_deliveries,
    admin_partners,
    edxml_inbox,
    inbound,
    message_log,
    partner,
)
from services.lgsp.components import build
from services.lgsp.consumers import register_consumers
from services.lgsp.settings import Settings
from shared.asyncapi import declare_publishers
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    register_consumers(runtime, settings)
    return create_service_app(
        runtime,
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
        build=functools.partial(build, settings=settings),
    )
