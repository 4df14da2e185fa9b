"""What one round measures, each function one figure (all durations in seconds)."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from tests.bench.load import LoadResult, hammer
from tests.bench.partners import Receiver
from tests.bench.stack import CLK_TCK, cpu_ticks, with_descendants
from tests.e2e.flow import APPROVER, CLERK, DRAFTER
from tests.support.infra import kafka_bootstrap, mongo_url

Doc = dict[str, Any]
POLL_S = 0.005  # how often the portal is asked whether a document is there yet
PUBLISH_TIMEOUT_S = 30.0


def pct(values: list[float], q: float) -> float | None:
    """The q-quantile (nearest rank) or None when there is nothing to rank."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1e3, 2)


# Floors -------------------------------------------------------------------------------
async def kafka_rtt(topic: str, n: int = 200) -> list[float]:
    """Raw aiokafka: produce one record, wait until the consumer has it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
    await admin.start()
    try:
        if topic not in set(await admin.list_topics()):
            await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap(),
        group_id=f"{topic}-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), enable_idempotence=True)
    await consumer.start()
    await producer.start()
    samples: list[float] = []
    try:
        await producer.send_and_wait(topic, b"warm-up")
        await consumer.getmany(timeout_ms=2000)
        for i in range(n):
            started = time.perf_counter()
            await producer.send_and_wait(topic, f"ping-{i}".encode())
            while not await consumer.getmany(timeout_ms=1000):
                pass
            samples.append(time.perf_counter() - started)
    finally:
        await producer.stop()
        await consumer.stop()
    return samples


async def db_update_by_id(database: str, size: int, n: int = 300) -> list[float]:
    """Raw pymongo update_one by _id, in a collection of ``size`` documents."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url())
    try:
        collection = client[database]["floor"]
        have = await collection.count_documents({})
        for start in range(have, size, 5000):
            batch = range(start, min(size, start + 5000))
            await collection.insert_many([{"_id": f"d{i:09d}", "n": 0} for i in batch])
        samples: list[float] = []
        for _ in range(n):
            key = f"d{random.randrange(size):09d}"
            started = time.perf_counter()
            await collection.update_one({"_id": key}, {"$inc": {"n": 1}})
            samples.append(time.perf_counter() - started)
        return samples
    finally:
        await client.close()


# The staff flow ------------------------------------------------------------------------
def draft_body(tag: str) -> Doc:
    return {
        "doc_type": "quyet_dinh",
        "subject": f"Về việc tổ chức tập huấn kỹ năng số đợt {tag}",
        "drafting_unit": "CNTT",
        "signer": {"name": "Bùi Thanh Sơn", "position": "Bộ trưởng"},
        "field": "Chuyển đổi số",
        "access": "public",
        "body": "Điều 1. Tổ chức tập huấn kỹ năng số cho cán bộ, công chức.",
    }


@dataclass
class Issued:
    document_id: str
    register: str  # issuer:book:year, the sequence the number belongs to
    number: int
    issue_s: float  # the issue call alone
    flow_s: float  # create → submit → approve → issue
    returned_at: float  # perf_counter when the issue call returned


async def issue_one(documents: httpx.AsyncClient, tag: str) -> Issued:
    """Create, submit, approve and issue one public decision; time the issue call."""
    flow_started = time.perf_counter()
    created = await documents.post("/api/v1/documents", json=draft_body(tag), headers=DRAFTER)
    _expect(created, 201, "create")
    doc_id = str(created.json()["id"])
    etag = created.headers["etag"]
    for action, who in (("submit", DRAFTER), ("approve", APPROVER)):
        response = await documents.post(
            f"/api/v1/documents/{doc_id}/{action}", json={}, headers={**who, "If-Match": etag}
        )
        _expect(response, 200, action)
        etag = response.headers["etag"]
    started = time.perf_counter()
    response = await documents.post(
        f"/api/v1/documents/{doc_id}/issue", json={}, headers={**CLERK, "If-Match": etag}
    )
    returned = time.perf_counter()
    _expect(response, 200, "issue")
    doc = response.json()
    register = f"{doc['issuer_code']}:{doc['book']}:{doc['year']}"
    return Issued(
        doc_id, register, int(doc["number"]), returned - started, returned - flow_started, returned
    )


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{what}: HTTP {response.status_code} {response.text[:300]}")


