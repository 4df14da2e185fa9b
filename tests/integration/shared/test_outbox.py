"""The outbox: a crash between write and publish loses nothing; racing relays send nothing twice."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import DocumentRevoked
from shared.contracts.topics import DOCUMENTS_PUBLIC
from shared.messaging.broker import make_broker
from shared.messaging.consumer import subscribe
from shared.messaging.envelope import CloudEventMeta, parse_record
from shared.messaging.idempotency import apply_if_newer
from shared.messaging.outbox import OutboxRelay, update_with_outbox
from shared.messaging.publisher import EventPublisher
from shared.settings import ServiceSettings
from tests.support.infra import kafka_bootstrap, mongo_url, unique
from tests.support.kafka import TopicReader, produce_raw

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "shared/contracts/fixtures/document.revoked.json"


def _event(doc_id: str, version: int) -> DocumentRevoked:
    base = DocumentRevoked.model_validate_json(FIXTURE.read_text())
    return base.model_copy(update={"document_id": doc_id, "document_version": version})


def _publisher(suffix: str) -> tuple[Any, EventPublisher]:
    broker = make_broker(
        ServiceSettings(service_name="test", kafka_bootstrap_servers=kafka_bootstrap())
    )
    return broker, EventPublisher(broker, source="urn:egov:test", topic_suffix=suffix)


CRASHING_WRITER = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pymongo import AsyncMongoClient
    from shared.messaging.envelope import build_record
    from shared.messaging.outbox import update_with_outbox
    from shared.contracts import DocumentRevoked

    async def main() -> None:
        url, db_name, fixture = sys.argv[1:4]
        client = AsyncMongoClient(url)
        coll = client[db_name]["documents"]
        event = DocumentRevoked.model_validate_json(open(fixture).read())
        event = event.model_copy(update={"document_id": "doc-crash", "document_version": 2})
        record = build_record(event, source="urn:egov:documents")
        await update_with_outbox(coll, "doc-crash", 1, {"$set": {"state": "revoked"}}, [record])
        os.kill(os.getpid(), signal.SIGKILL)  # dies after the write, before any publish

    asyncio.run(main())
    """
)


async def test_a_process_killed_between_write_and_publish_publishes_once_after_restart(
    db: AsyncDatabase[Any], topic_suffix: str
) -> None:
    await db.documents.insert_one({"_id": "doc-crash", "version": 1, "state": "issued"})
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, mongo_url(), db.name, str(FIXTURE)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert proc.returncode == -9
    stored = await db.documents.find_one({"_id": "doc-crash"})
    assert stored is not None and stored["state"] == "revoked" and len(stored["outbox"]) == 1

    # "Restart": a new process's relay sweeps what the dead one left behind.
    broker, publisher = _publisher(topic_suffix)
    await broker.start()
    try:
        assert await OutboxRelay(db.documents, publisher, settle_s=0).sweep_once() == 1
        assert await OutboxRelay(db.documents, publisher, settle_s=0).sweep_once() == 0
    finally:
        await broker.stop()
    async with TopicReader(DOCUMENTS_PUBLIC + topic_suffix) as reader:
        records = await reader.wait_for(1)
        await reader.poll(1.0)
    assert len(records) == 1

    # Delivered twice (at-least-once), applied once by an idempotent consumer.
    original = records[0]
    await produce_raw(
        original.topic,
        original.value,
        key=original.key,
        headers={k: bytes(v).decode() for k, v in original.headers},
    )
    applied: list[str] = []
    read_model = db.pages
    broker, publisher = _publisher(topic_suffix)

    async def on_revoked(event: DocumentRevoked, meta: CloudEventMeta) -> None:
        if await apply_if_newer(
            read_model,
            event.document_id,
            concern="page",
            version=event.document_version,
            event_id=meta.id,
            update={"$set": {"withdrawn": True}},
        ):
            applied.append(meta.id)

    seen: list[str] = []

    async def counting(event: DocumentRevoked, meta: CloudEventMeta) -> None:
        seen.append(meta.id)
        await on_revoked(event, meta)

    subscribe(
        broker,
        publisher,
        DOCUMENTS_PUBLIC,
        {DocumentRevoked: counting},
        group_id=unique("g-"),
        consumer="test",
    )
    await broker.start()
    try:
        async with asyncio.timeout(30):
            while len(seen) < 2:
                await asyncio.sleep(0.1)
    finally:
        await broker.stop()
    assert seen[0] == seen[1]
    assert len(applied) == 1
    page = await read_model.find_one({"_id": "doc-crash"})
    assert page is not None and page["applied"]["page"]["version"] == 2


