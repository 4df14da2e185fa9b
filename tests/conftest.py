"""Test-wide fixtures: the real Kafka and MongoDB-wire servers, isolated per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.messaging.topics_admin import ensure_topics, planned_topics
from tests.support.infra import kafka_bootstrap, mongo_url, reachable, unique
from tests.support.kafka import delete_topics

# Development keys of the test run live in a throwaway home, never the developer's.
os.environ.setdefault("EGOV_HOME", str(Path(__file__).resolve().parent.parent / ".egov" / "home"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.fspath)
        if "/integration/" in path:
            item.add_marker(pytest.mark.integration)
        if "/e2e/" in path:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def servers() -> None:
    if not reachable(kafka_bootstrap()) or not reachable(mongo_url().split("//")[1].strip("/")):
        pytest.fail(
            "Kafka or the MongoDB-wire server is not running: use `make test`, or start them "
            "with `deploy/local/infra.sh start`"
        )


@pytest.fixture
async def topic_suffix(servers: None) -> AsyncIterator[str]:
    """Fresh topics for one test, so tests never see each other's records; removed after."""
    suffix = "." + unique("t")
    await ensure_topics(kafka_bootstrap(), suffix=suffix, partitions=3)
    yield suffix
    await delete_topics([t.name for t in planned_topics(suffix, 3, 1)])


@pytest.fixture
async def mongo(servers: None) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url(), tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
async def db(mongo: AsyncMongoClient[dict[str, Any]]) -> AsyncIterator[Any]:
    name = unique("t_")
    yield mongo[name]
    await mongo.drop_database(name)
