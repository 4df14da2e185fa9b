"""`make bench`: what the platform's machinery costs, as ratios to raw Kafka in the same run.

Each figure is measured against a baseline taken moments before on the same broker and
machine, so the ratios mean something on any hardware:

- delivery latency of a contract event through the shared publisher and consumer (envelope
  built, validated, dispatched, offset committed) vs a raw aiokafka produce → consume;
- throughput of state changes written with the outbox and published by the relay vs raw
  publishes of the same records;
- the portal's promise: time from a `document.published` event acknowledged by Kafka to the
  page answering on the portal's JSON API, vs the same raw produce → consume baseline.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from shared.contracts import DocumentRevoked
from shared.contracts.topics import DOCUMENTS_PUBLIC
from shared.messaging.broker import make_broker
from shared.messaging.consumer import subscribe
from shared.messaging.envelope import CloudEventMeta
from shared.messaging.outbox import OutboxRelay, update_with_outbox
from shared.messaging.publisher import EventPublisher
from shared.messaging.topics_admin import ensure_topics
from shared.settings import ServiceSettings
from tests.support.infra import kafka_bootstrap, mongo_url, unique

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "shared/contracts/fixtures/document.revoked.json"
N_LATENCY = 200
N_THROUGHPUT = 300
N_PORTAL = 30


def _event(i: int) -> DocumentRevoked:
    base = DocumentRevoked.model_validate_json(FIXTURE.read_text())
    return base.model_copy(update={"document_id": f"doc-{i}", "document_version": 2})


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def raw_latency(topic: str) -> list[float]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap(),
        group_id=unique("bench-"),
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), enable_idempotence=True)
    await consumer.start()
    await producer.start()
    latencies: list[float] = []
    try:
        await asyncio.sleep(1.0)  # let the group settle on its partitions
        for i in range(N_LATENCY):
            payload = _event(i).model_dump_json().encode()
            started = time.perf_counter()
            await producer.send_and_wait(topic, payload, key=f"doc-{i}".encode())
            while True:
                batch = await consumer.getmany(timeout_ms=1000)
                if batch:
                    await consumer.commit()
                    break
            latencies.append(time.perf_counter() - started)
    finally:
        await producer.stop()
        await consumer.stop()
    return latencies


async def platform_latency(suffix: str) -> list[float]:
    settings = ServiceSettings(service_name="bench", kafka_bootstrap_servers=kafka_bootstrap())
    broker = make_broker(settings)
    publisher = EventPublisher(broker, source="urn:egov:bench", topic_suffix=suffix)
    arrived: asyncio.Queue[float] = asyncio.Queue()

    async def handler(event: DocumentRevoked, meta: CloudEventMeta) -> None:
        await arrived.put(time.perf_counter())

    subscribe(
        broker,
        publisher,
        DOCUMENTS_PUBLIC,
        {DocumentRevoked: handler},
        group_id=unique("bench-"),
        consumer="bench",
    )
    await broker.start()
    latencies: list[float] = []
    try:
        await asyncio.sleep(1.0)
        for i in range(N_LATENCY):
            started = time.perf_counter()
            await publisher.publish(_event(i))
            latencies.append(await asyncio.wait_for(arrived.get(), 10) - started)
    finally:
        await broker.stop()
    return latencies


async def throughput(suffix: str) -> tuple[float, float]:
    settings = ServiceSettings(service_name="bench", kafka_bootstrap_servers=kafka_bootstrap())
    broker = make_broker(settings)
    publisher = EventPublisher(broker, source="urn:egov:bench", topic_suffix=suffix)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url())
    db = client[unique("bench_")]
    await broker.start()
    try:
        records = [publisher.record_for(_event(i)) for i in range(N_THROUGHPUT)]
        started = time.perf_counter()
        for record in records:
            await publisher.send(record)
        raw_rate = N_THROUGHPUT / (time.perf_counter() - started)

        await db.docs.insert_many([{"_id": f"doc-{i}", "version": 1} for i in range(N_THROUGHPUT)])
        relay = OutboxRelay(db.docs, publisher)
        started = time.perf_counter()
        for i in range(N_THROUGHPUT):
            record = publisher.record_for(_event(i))
            await update_with_outbox(
                db.docs, f"doc-{i}", 1, {"$set": {"state": "revoked"}}, [record]
            )
            await relay.publish_now(f"doc-{i}")
        outbox_rate = N_THROUGHPUT / (time.perf_counter() - started)
    finally:
        await broker.stop()
        await client.drop_database(db.name)
        await client.close()
    return raw_rate, outbox_rate


async def portal_latency(suffix: str) -> list[float]:
    import httpx

    from services.portal.app import create_app
    from services.portal.settings import Settings
    from shared.contracts import DocumentPublished
    from tests.support.kafka import produce_event

    fixture = ROOT / "shared/contracts/fixtures/document.published.json"
    base = DocumentPublished.model_validate_json(fixture.read_text())
    settings = Settings(
        kafka_bootstrap_servers=kafka_bootstrap(),
        mongo_url=mongo_url(),
        mongo_database=unique("bench_portal_"),
        consumer_group=unique("bench-portal-"),
        topic_suffix=suffix,
    )
    app = create_app(settings)
    latencies: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await asyncio.sleep(1.0)
            for i in range(N_PORTAL):
                doc_id = f"bench-{i}"
                document = base.document.model_copy(
                    update={
                        "document_id": doc_id,
                        "number": 2000 + i,
                        "notation": f"{2000 + i}/QĐ-BNG",
                        "attachments": [],
                    }
                )
                event = base.model_copy(
                    update={"document_id": doc_id, "document": document, "attachments": []}
                )
                await produce_event(event, suffix)
                started = time.perf_counter()  # the broker has acknowledged the event
                while (await client.get(f"/api/v1/documents/{doc_id}")).status_code != 200:
                    await asyncio.sleep(0.005)
                latencies.append(time.perf_counter() - started)
        await app.state.runtime.mongo.drop_database(settings.database_name())
    return latencies


async def main() -> None:
    suffix = "." + unique("bench")
    await ensure_topics(kafka_bootstrap(), suffix=suffix, partitions=3)
    topic = DOCUMENTS_PUBLIC + suffix
    raw = await raw_latency(topic)
    ours = await platform_latency(suffix)
    raw_rate, outbox_rate = await throughput(suffix)
    # Fresh topics: the portal must not first work through the records published above.
    portal_suffix = "." + unique("bench")
    await ensure_topics(kafka_bootstrap(), suffix=portal_suffix, partitions=3)
    portal = await portal_latency(portal_suffix)
    result = {
        "raw_latency_ms": {"p50": _pct(raw, 0.5) * 1e3, "p95": _pct(raw, 0.95) * 1e3},
        "platform_latency_ms": {"p50": _pct(ours, 0.5) * 1e3, "p95": _pct(ours, 0.95) * 1e3},
        "latency_ratio_p50": statistics.median(ours) / statistics.median(raw),
        "raw_publish_per_s": raw_rate,
        "outbox_publish_per_s": outbox_rate,
        "outbox_throughput_ratio": outbox_rate / raw_rate,
        "portal_page_latency_ms": {"p50": _pct(portal, 0.5) * 1e3, "p95": _pct(portal, 0.95) * 1e3},
        "portal_latency_ratio_p50": statistics.median(portal) / statistics.median(raw),
    }
    print("egov benchmark (baseline = raw aiokafka on the same broker, same run)")
    print(
        f"  event delivery p50: raw {result['raw_latency_ms']['p50']:.1f} ms, "
        f"platform {result['platform_latency_ms']['p50']:.1f} ms "
        f"→ ratio {result['latency_ratio_p50']:.2f}x"
    )
    print(
        f"  event delivery p95: raw {result['raw_latency_ms']['p95']:.1f} ms, "
        f"platform {result['platform_latency_ms']['p95']:.1f} ms"
    )
    print(
        f"  publishing: raw {raw_rate:.0f}/s, outbox write+relay {outbox_rate:.0f}/s "
        f"→ ratio {result['outbox_throughput_ratio']:.2f}x"
    )
    print(
        f"  published event → portal page: p50 {result['portal_page_latency_ms']['p50']:.0f} ms, "
        f"p95 {result['portal_page_latency_ms']['p95']:.0f} ms "
        f"→ {result['portal_latency_ratio_p50']:.1f}x raw delivery"
    )
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
