"""Rebuild by replay against its floor: the same topic read by a plain aiokafka consumer
that ``insert_many``s the records' JSON (``raw_consume_insert_per_s``), then replayed by the
portal's rebuild into a fresh read model, index records included (``replay_per_s``)."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient

from services.portal.replay import KafkaReplaySource
from services.portal.repositories import FileRepository
from services.portal.repositories.model import ReadModelRepository
from services.portal.services.rebuild import Rebuild
from services.portal.settings import Settings
from shared.contracts.events import DocumentPublished
from shared.contracts.models import OrgRef, SignedDocument, Signer
from shared.contracts.topics import DOCUMENTS_PUBLIC
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType
from shared.messaging.envelope import build_record
from shared.messaging.topics_admin import ensure_topics
from shared.signing import public_jwk, signature_for
from tests.support.infra import kafka_bootstrap, mongo_url

Doc = dict[str, Any]
BATCH = 1000
WORDS = [
    "triển",
    "khai",
    "kế",
    "hoạch",
    "chuyển",
    "đổi",
    "số",
    "ngoại",
    "giao",
    "kinh",
    "tế",
    "văn",
    "hóa",
    "lãnh",
    "sự",
    "hộ",
    "chiếu",
    "đào",
    "tạo",
    "cán",
    "bộ",
    "hợp",
    "tác",
    "quốc",
    "tế",
    "hội",
    "nghị",
    "tổ",
    "chức",
    "quy",
    "chế",
    "quản",
    "lý",
    "dữ",
    "liệu",
    "an",
    "toàn",
    "thông",
    "tin",
]


KID = "bench"


class BenchKeys:
    """The key set of the bench's signing key, as the documents service would serve it: the
    rebuild checks every signature as it does in production."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self.jwks = {"keys": [public_jwk(key.public_key(), KID)]}

    async def for_kid(self, kid: str) -> dict[str, Any]:
        return self.jwks


def _event(n: int, key: Ed25519PrivateKey) -> DocumentPublished:
    day = dt.date(2025, 6, 30) - dt.timedelta(days=n // 30)
    words = [WORDS[(n * 7 + i) % len(WORDS)] for i in range(8)]
    doc = SignedDocument(
        document_id=f"rp{n:08d}",
        notation=f"{n + 1}/QĐ-BNG",
        number=n + 1,
        year=day.year,
        doc_type=DocumentType.QUYET_DINH,
        subject="Về việc " + " ".join(words),
        issuer=OrgRef(code="000.00.00.G10", name="Bộ Ngoại giao"),
        signer=Signer(name="Bùi Thanh Sơn", position="Bộ trưởng"),
        issue_date=day,
        effective_date=day,
        field="Chuyển đổi số",
        access=Access.PUBLIC,
        confidentiality=Confidentiality.THUONG,
        body="Điều 1. " + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40)),
        attachments=[],
    )
    signature = signature_for(doc, key, KID, dt.datetime.now(dt.UTC))
    return DocumentPublished(
        document_id=doc.document_id,
        document_version=1,
        document=doc,
        signature=signature,
        attachments=[],
        published_at=dt.datetime.now(dt.UTC),
    )


async def _produce(suffix: str, events: int, key: Ed25519PrivateKey) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap(), enable_idempotence=True, linger_ms=20
    )
    await producer.start()
    try:
        pending = []
        for n in range(events):
            record = build_record(_event(n, key), source="urn:egov:documents")
            pending.append(
                await producer.send(
                    record.topic + suffix,
                    record.value,
                    key=record.key.encode(),
                    headers=[(k, v.encode()) for k, v in record.headers.items()],
                )
            )
            if len(pending) >= 500:
                for future in pending:
                    await future
                pending = []
        for future in pending:
            await future
    finally:
        await producer.stop()


async def _raw(suffix: str, client: AsyncMongoClient[Doc], database: str) -> tuple[int, float]:
    """The floor: consume the whole topic in batches and insert every value as it is."""
    topic = DOCUMENTS_PUBLIC + suffix
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka_bootstrap(),
        group_id=None,
        enable_auto_commit=False,
        max_poll_records=BATCH,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    await consumer.start()
    started = time.perf_counter()
    done = 0
    try:
        partitions = [TopicPartition(topic, p) for p in range(6)]
        ends = await consumer.end_offsets(partitions)
        partitions = [tp for tp in partitions if ends.get(tp)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        collection = client[database]["raw"]
        left = {tp: ends[tp] for tp in partitions}
        while left:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=BATCH)
            docs = [
                {"_id": f"{tp.partition}:{r.offset}", **json.loads(r.value)}
                for tp, records in fetched.items()
                for r in records
            ]
            if docs:
                await collection.insert_many(docs, ordered=False)
                done += len(docs)
            for tp in list(left):
                if await consumer.position(tp) >= left[tp]:
                    del left[tp]
    finally:
        await consumer.stop()
    return done, time.perf_counter() - started


async def _drop_topics(suffix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.endswith(suffix)]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()


async def replay_figures(events: int, say: Any = print) -> Doc:
    """Both rates on one topic of ``events`` publications (produced here, dropped after)."""
    suffix = f".bench_replay_{uuid.uuid4().hex[:6]}"
    database = f"bench_replay_{uuid.uuid4().hex[:6]}"
    await ensure_topics(kafka_bootstrap(), suffix=suffix, partitions=6)
    say(f"  replay: producing {events:,} document.published events")
    key = Ed25519PrivateKey.generate()
    await _produce(suffix, events, key)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url(), tz_aware=True)
    try:
        raw_done, raw_s = await _raw(suffix, client, database + "_raw")
        settings = Settings(
            kafka_bootstrap_servers=kafka_bootstrap(),
            mongo_url=mongo_url(),
            mongo_database=database,
            topic_suffix=suffix,
        )
        db = client[database]
        keys = BenchKeys(key)
        job = Rebuild(ReadModelRepository(db), FileRepository(db), keys, refresh_s=1.0)
        async with KafkaReplaySource(settings, batch=BATCH) as source:
            report = await job.run(source, switch=False)
        raw_rate = raw_done / raw_s if raw_s else 0.0
        rate = report.events_per_s
        say(
            f"  replay of {report.events:,} events: rebuild {rate:,.0f}/s, plain consumer "
            f"{raw_rate:,.0f}/s ({rate / raw_rate if raw_rate else 0:.2f}×)"
        )
        return {
            "replay_events": report.events,
            "replay_per_s": round(rate, 1),
            "replay_fold_per_s": round(report.events / report.replay_seconds, 1)
            if report.replay_seconds
            else None,
            "raw_consume_insert_per_s": round(raw_rate, 1),
            "replay_ratio": round(rate / raw_rate, 2) if raw_rate else None,
        }
    finally:
        await client.drop_database(database)
        await client.drop_database(database + "_raw")
        await client.close()
        await _drop_topics(suffix)