async def on_portal(portal: httpx.AsyncClient, document_id: str, timeout: float) -> float | None:
    """perf_counter when the portal's JSON API first answered 200 for the document."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        response = await portal.get(f"/api/v1/documents/{document_id}")
        if response.status_code == 200:
            return time.perf_counter()
        await asyncio.sleep(POLL_S)
    return None


@dataclass
class Sequential:
    issued: list[Issued] = field(default_factory=list)
    to_portal: list[float] = field(default_factory=list)
    to_partner: list[float] = field(default_factory=list)
    portal_missing: int = 0
    partner_missing: int = 0


async def sequential(
    documents_url: str,
    portal_url: str,
    healthy: Receiver,
    n: int,
    tag: str,
    budget_s: float = 120.0,
) -> Sequential:
    """One clerk, one document after another; each waits until the portal and the healthy
    partner have it, so the publish figures are measured on an otherwise quiet stack.

    A slow stack gets ``budget_s``: no new document is started after it (fewer samples)."""
    out = Sequential()
    deadline = time.perf_counter() + budget_s
    async with (
        httpx.AsyncClient(base_url=documents_url, timeout=60) as documents,
        httpx.AsyncClient(base_url=portal_url, timeout=30) as portal,
    ):
        for i in range(n):
            if i and time.perf_counter() > deadline:
                break
            issued = await issue_one(documents, f"{tag}-s{i}")
            out.issued.append(issued)
            wait = max(5.0, min(PUBLISH_TIMEOUT_S, deadline - time.perf_counter()))
            seen, arrived = await asyncio.gather(
                on_portal(portal, issued.document_id, wait),
                healthy.wait_for(issued.document_id, wait),
            )
            if seen is None:
                out.portal_missing += 1
            else:
                out.to_portal.append(seen - issued.returned_at)
            if arrived is None:
                out.partner_missing += 1
            else:
                out.to_partner.append(arrived - issued.returned_at)
    return out


@dataclass
class Concurrent:
    issued: list[Issued]
    seconds: float
    clients: int
    drained_s: float | None  # until the portal and the healthy partner had them all

    @property
    def per_s(self) -> float:
        return len(self.issued) / self.seconds


async def concurrent(
    documents_url: str,
    portal_url: str,
    healthy: Receiver,
    *,
    clients: int,
    per_client: int,
    tag: str,
    budget_s: float = 120.0,
    drain_budget_s: float = 60.0,
) -> Concurrent:
    """``clients`` staff teams, each with its own connection, doing the whole flow; then
    how long until the portal and the healthy partner had every one of those documents."""
    deadline = time.perf_counter() + budget_s

    async def team(k: int) -> list[Issued]:
        done: list[Issued] = []
        async with httpx.AsyncClient(base_url=documents_url, timeout=60) as documents:
            for j in range(per_client):
                if j and time.perf_counter() > deadline:
                    break
                done.append(await issue_one(documents, f"{tag}-c{k}-{j}"))
        return done

    started = time.perf_counter()
    results = await asyncio.gather(*(team(k) for k in range(clients)))
    ended = time.perf_counter()
    issued = [item for batch in results for item in batch]
    drained: float | None = None
    drain_deadline = ended + drain_budget_s
    async with httpx.AsyncClient(base_url=portal_url, timeout=30) as portal:
        for item in issued:
            seen = await on_portal(portal, item.document_id, drain_deadline - time.perf_counter())
            left = drain_deadline - time.perf_counter()
            arrived = await healthy.wait_for(item.document_id, left) if left > 0 else None
            if seen is None or arrived is None:
                break
        else:
            drained = time.perf_counter() - ended
    return Concurrent(issued, ended - started, clients, drained)


def numbering(issued: list[Issued]) -> tuple[int, int, dict[str, list[int]]]:
    """(gaps, duplicates, numbers per register) over the numbers the issue calls returned."""
    per_register: dict[str, list[int]] = defaultdict(list)
    for item in issued:
        per_register[item.register].append(item.number)
    gaps = duplicates = 0
    for numbers in per_register.values():
        distinct = set(numbers)
        duplicates += len(numbers) - len(distinct)
        gaps += (max(distinct) - min(distinct) + 1) - len(distinct)
    return gaps, duplicates, {k: sorted(v) for k, v in per_register.items()}


# The portal under load ----------------------------------------------------------------
async def portal_pages(portal_url: str, document_path: str, seconds: float) -> dict[str, float]:
    """Requests per second: home page, one document's page and a static file."""
    results: dict[str, LoadResult] = {}
    for name, path in (
        ("home", "/"),
        ("document_page", document_path),
        ("static", "/static/portal.css"),
    ):
        results[name] = await hammer(portal_url + path, seconds=seconds)
    out = {f"{name}_req_per_s": round(r.per_s, 1) for name, r in results.items()}
    out["errors"] = float(sum(r.errors for r in results.values()))
    return out


# Idle -----------------------------------------------------------------------------------
class CpuMeter:
    """CPU of each process (and its children) between ``start`` and ``stop``, in % of one
    core: what bounds a phase is read off it, not guessed."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._trees = {name: with_descendants(pid) for name, pid in pids.items()}
        self._trees["bench"] = [os.getpid()]
        self._before: dict[str, int] = {}
        self._started = 0.0

    def start(self) -> None:
        self._before = {name: cpu_ticks(tree) for name, tree in self._trees.items()}
        self._started = time.perf_counter()

    def stop(self) -> dict[str, float]:
        elapsed = max(time.perf_counter() - self._started, 1e-6)
        return {
            name: round(100.0 * (cpu_ticks(tree) - self._before[name]) / CLK_TCK / elapsed, 1)
            for name, tree in self._trees.items()
        }


async def idle_cpu(pids: dict[str, int], seconds: float) -> dict[str, float]:
    """CPU used by each process (and its children) while nothing happens, in % of one core."""
    trees = {name: with_descendants(pid) for name, pid in pids.items()}
    before = {name: cpu_ticks(tree) for name, tree in trees.items()}
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    return {
        name: round(100.0 * (cpu_ticks(tree) - before[name]) / CLK_TCK / elapsed, 2)
        for name, tree in trees.items()
    }
