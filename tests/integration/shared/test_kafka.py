"""aiokafka and FastStream work against the Kafka 4.x broker the project provisions."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from faststream import AckPolicy
from faststream.kafka import KafkaMessage
from pydantic import BaseModel

from shared.contracts.topics import TOPICS, dlq_topic
from shared.messaging.broker import make_broker
from shared.messaging.topics_admin import ensure_topics
from shared.settings import ServiceSettings
from tests.support.infra import kafka_bootstrap, unique


async def test_an_idempotent_producer_and_a_consumer_group_exchange_records(servers: None) -> None:
    suffix = "." + unique("k")
    await ensure_topics(kafka_bootstrap(), suffix=suffix, partitions=3)
    topic = TOPICS[2].name + suffix
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), enable_idempotence=True)
    await producer.start()
    try:
        for i in range(10):
            await producer.send_and_wait(topic, f"v{i}".encode(), key=f"k{i % 3}".encode())
    finally:
        await producer.stop()
    group = unique("g-")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap(),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        seen: list[bytes] = []
        async with asyncio.timeout(30):
            while len(seen) < 10:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    seen.extend(r.value for r in records)
        await consumer.commit()
        assert sorted(seen) == sorted(f"v{i}".encode() for i in range(10))
    finally:
        await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        assert sum(meta.offset for meta in offsets.values()) == 10  # committed in the group
    finally:
        await admin.close()


class Greeting(BaseModel):
    text: str
    number: int


async def test_the_shared_broker_round_trips_a_model_with_its_key(topic_suffix: str) -> None:
    settings = ServiceSettings(service_name="test", kafka_bootstrap_servers=kafka_bootstrap())
    broker = make_broker(settings)
    topic = TOPICS[3].name + topic_suffix
    received: asyncio.Queue[tuple[Greeting, bytes | None]] = asyncio.Queue()

    @broker.subscriber(
        topic, group_id=unique("g-"), auto_offset_reset="earliest", ack_policy=AckPolicy.ACK
    )
    async def handle(body: Greeting, msg: KafkaMessage) -> None:
        raw = msg.raw_message
        assert not isinstance(raw, tuple)
        await received.put((body, raw.key))

    await broker.start()
    try:
        await broker.publish(Greeting(text="Xin chào", number=1637), topic, key=b"doc-1")
        async with asyncio.timeout(30):
            body, key = await received.get()
        assert body == Greeting(text="Xin chào", number=1637)
        assert key == b"doc-1"
    finally:
        await broker.stop()


async def test_topic_creation_is_idempotent_and_keeps_document_topics_forever(
    servers: None,
) -> None:
    suffix = "." + unique("k")
    first = await ensure_topics(kafka_bootstrap(), suffix=suffix)
    second = await ensure_topics(kafka_bootstrap(), suffix=suffix)
    assert len(first) == 2 * len(TOPICS)
    assert second == []
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
    await admin.start()
    try:
        described = await admin.describe_topics([TOPICS[0].name + suffix])
        assert len(described[0]["partitions"]) == 6
        assert dlq_topic(TOPICS[0].name + suffix) in await admin.list_topics()
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, TOPICS[0].name + suffix)]
        )
        entries = {e[0]: e[1] for e in configs[0].resources[0][4]}
        assert entries["retention.ms"] == "-1"
    finally:
        await admin.close()
