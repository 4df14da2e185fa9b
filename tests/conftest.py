"""Test-wide fixtures: the real Kafka and MongoDB-wire servers, isolated per test."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that hangs prints where its coroutines wait, shortly before the timeout ends it
    (pytest-timeout shows the threads only, and they all wait in the event loop)."""
    marker = item.get_closest_marker("timeout")
    limit = (
        float(marker.args[0])
        if marker and marker.args
        else float(item.config.getini("timeout") or 0)
    )
    watchdog = threading.Timer(max(limit - 15, 1), _print_pending_tasks) if limit else None
    if watchdog is not None:
        watchdog.daemon = True
        watchdog.start()
    try:
        return (yield)
    finally:
        if watchdog is not None:
            watchdog.cancel()


def _print_pending_tasks() -> None:
    out = io.StringIO()
    tasks = [o for o in gc.get_objects() if isinstance(o, asyncio.Task) and not o.done()]
    out.write(f"\n===== {len(tasks)} pending asyncio tasks =====\n")
    for task in tasks:
        out.write(f"-- {task.get_name()}\n")
        awaiting: Any = task.get_coro()
        while awaiting is not None:  # down the chain of awaits to where it waits
            frame = getattr(awaiting, "cr_frame", None) or getattr(awaiting, "gi_frame", None)
            if frame is not None:
                out.write(
                    f"   {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}\n"
                )
            awaiting = getattr(awaiting, "cr_await", None) or getattr(
                awaiting, "gi_yieldfrom", None
            )
        out.write(f"   waits for {getattr(task, '_fut_waiter', None)!r}\n")
    sys.stderr.write(out.getvalue())


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


@pytest.fixture(scope="module")
async def module_suffix(servers: None) -> str:
    """Fresh topics for the tests of one module that share one app."""
    suffix = "." + unique("t")
    await ensure_topics(kafka_bootstrap(), suffix=suffix, partitions=3)
    return suffix


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
