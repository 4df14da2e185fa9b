"""On the real Kafka: lag from offsets, dead letters listed and replayed exactly once in effect."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from typer.testing import CliRunner

from egov_cli.main import app as egov
from shared.contracts import DocumentRevoked
from shared.contracts.topics import DOCUMENTS_PUBLIC, dlq_topic
from shared.messaging.broker import make_broker
from shared.messaging.consumer import RejectEvent, subscribe
from shared.messaging.dead_letters import REPLAYED_FROM, DeadLetterStore
from shared.messaging.envelope import CloudEventMeta
from shared.messaging.idempotency import apply_if_newer
from shared.messaging.publisher import EventPublisher
from shared.observability.kafka_readings import KafkaReadings
from shared.settings import ServiceSettings
from tests.support.infra import kafka_bootstrap, unique
from tests.support.kafka import produce_event, produce_raw

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "fixtures"
REVOKED = DocumentRevoked.model_validate_json((FIXTURES / "document.revoked.json").read_text())


async def test_lag_counts_uncommitted_records_and_grows_while_nobody_consumes(
    topic_suffix: str,
) -> None:
    topic = DOCUMENTS_PUBLIC + topic_suffix
    group = unique("g-")
    for n in range(5):
        await produce_raw(topic, b"{}", key=b"same-partition", headers={"n": str(n)})
    await produce_raw(dlq_topic(topic), b"{}", headers={"dlq_reason": "x"})
    readings = KafkaReadings(kafka_bootstrap(), group, lambda: [topic])
    try:
        before = await readings.read()
        assert sum(before.lag.values()) == 5, "never committed: counted from the first record"
        assert before.dead_letters == {topic: 1}
        # The group commits three of the five records.
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap(),
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            taken: list[Any] = []
            async with asyncio.timeout(20):
                while len(taken) < 3:
                    batch = await consumer.getmany(timeout_ms=500, max_records=3 - len(taken))
                    for records in batch.values():
                        taken.extend(records)
            last = taken[-1]
            await consumer.commit({TopicPartition(topic, last.partition): last.offset + 1})
        finally:
            await consumer.stop()
        await produce_raw(topic, b"{}", key=b"same-partition")
        after = await readings.read()
        assert sum(after.lag.values()) == 3, "2 left of the first five, and one new"
        await readings.report()
    finally:
        await readings.close()


async def test_a_dead_letter_is_listed_shown_and_replayed_with_effect_once(
    topic_suffix: str, db: Any, monkeypatch: Any
) -> None:
    settings = ServiceSettings(service_name="test", kafka_bootstrap_servers=kafka_bootstrap())
    broker = make_broker(settings)
    publisher = EventPublisher(broker, source="urn:egov:test", topic_suffix=topic_suffix)
    fixed = False
    applied: list[bool] = []

    async def on_revoked(event: DocumentRevoked, meta: CloudEventMeta) -> None:
        if not fixed:
            raise RejectEvent("the page template is broken")
        applied.append(
            await apply_if_newer(
                db.pages,
                event.document_id,
                concern="revoked",
                version=event.document_version,
                event_id=meta.id,
                update={"$set": {"revoked": True}},
            )
        )

    subscribe(
        broker,
        publisher,
        DOCUMENTS_PUBLIC,
        {DocumentRevoked: on_revoked},
        group_id=unique("g-"),
        consumer="portal",
    )
    topic = DOCUMENTS_PUBLIC + topic_suffix
    store = DeadLetterStore(kafka_bootstrap())
    event_id = await produce_event(REVOKED, topic_suffix)
    await broker.start()
    try:
        async with asyncio.timeout(20):
            while not (letters := await store.read(topic)):
                await asyncio.sleep(0.2)
        [letter] = letters
        assert letter.id == f"{topic}@0"
        assert "the page template is broken" in letter.reason
        assert letter.consumer == "portal"
        assert letter.original_headers()["ce_id"] == event_id

        monkeypatch.setenv("EGOV_KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap())
        monkeypatch.setenv("EGOV_TOPIC_SUFFIX", topic_suffix)
        runner = CliRunner()
        listed = await asyncio.to_thread(
            runner.invoke, egov, ["dlq", "list", "--topic", DOCUMENTS_PUBLIC]
        )
        assert listed.exit_code == 0, listed.output
        assert letter.id in listed.output and "page template" in listed.output
        shown = await asyncio.to_thread(runner.invoke, egov, ["dlq", "show", letter.id])
        assert shown.exit_code == 0, shown.output
        body = json.loads(shown.stdout)
        assert body["reason"].startswith("rejected: the page template is broken")
        assert body["value"]["document_id"] == REVOKED.document_id
        assert "dlq_reason" not in body["headers"]
        missing = await asyncio.to_thread(runner.invoke, egov, ["dlq", "show", f"{topic}@99"])
        assert missing.exit_code == 1

        fixed = True
        for _ in range(2):  # an operator replays twice by mistake
            replayed = await asyncio.to_thread(runner.invoke, egov, ["dlq", "replay", letter.id])
            assert replayed.exit_code == 0, replayed.output
        async with asyncio.timeout(20):
            while len(applied) < 2:
                await asyncio.sleep(0.1)
    finally:
        await broker.stop()
    assert applied == [True, False], "the second replay changes nothing"
    assert (await db.pages.find_one({"_id": REVOKED.document_id}))["revoked"] is True
    still = await store.read(topic)
    assert len(still) == 1, "replaying leaves the dead letter where it was"
    assert REPLAYED_FROM not in still[0].original_headers()
