"""What every service process holds, and the one lifecycle all three services share.

Start: open MongoDB → connect the broker (publishing works, nothing is consumed yet) → build
the service's components → start consuming → start the background jobs. Stop in reverse.
Routers and consumers reach the components the same way: ``runtime.components``, set before
the first request or record can arrive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.auth.service_token import ServiceTokenProvider
from shared.auth.verifier import TokenVerifier
from shared.http.middleware import CorrelationMiddleware
from shared.http.problems import install_problem_handlers
from shared.kit.types import Doc
from shared.logging import configure_logging, get_logger
from shared.messaging.broker import make_broker
from shared.messaging.kafka_security import client_options
from shared.messaging.publisher import EventPublisher
from shared.messaging.topics_admin import ensure_topics, wait_for_topics
from shared.mongo import database, make_mongo_client
from shared.observability import tracing
from shared.observability.operations import Operations
from shared.settings import ServiceSettings

log = get_logger(__name__)


class ServiceComponents(Protocol):
    """What a service's ``components.py`` builds: its repositories, use cases and jobs."""

    async def start(self) -> None:
        """Start the background jobs (consumers already run)."""

    async def stop(self) -> None:
        """Stop the background jobs."""


Build = Callable[["Runtime"], Awaitable[ServiceComponents]]


class Runtime:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.broker: KafkaBroker = make_broker(settings)
        self.publisher = EventPublisher(
            self.broker, source=settings.source_urn, topic_suffix=settings.topic_suffix
        )
        self.verifier = TokenVerifier(settings)
        self.service_tokens = ServiceTokenProvider(settings)
        self._mongo: AsyncMongoClient[Doc] | None = None
        self._components: ServiceComponents | None = None

    @property
    def components(self) -> Any:
        """The service's components; typed by each service's own accessor."""
        if self._components is None:
            raise RuntimeError("the components are built in the lifespan")
        return self._components

    @property
    def mongo(self) -> AsyncMongoClient[Doc]:
        if self._mongo is None:
            raise RuntimeError("MongoDB is opened in the lifespan")
        return self._mongo

    @property
    def db(self) -> AsyncDatabase[Doc]:
        return database(self.mongo, self.settings)

    async def open(self) -> None:
        """MongoDB and a connected broker: publishing works, nothing is consumed yet."""
        self._mongo = make_mongo_client(self.settings)
        await self._topics()
        await self.broker.connect()

    async def _topics(self) -> None:
        """Create missing topics, or, where only the topic job may create them, wait for it."""
        s = self.settings
        security = client_options(s)
        if s.create_topics:
            await ensure_topics(s.kafka_bootstrap_servers, suffix=s.topic_suffix, security=security)
            return
        await wait_for_topics(
            s.kafka_bootstrap_servers,
            suffix=s.topic_suffix,
            timeout_s=s.topics_wait_s,
            security=security,
        )

    async def start(self, build: Build) -> None:
        """Build the components, then consume, then run the background jobs."""
        self._components = await build(self)
        await self.broker.start()
        await self._components.start()

    async def close(self) -> None:
        if self._components is not None:
            await self._components.stop()
        await self.broker.stop()
        if self._mongo is not None:
            await self._mongo.close()
            self._mongo = None

    async def mongo_ready(self) -> bool:
        try:
            await asyncio.wait_for(self.mongo.admin.command("ping"), 3)
            return True
        except Exception:
            return False

    async def kafka_ready(self) -> bool:
        try:
            return await self.broker.ping(timeout=3)
        except Exception:
            return False

    def consumed_topics(self) -> list[str]:
        """The topics this service's consumer group reads (physical names)."""
        names: set[str] = set()
        for subscriber in self.broker.subscribers:
            names.update(getattr(subscriber, "topic_names", ()))
        return sorted(names)


def create_service_app(
    runtime: Runtime,
    *,
    title: str,
    version: str,
    routers: Sequence[APIRouter],
    build: Build,
) -> FastAPI:
    settings = runtime.settings
    configure_logging(settings.service_name, settings.log_level)
    tracing.configure_tracing(settings.service_name, settings.otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        operations = Operations(runtime, app)
        await runtime.open()
        await runtime.start(build)
        await operations.start()
        log.info("service.started", port=settings.port)
        try:
            yield
        finally:
            await operations.stop()
            await runtime.close()
            log.info("service.stopped")
            tracing.flush()

    app = FastAPI(title=title, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    app.add_middleware(CorrelationMiddleware)
    install_problem_handlers(app)
    from shared.http.health import health_router

    app.include_router(health_router(runtime, version))
    for router in routers:
        app.include_router(router)
    tracing.instrument_app(app)
    Operations.attach_admin_app(runtime, app, version)
    return app
