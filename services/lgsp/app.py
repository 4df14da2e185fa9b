"""Composition root of the lgsp service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.lgsp.api import admin_deliveries, admin_partners, partner
from services.lgsp.components import Components
from services.lgsp.consumers import register_consumers
from services.lgsp.services.intake import IntakeService
from services.lgsp.settings import Settings
from shared.asyncapi import declare_publishers
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    holder: dict[str, Components] = {}
    started = asyncio.Event()

    async def intake() -> IntakeService:
        # The broker starts (in the runtime) just before the components are built.
        await asyncio.wait_for(started.wait(), 60)
        return holder["c"].intake

    register_consumers(runtime, settings, intake)

    async def on_start(rt: Runtime) -> None:
        components = Components(rt, settings)
        await components.start()
        holder["c"] = components
        app.state.lgsp = components
        started.set()

    async def on_stop(_: Runtime) -> None:
        started.clear()
        components = holder.pop("c", None)
        if components is not None:
            await components.stop()

    app = create_service_app(
        runtime,
        title="egov lgsp",
        version=VERSION,
        routers=[admin_partners.router, admin_deliveries.router, partner.router],
        on_start=on_start,
        on_stop=on_stop,
    )
    return app
