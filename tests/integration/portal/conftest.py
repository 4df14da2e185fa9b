"""One portal per test module, on the real servers, beside a stand-in documents service."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.portal.app import create_app
from services.portal.settings import Settings
from shared.contracts.events import EventData
from tests.integration.portal.support import DocumentsStandIn
from tests.support.infra import kafka_bootstrap, mongo_url, unique
from tests.support.kafka import eventually, produce_event
from tests.support.services import running_app


@dataclass
class Portal:
    client: httpx.AsyncClient
    suffix: str
    documents: DocumentsStandIn

    async def publish(self, event: EventData) -> str:
        return await produce_event(event, self.suffix)

    async def document(
        self, document_id: str, check: Any = None, timeout: float = 20, interval: float = 0.2
    ) -> Any:
        """The JSON of a page once it is there (and ``check(body)`` holds)."""

        async def ready() -> Any:
            response = await self.client.get(f"/api/v1/documents/{document_id}")
            if response.status_code != 200:
                return None
            body = response.json()
            return body if check is None or check(body) else None

        return await eventually(ready, timeout=timeout, interval=interval)

    async def timed_document(self, event: EventData) -> tuple[Any, float]:
        """The page, and seconds from the broker's acknowledgement to the page answering."""
        await self.publish(event)
        started = time.perf_counter()
        body = await self.document(event.aggregate_id, interval=0.01)
        return body, time.perf_counter() - started


def portal_settings(suffix: str, documents_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": kafka_bootstrap(),
        "mongo_url": mongo_url(),
        "mongo_database": unique("t_portal_"),
        "consumer_group": unique("t-portal-"),
        "topic_suffix": suffix,
        "documents_url": documents_url,
        "worker_interval_s": 0.3,
        "fetch_retry_base_s": 0.5,
        "jwks_min_refresh_s": 0.5,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="module")
async def stand_in() -> AsyncIterator[DocumentsStandIn]:
    async with DocumentsStandIn() as server:
        yield server


@pytest.fixture(scope="module")
async def portal(module_suffix: str, stand_in: DocumentsStandIn) -> AsyncIterator[Portal]:
    settings = portal_settings(module_suffix, stand_in.url)
    async with running_app(create_app, settings) as client:
        yield Portal(client, module_suffix, stand_in)
