"""Composition root of the portal service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import functools

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.portal.api import documents, feeds, html, news, news_html
from services.portal.api.rendering import TEMPLATES
from services.portal.api.security import SecurityHeadersMiddleware, install_html_errors
from services.portal.components import build
from services.portal.consumers import register_consumers
from services.portal.settings import Settings
from shared.asyncapi import declare_publishers
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"
STATIC = TEMPLATES.parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    register_consumers(runtime, settings)
    app = create_service_app(
        runtime,
        title="egov portal",
        version=VERSION,
        routers=[documents.router, news.router, feeds.router, html.router, news_html.router],
        build=functools.partial(build, settings=settings),
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeadersMiddleware)
    install_html_errors(app)
    return app
