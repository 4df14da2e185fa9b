"""Events travel through real topics intact; bad records become dead letters; work goes on."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from shared.contracts import EVENTS, DocumentRevoked, EventData
from shared.contracts.topics import DOCUMENTS_PUBLIC, dlq_topic
from shared.logging import current_correlation_id
from shared.messaging.broker import make_broker
from shared.messaging.consumer import RejectEvent, subscribe
from shared.messaging.envelope import CloudEventMeta, parse_record
from shared.messaging.publisher import EventPublisher
from shared.settings import ServiceSettings
from tests.support.infra import kafka_bootstrap, unique
from tests.support.kafka import TopicReader, header, produce_event, produce_raw

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "fixtures"


def _fixture(spec: Any) -> EventData:
    return spec.model.model_validate_json(  # type: ignore[no-any-return]
        (FIXTURES / f"{spec.model.event_name}.json").read_text()
    )


def _settings() -> ServiceSettings:
    return ServiceSettings(service_name="test", kafka_bootstrap_servers=kafka_bootstrap())


async def test_every_event_type_round_trips_through_a_real_topic(topic_suffix: str) -> None:
    broker = make_broker(_settings())
    publisher = EventPublisher(broker, source="urn:egov:test", topic_suffix=topic_suffix)
    await broker.start()
    sent: dict[str, tuple[str, EventData]] = {}
    try:
        for spec in EVENTS:
            event = _fixture(spec)
            event_id = await publisher.publish(event, correlation_id="corr-rt")
            sent[event_id] = (spec.topic, event)
    finally:
        await broker.stop()
    for topic in {t for t, _ in sent.values()}:
        expected = {eid: ev for eid, (t, ev) in sent.items() if t == topic}
        async with TopicReader(topic + topic_suffix) as reader:
            records = await reader.wait_for(len(expected))
        assert len(records) == len(expected)
        for record in records:
            envelope = parse_record(record.headers, record.value)
            assert envelope.data == expected[envelope.meta.id]
            assert record.key == envelope.data.aggregate_id.encode()
            assert header(record, "ce_source") == "urn:egov:test"
            assert header(record, "content-type") == "application/json"
            assert header(record, "traceparent")
            assert envelope.meta.correlation_id == "corr-rt"


async def test_bad_records_become_dead_letters_and_the_next_good_record_is_processed(
    topic_suffix: str,
) -> None:
    settings = _settings()
    broker = make_broker(settings)
    publisher = EventPublisher(broker, source="urn:egov:test", topic_suffix=topic_suffix)
    applied: list[tuple[str, str | None]] = []
    attempts: dict[str, int] = {}

    async def on_revoked(event: DocumentRevoked, meta: CloudEventMeta) -> None:
        if event.reason == "reject me":
            raise RejectEvent("the portal never shows this")
        if event.reason == "always fails":
            raise RuntimeError("database on fire")
        attempts[event.document_id] = attempts.get(event.document_id, 0) + 1
        if event.reason == "flaky" and attempts[event.document_id] < 3:
            raise ConnectionError("try again")
        applied.append((event.document_id, current_correlation_id()))

    subscribe(
        broker,
        publisher,
        DOCUMENTS_PUBLIC,
        {DocumentRevoked: on_revoked},
        group_id=unique("g-"),
        consumer="test",
        max_retries=3,
        backoff_s=0.01,
    )
    base = DocumentRevoked.model_validate_json((FIXTURES / "document.revoked.json").read_text())
    topic = DOCUMENTS_PUBLIC + topic_suffix
    good_headers = {
        "ce_specversion": "1.0",
        "ce_id": "x1",
        "ce_source": "urn:egov:documents",
        "ce_type": "gov.egov.document.revoked.v1",
        "ce_time": "2025-06-02T03:00:00Z",
        "ce_subject": base.document_id,
        "content-type": "application/json",
    }
    await produce_raw(topic, b"\xff\xfe\x00garbage", key=b"k", headers=good_headers)
    await produce_raw(topic, b"{not json", key=b"k", headers=good_headers)
    await produce_raw(topic, base.model_dump_json().encode(), key=b"k", headers={"ce_id": "x2"})
    await produce_raw(
        topic,
        base.model_dump_json().encode(),
        key=b"k",
        headers={**good_headers, "ce_type": "gov.egov.unknown.v1"},
    )
    await produce_raw(
        topic, json.dumps({"document_id": "d"}).encode(), key=b"k", headers=good_headers
    )
    await produce_event(base.model_copy(update={"reason": "reject me"}), topic_suffix)
    await produce_event(base.model_copy(update={"reason": "always fails"}), topic_suffix)
    await produce_event(
        base.model_copy(update={"document_id": "doc-flaky", "reason": "flaky"}), topic_suffix
    )
    await produce_event(
        base.model_copy(update={"document_id": "doc-good"}), topic_suffix, correlation_id="corr-9"
    )
    await broker.start()
    try:
        async with asyncio.timeout(30):
            while len(applied) < 2:
                await asyncio.sleep(0.1)
        async with TopicReader(dlq_topic(topic)) as reader:
            dead = await reader.wait_for(7)
    finally:
        await broker.stop()
    assert sorted(applied) == [("doc-flaky", None), ("doc-good", "corr-9")]
    reasons = [header(r, "dlq_reason") or "" for r in dead]
    assert len(dead) == 7
    for expected in (
        "not JSON",
        "not JSON",
        "missing CloudEvents",
        "unknown ce_type",
        "does not match",
        "rejected: the portal never shows this",
        "failed after 3 retries: RuntimeError",
    ):
        assert any(expected in reason for reason in reasons), (expected, reasons)
        reasons.remove(next(r for r in reasons if expected in r))
    assert {header(r, "dlq_original_topic") for r in dead} == {topic}
    origins = {
        (header(r, "dlq_original_partition"), header(r, "dlq_original_offset")) for r in dead
    }
    assert len(origins) == 7  # each dead letter names its own original record


@pytest.mark.parametrize("count", [3])
async def test_the_dead_letter_count_is_exported_as_a_metric(count: int, topic_suffix: str) -> None:
    from prometheus_client import REGISTRY

    topic = DOCUMENTS_PUBLIC + topic_suffix
    before = REGISTRY.get_sample_value("egov_dead_letters_total", {"topic": topic}) or 0.0
    broker = make_broker(_settings())
    publisher = EventPublisher(broker, source="urn:egov:test", topic_suffix=topic_suffix)

    async def never(event: DocumentRevoked, meta: CloudEventMeta) -> None:
        raise AssertionError("no valid record was sent")

    subscribe(
        broker,
        publisher,
        DOCUMENTS_PUBLIC,
        {DocumentRevoked: never},
        group_id=unique("g-"),
        consumer="test",
    )
    for _ in range(count):
        await produce_raw(topic, b"junk", key=b"k", headers={})
    await broker.start()
    try:
        async with asyncio.timeout(30):
            while (
                REGISTRY.get_sample_value("egov_dead_letters_total", {"topic": topic}) or 0
            ) < before + count:
                await asyncio.sleep(0.1)
    finally:
        await broker.stop()
