"""Composition root of the portal service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.portal.settings import Settings
from shared.asyncapi import declare_publishers
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    return create_service_app(runtime, title="egov portal", version=VERSION, routers=[])
