"""Rebuild by replay against its floor: the same topic read by a plain aiokafka consumer
that ``insert_many``s the records' JSON (``raw_consume_insert_per_s``), then replayed by the
portal's rebuild into a fresh read model, index records included (``replay_per_s``); the
two alternated a few times, medians reported."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
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
from shared.messaging.topics_admin import ensure_topics
from shared.signing import public_jwk, signature_for
from tests.support.infra import kafka_bootstrap, mongo_url
from tests.support.kafka import produce_events

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
    await produce_events((_event(n, key) for n in range(events)), suffix)


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


PAIRS = 3  # floor and rebuild alternated this many times on one topic; medians reported


async def _rebuild(suffix: str, client: AsyncMongoClient[Doc], database: str, key: Any) -> Any:
    """One rebuild of the whole topic into a fresh read model (not switched to)."""
    settings = Settings(
        kafka_bootstrap_servers=kafka_bootstrap(),
        mongo_url=mongo_url(),
        mongo_database=database,
        topic_suffix=suffix,
    )
    db = client[database]
    job = Rebuild(ReadModelRepository(db), FileRepository(db), BenchKeys(key), refresh_s=1.0)
    async with KafkaReplaySource(settings, batch=BATCH) as source:
        return await job.run(source, switch=False)


async def replay_figures(events: int, say: Any = print, pairs: int = PAIRS) -> Doc:
    """Both rates on one topic of ``events`` publications (produced here, dropped after):
    the floor, then the rebuild, ``pairs`` times over, each into a database of its own. The
    machine's speed drifts by up to 1.5× from one minute to the next, so a single pair says
    little; the medians of alternated pairs are the figures, and every pair is kept."""
    suffix = f".bench_replay_{uuid.uuid4().hex[:6]}"
    await ensure_topics(kafka_bootstrap(), suffix=suffix, partitions=6)
    say(f"  replay: producing {events:,} document.published events")
    key = Ed25519PrivateKey.generate()
    await _produce(suffix, events, key)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url(), tz_aware=True)
    runs: list[Doc] = []
    try:
        for n in range(max(1, pairs)):
            database = f"bench_replay_{uuid.uuid4().hex[:6]}"
            try:
                raw_done, raw_s = await _raw(suffix, client, database + "_raw")
                report = await _rebuild(suffix, client, database, key)
            finally:
                await client.drop_database(database)
                await client.drop_database(database + "_raw")
            raw_rate = raw_done / raw_s if raw_s else 0.0
            rate = report.events_per_s
            runs.append(
                {
                    "replay_per_s": round(rate, 1),
                    "replay_fold_per_s": round(report.events / report.replay_seconds, 1)
                    if report.replay_seconds
                    else None,
                    "raw_consume_insert_per_s": round(raw_rate, 1),
                    "replay_ratio": round(rate / raw_rate, 2) if raw_rate else None,
                    "events": report.events,
                }
            )
            say(
                f"  pair {n + 1}/{pairs}: {report.events:,} events, rebuild {rate:,.0f}/s, "
                f"plain consumer {raw_rate:,.0f}/s ({rate / raw_rate if raw_rate else 0:.2f}×)"
            )
    finally:
        await client.close()
        await _drop_topics(suffix)
    figures: Doc = {"replay_events": runs[-1]["events"], "replay_pairs": runs}
    for name in ("replay_per_s", "replay_fold_per_s", "raw_consume_insert_per_s", "replay_ratio"):
        values = [r[name] for r in runs if r[name] is not None]
        figures[name] = statistics.median(values) if values else None
    ratios = [r["replay_ratio"] for r in runs if r["replay_ratio"] is not None]
    figures["replay_ratio_min"] = min(ratios) if ratios else None
    say(
        f"  replay, median of {len(runs)}: rebuild {figures['replay_per_s']:,.0f}/s, plain "
        f"consumer {figures['raw_consume_insert_per_s']:,.0f}/s ({figures['replay_ratio']}×; "
        f"lowest pair {figures['replay_ratio_min']}×)"
    )
    return figures
