"""Running a service in-process (integration) on the real servers, with isolated names."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from shared.auth.principal import Role
from shared.auth.tokens import issue_dev_token
from shared.contracts.vocabulary import Confidentiality
from shared.runtime import Runtime, create_service_app
from shared.settings import ServiceSettings
from tests.support.infra import kafka_bootstrap, mongo_url, unique


def isolated_env(service: str, **overrides: str) -> dict[str, str]:
    """Settings for one test: its own database, topic suffix and consumer group."""
    prefix = f"EGOV_{service.upper()}_"
    env = {
        "EGOV_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap(),
        "EGOV_MONGO_URL": mongo_url(),
        f"{prefix}MONGO_DATABASE": unique(f"t_{service}_"),
        f"{prefix}CONSUMER_GROUP": unique(f"t-{service}-"),
    }
    env.update(overrides)
    return env


class NoComponents:
    """A service with nothing of its own: only the shared lifecycle and health."""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


async def _build_nothing(_: Runtime) -> NoComponents:
    return NoComponents()


def probe_app(settings: ServiceSettings) -> FastAPI:
    """An app of the shared lifecycle alone (Mongo, topics, Kafka, health), named "probe"."""
    return create_service_app(
        Runtime(settings), title="probe", version="0", routers=[], build=_build_nothing
    )


@asynccontextmanager
async def running_app(
    create_app: Callable[..., FastAPI], settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (Mongo, Kafka, consumers) and give an HTTP client to it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
        runtime = app.state.runtime
        await runtime.mongo.drop_database(runtime.settings.database_name())


def auth(
    role: Role | str,
    *,
    user: str = "tester",
    clearance: Confidentiality = Confidentiality.THUONG,
    unit: str | None = None,
    audience: tuple[str, ...] = ("documents", "portal", "lgsp"),
) -> dict[str, str]:
    token = issue_dev_token(
        user=user, roles=[Role(role)], clearance=clearance, unit=unit, audience=audience
    )
    return {"Authorization": f"Bearer {token}"}
