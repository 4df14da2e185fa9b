"""Reading and writing test topics directly, to observe what services publish."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from shared.contracts.events import EventData
from shared.messaging.envelope import build_record
from tests.support.infra import kafka_bootstrap


async def produce_event(
    event: EventData,
    suffix: str,
    *,
    source: str = "urn:egov:documents",
    event_id: str | None = None,
    correlation_id: str | None = None,
) -> str:
    """Publish a contract event exactly as a producing service would."""
    record = build_record(event, source=source, event_id=event_id, correlation_id=correlation_id)
    await produce_raw(
        record.topic + suffix,
        record.value,
        key=record.key.encode(),
        headers=record.headers,
    )
    return record.event_id


async def produce_events(
    events: Iterable[EventData], suffix: str, *, source: str = "urn:egov:documents"
) -> None:
    """Publish many contract events through one producer, in order (a replay's topic)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap(), enable_idempotence=True, linger_ms=20
    )
    await producer.start()
    try:
        pending = []
        for event in events:
            record = build_record(event, source=source)
            pending.append(
                await producer.send(
                    record.topic + suffix,
                    record.value,
                    key=record.key.encode(),
                    headers=[(k, v.encode()) for k, v in record.headers.items()],
                )
            )
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def produce_raw(
    topic: str,
    value: bytes | None,
    *,
    key: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic,
            value,
            key=key,
            headers=[(k, v.encode()) for k, v in (headers or {}).items()],
        )
    finally:
        await producer.stop()


class TopicReader:
    """Reads a topic from the beginning, without a consumer group."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.records: list[ConsumerRecord[Any, Any]] = []
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def poll(self, seconds: float = 0.5) -> list[ConsumerRecord[Any, Any]]:
        batches = await self._consumer.getmany(timeout_ms=int(seconds * 1000))
        for records in batches.values():
            self.records.extend(records)
        return self.records

    async def wait_for(self, count: int, timeout: float = 20.0) -> list[ConsumerRecord[Any, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.records) < count and time.monotonic() < deadline:
            await self.poll(0.5)
        return self.records


def header(record: ConsumerRecord[Any, Any], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode()
    return None


async def eventually(check: Any, timeout: float = 20.0, interval: float = 0.2) -> Any:
    """Retry an async check until it returns a truthy value or the timeout passes."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


async def delete_topics(names: list[str]) -> None:
    """Remove a test's own topics, so a long-lived local Kafka does not pile them up."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap(), request_timeout_ms=15_000)
    await admin.start()
    try:
        await admin.delete_topics(names)
    except Exception:  # a topic already gone, or the broker busy: nothing to keep a test for
        pass
    finally:
        await admin.close()