async def test_two_relays_racing_on_the_same_aggregates_publish_nothing_twice(
    db: AsyncDatabase[Any], topic_suffix: str
) -> None:
    broker, publisher = _publisher(topic_suffix)
    await broker.start()
    try:
        ids = [f"doc-{i}" for i in range(30)]
        await db.documents.insert_many([{"_id": i, "version": 1} for i in ids])
        relay_a = OutboxRelay(db.documents, publisher)
        relay_b = OutboxRelay(db.documents, publisher)
        expected: set[str] = set()

        async def write_and_publish(doc_id: str, relay: OutboxRelay) -> None:
            for version in (2, 3):
                record = publisher.record_for(_event(doc_id, version))
                expected.add(record.event_id)
                assert await update_with_outbox(db.documents, doc_id, version - 1, {}, [record])
                await relay.publish_now(doc_id)

        writers = [
            write_and_publish(doc_id, relay_a if n % 2 else relay_b) for n, doc_id in enumerate(ids)
        ]
        sweepers = [relay_a.sweep_once(), relay_b.sweep_once(), relay_b.sweep_once()]
        await asyncio.gather(*writers, *sweepers)
        await asyncio.gather(relay_a.sweep_once(), relay_b.sweep_once())
    finally:
        await broker.stop()
    async with TopicReader(DOCUMENTS_PUBLIC + topic_suffix) as reader:
        records = await reader.wait_for(len(expected))
        await reader.poll(1.5)
    published = [parse_record(r.headers, r.value).meta.id for r in records]
    assert sorted(published) == sorted(expected)  # every event once, none twice
    assert await db.documents.count_documents({"outbox.0": {"$exists": True}}) == 0


async def test_a_stale_or_duplicate_event_never_regresses_a_read_model(
    db: AsyncDatabase[Any],
) -> None:
    async def apply(version: int, title: str) -> bool:
        return await apply_if_newer(
            db.pages,
            "doc-1",
            concern="page",
            version=version,
            event_id=f"e{version}",
            update={"$set": {"title": title}},
        )

    assert await apply(2, "v2")
    assert not await apply(2, "v2 again")
    assert not await apply(1, "v1 late")
    assert await apply(3, "v3")
    page = await db.pages.find_one({"_id": "doc-1"})
    assert page is not None and page["title"] == "v3"


class CountingCollection:
    """A test double in front of a collection that counts what the relay reads from it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1
        return await self._inner.find_one(*args, **kwargs)

    def find(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1000  # a query that is not by _id would read every aggregate
        return self._inner.find(*args, **kwargs)


async def test_the_sweeper_finds_what_a_crash_left_without_reading_history(
    db: AsyncDatabase[Any], topic_suffix: str
) -> None:
    history = [{"_id": f"old-{i}", "version": 3, "outbox": []} for i in range(2000)]
    await db.documents.insert_many(history)
    await db.documents.insert_one({"_id": "doc-crash", "version": 1})
    broker, publisher = _publisher(topic_suffix)
    await broker.start()
    try:
        record = publisher.record_for(_event("doc-crash", 2))
        # The writer "dies" after its write: nothing publishes it on the hot path.
        assert await update_with_outbox(
            db.documents, "doc-crash", 1, {}, [record], lease=True, lease_s=0.2
        )
        counting = CountingCollection(db.documents)
        relay = OutboxRelay(counting, publisher, settle_s=0)  # type: ignore[arg-type]
        await asyncio.sleep(0.3)  # the dead writer's lease expires
        assert await relay.sweep_once() == 1
        assert counting.reads < 10, counting.reads
        assert await relay.sweep_once() == 0
        assert await db.documents_pending.count_documents({}) == 0
    finally:
        await broker.stop()
    async with TopicReader(DOCUMENTS_PUBLIC + topic_suffix) as reader:
        records = await reader.wait_for(1)
    assert parse_record(records[0].headers, records[0].value).meta.id == record.event_id


async def test_a_writer_that_takes_the_lease_publishes_without_a_claim(
    db: AsyncDatabase[Any], topic_suffix: str
) -> None:
    await db.documents.insert_one({"_id": "doc-1", "version": 1})
    broker, publisher = _publisher(topic_suffix)
    await broker.start()
    try:
        relay = OutboxRelay(db.documents, publisher)
        record = publisher.record_for(_event("doc-1", 2))
        written = await update_with_outbox(db.documents, "doc-1", 1, {}, [record], lease=True)
        assert written is not None and written["outbox_lease"]["token"]
        # Another relay cannot claim it meanwhile: the writer holds the lease.
        assert await OutboxRelay(db.documents, publisher).publish_now("doc-1") == 0
        assert await relay.publish_written(written) == 1
    finally:
        await broker.stop()
    stored = await db.documents.find_one({"_id": "doc-1"})
    assert stored is not None and stored["outbox"] == [] and stored["outbox_lease"] is None
    async with TopicReader(DOCUMENTS_PUBLIC + topic_suffix) as reader:
        records = await reader.wait_for(1)
        await reader.poll(0.5)
    assert len(records) == 1
