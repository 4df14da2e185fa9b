"""The operator side of a running service: its admin port and the Kafka readings behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from shared.background import BackgroundLoop
from shared.messaging.kafka_security import client_options
from shared.observability.admin import (
    ADMIN_APP,
    AdminServer,
    admin_address,
    admin_port_enabled,
    build_admin_app,
)
from shared.observability.kafka_readings import KafkaReadings

if TYPE_CHECKING:
    from shared.runtime import Runtime


class Operations:
    """Started after the service's own jobs, stopped before them."""

    def __init__(self, runtime: Runtime, app: FastAPI) -> None:
        self._runtime = runtime
        self._app = app
        self._server: AdminServer | None = None
        self._readings: KafkaReadings | None = None
        self._loop: BackgroundLoop | None = None

    @staticmethod
    def attach_admin_app(runtime: Runtime, app: FastAPI, version: str) -> FastAPI:
        admin = build_admin_app(runtime, app, version)
        setattr(app.state, ADMIN_APP, admin)
        return admin

    @property
    def admin_port(self) -> int | None:
        return self._server.port if self._server is not None else None

    async def start(self) -> None:
        if not admin_port_enabled(self._app):
            return  # embedded (tests): nobody scrapes, nothing to bind
        settings = self._runtime.settings
        host, port = admin_address(self._runtime)
        self._server = AdminServer(getattr(self._app.state, ADMIN_APP), host, port)
        await self._server.start()
        self._readings = KafkaReadings(
            settings.kafka_bootstrap_servers,
            settings.group_id(),
            self._runtime.consumed_topics,
            client_options(settings),
        )
        self._loop = BackgroundLoop(
            "metrics:kafka", self._readings.report, settings.metrics_interval_s
        )
        self._loop.start()

    async def stop(self) -> None:
        if self._loop is not None:
            await self._loop.stop()
        if self._readings is not None:
            await self._readings.close()
        if self._server is not None:
            await self._server.stop()
