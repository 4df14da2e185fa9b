"""What must hold once a chaos run has settled, read only from the outside: the services' HTTP
APIs, the topics, what the partners received and the services' logs.

Each check adds counts and, when something is wrong, a line naming it. The four totals the
run is judged by are ``lost``, ``duplicated``, ``leaked`` and ``gaps``.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka.structs import ConsumerRecord

from shared.messaging.topics_admin import planned_topics
from tests.chaos.load import Client, Kind, Ledger, Planned
from tests.chaos.partners import ChaosPartner
from tests.e2e.flow import CLEARED, LGSP_ADMIN
from tests.support.kafka import TopicReader, header

PUBLISHED = "gov.egov.document.published.v1"
REVOKED = "gov.egov.document.revoked.v1"
REPLACED = "gov.egov.document.replaced.v1"
DISPATCHED = "gov.egov.document.dispatched.v1"
INCOMING_STATUS = "gov.egov.incoming.status_changed.v1"
DELIBERATE = "chaos-deliberate-"
READER = CLEARED["clerk"]
TOTALS = (
    "lost",
    "duplicated",
    "leaked",
    "gaps",
)  # sees every document from approved on, secret ones too


@dataclass
class Findings:
    counts: dict[str, int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    leaked: int = 0
    gaps: int = 0

    def problem(self, kind: str, text: str) -> None:
        if kind in TOTALS:
            setattr(self, kind, getattr(self, kind) + 1)
        if len(self.problems) < 200:
            self.problems.append(f"{kind}: {text}")
        else:
            self.counts["problems not listed"] += 1

    @property
    def passed(self) -> bool:
        return not self.problems and not self.counts.get("problems not listed")


@dataclass
class World:
    ledger: Ledger
    documents: Client
    portal: Client
    lgsp: Client
    feed: ChaosPartner
    addressees: list[ChaosPartner]
    bystander: ChaosPartner
    suffix: str
    log_paths: list[Path]
    credentials: list[str]  # API keys, webhook secrets, tokens: in no log


# What each partner must have: (event type, subject) → nothing else.
def expected_deliveries(world: World) -> dict[str, set[tuple[str, str]]]:
    wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for doc in world.ledger.documents.values():
        if not doc.issued or doc.kind == Kind.SECRET:
            continue
        if doc.kind == Kind.PUBLIC:
            wanted[world.feed.code].add((PUBLISHED, doc.id))
            if doc.revoked:
                wanted[world.feed.code].add((REVOKED, doc.id))
            if doc.replaced_by:
                wanted[world.feed.code].add((REPLACED, doc.id))
        for code in doc.recipients:
            wanted[code].add((DISPATCHED, doc.id))
    for record in world.ledger.inbound.values():
        status = {"accepted": "03", "rejected": "02"}.get(record.decision or "")
        if status:
            wanted[record.sender].add((INCOMING_STATUS, f"{record.inbound_id}:{status}"))
    return wanted


def delivered_key(delivery_type: str, subject: str, data: dict[str, Any]) -> tuple[str, str]:
    if delivery_type == INCOMING_STATUS:
        return delivery_type, f"{data.get('inbound_id')}:{data.get('status')}"
    return delivery_type, subject


def partners_missing(world: World) -> int:
    """How many expected deliveries have not arrived yet (the settle loop's measure)."""
    wanted = expected_deliveries(world)
    missing = 0
    for partner in [world.feed, *world.addressees]:
        got = {delivered_key(d.event_type, d.subject, d.data) for d in partner.received}
        missing += len(wanted.get(partner.code, set()) - got)
    return missing


def check_partners(world: World, found: Findings) -> None:
    wanted = expected_deliveries(world)
    inbound_of = {r.inbound_id: r.sender for r in world.ledger.inbound.values()}
    secret_ids = {d.id for d in world.ledger.documents.values() if d.kind == Kind.SECRET}
    for partner in [world.feed, *world.addressees, world.bystander]:
        ids_by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
        for delivery in partner.received:
            key = delivered_key(delivery.event_type, delivery.subject, delivery.data)
            ids_by_key[key].add(delivery.webhook_id)
            if delivery.subject in secret_ids or any(
                d.marker.encode() in delivery.body
                for d in world.ledger.documents.values()
                if d.kind == Kind.SECRET
            ):
                found.problem("leaked", f"secret document at partner {partner.name}")
        expected = wanted.get(partner.code, set())
        for key in expected - set(ids_by_key):
            found.problem("lost", f"{partner.name} never received {key}")
        for key, webhook_ids in ids_by_key.items():
            meant = key in expected or (
                key[0] == INCOMING_STATUS and inbound_of.get(key[1].split(":")[0]) == partner.code
            )
            if not meant:
                found.problem("leaked", f"{partner.name} received {key}, not meant for it")
            if len(webhook_ids) > 1:
                found.problem("duplicated", f"{partner.name} received {key} {len(webhook_ids)}×")
        found.counts[f"partner {partner.name}: deliveries"] = len(partner.received)
        found.counts[f"partner {partner.name}: distinct"] = len(ids_by_key)


async def check_documents(world: World, found: Findings) -> dict[str, dict[str, Any]]:
    """Every document's final state; issued numbers for the registers."""
    states: dict[str, dict[str, Any]] = {}

    async def one(doc: Planned) -> None:
        got = await world.documents.call("GET", f"/api/v1/documents/{doc.id}", headers=READER)
        if got.status_code != 200:
            found.problem("lost", f"document {doc.id} answers {got.status_code}")
            return
        states[doc.id] = got.json()

    await _bounded([one(d) for d in world.ledger.documents.values()])
    for doc in world.ledger.documents.values():
        state = states.get(doc.id, {}).get("state")
        want = "revoked" if doc.revoked else "replaced" if doc.replaced_by else "issued"
        if doc.issued and state != want:
            found.problem("lost", f"document {doc.id} is {state}, expected {want}")
        found.counts[f"documents {doc.kind}"] += 1
        found.counts["documents revoked"] += int(doc.revoked)
        found.counts["documents replaced"] += int(bool(doc.replaced_by))
    return states


async def check_registers(world: World, states: dict[str, dict[str, Any]], found: Findings) -> None:
    """Each register: numbers 1..n with no gap or repeat, each on the document it names."""
    expected: dict[tuple[str, str, int], dict[int, str]] = defaultdict(dict)
    for doc_id, doc in states.items():
        if doc.get("number") is None:
            continue
        key = (str(doc["issuer_code"]), str(doc["issue"]["book"]), int(doc["issue"]["year"]))
        if doc["number"] in expected[key]:
            found.problem("duplicated", f"number {doc['number']} twice in {key}")
        expected[key][int(doc["number"])] = doc_id
    incoming = await incoming_states(world)
    for inbound_id, doc in incoming.items():
        arrival = doc.get("arrival") or {}
        if arrival.get("number") is None:
            continue
        key = ("BNG", "incoming", int(str(arrival["date"])[:4]))
        expected[key][int(arrival["number"])] = inbound_id
        found.counts["incoming registered"] += 1
    for record in world.ledger.inbound.values():
        state = (incoming.get(record.inbound_id) or {}).get("state")
        if record.decision == "accepted" and state != "accepted":
            found.problem("lost", f"incoming {record.inbound_id} is {state}, expected accepted")
        if record.decision == "rejected" and state != "rejected":
            found.problem("lost", f"incoming {record.inbound_id} is {state}, expected rejected")
    for (issuer, book, year), numbers in expected.items():
        entries = await register_entries(world, issuer, book, year)
        listed = [e["number"] for e in entries]
        repeats = [n for n, c in Counter(listed).items() if c > 1]
        for n in repeats:
            found.problem("duplicated", f"register {issuer}/{book}/{year} lists {n} twice")
        top = max(listed, default=0)
        holes = sorted(set(range(1, top + 1)) - set(listed))
        for n in holes:
            found.problem("gaps", f"register {issuer}/{book}/{year} misses number {n}")
        by_number = {e["number"]: e.get("document_id") or e.get("inbound_id") for e in entries}
        for number, owner in numbers.items():
            if by_number.get(number) != owner:
                found.problem("gaps", f"{issuer}/{book}/{year} number {number} is not on {owner}")
        found.counts[f"register {book} {year}"] = len(listed)


async def register_entries(world: World, issuer: str, book: str, year: int) -> list[Any]:
    entries: list[Any] = []
    cursor: str | None = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await world.documents.call(
            "GET", f"/api/v1/registers/{issuer}/{book}/{year}", params=params, headers=READER
        )
        body = page.json()
        entries += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return entries


async def incoming_states(world: World) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    async def one(inbound_id: str) -> None:
        got = await world.documents.call(
            "GET", f"/api/v1/incoming/{inbound_id}", headers=READER, ok=lambda r: True
        )
        if got.status_code == 200:
            found[inbound_id] = got.json()

    await _bounded([one(i) for i in world.ledger.inbound])
    return found


async def check_portal(
    world: World, events: dict[str, list[dict[str, Any]]], found: Findings
) -> int:
    """Each public document once, at its latest version, withdrawn or linked as it should be;
    nothing else. Returns how many are not there yet (the settle loop's measure)."""
    listed: Counter[str] = Counter()
    cursor: str | None = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await world.portal.call("GET", "/api/v1/documents", params=params)).json()
        listed.update(item["id"] for item in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    public = {
        d.id: d for d in world.ledger.documents.values() if d.kind == Kind.PUBLIC and d.issued
    }
    not_there = 0
    for doc_id, count in listed.items():
        if doc_id not in public:
            found.problem("leaked", f"portal lists {doc_id}, which is not public")
        elif count > 1:
            found.problem("duplicated", f"portal lists {doc_id} {count}×")
    pages: dict[str, dict[str, Any]] = {}

    async def one(doc_id: str) -> None:
        got = await world.portal.call("GET", f"/api/v1/documents/{doc_id}", ok=lambda r: True)
        if got.status_code == 200:
            pages[doc_id] = got.json()

    await _bounded([one(i) for i in public])
    for doc_id, doc in public.items():
        page = pages.get(doc_id)
        latest = max((e["document_version"] for e in events.get(doc_id, [])), default=None)
        if page is None or doc_id not in listed:
            not_there += 1
            found.problem("lost", f"{doc_id} is not on the portal")
            continue
        if latest is not None and page["version"] != latest:
            not_there += 1
            found.problem("lost", f"{doc_id} on the portal at v{page['version']}, latest v{latest}")
        if doc.revoked and not page["withdrawn"]:
            not_there += 1
            found.problem("lost", f"{doc_id} revoked but not shown withdrawn")
        if doc.replaced_by and (page.get("replaced_by") or {}).get("id") != doc.replaced_by:
            not_there += 1
            found.problem("lost", f"{doc_id} replaced but not linked to {doc.replaced_by}")
        if doc.replaces and doc.replaces not in [r.get("id") for r in page.get("replaces", [])]:
            not_there += 1
            found.problem("lost", f"{doc_id} does not link back to {doc.replaces}")
    found.counts["portal documents"] = len(listed)
    return not_there


async def read_topics(suffix: str) -> dict[str, list[ConsumerRecord[Any, Any]]]:
    """Every record of the run's topics and their dead-letter topics."""
    out: dict[str, list[ConsumerRecord[Any, Any]]] = {}
    for topic in planned_topics(suffix, 1, 1):
        async with TopicReader(topic.name) as reader:
            quiet = 0
            while quiet < 3:
                before = len(reader.records)
                await reader.poll(1.0)
                quiet = quiet + 1 if len(reader.records) == before else 0
            out[topic.name] = list(reader.records)
    return out


def public_events(
    records: dict[str, list[ConsumerRecord[Any, Any]]], suffix: str
) -> dict[str, list[dict[str, Any]]]:
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records.get("egov.documents.public.v1" + suffix, []):
        try:
            data = json.loads(record.value)
        except (TypeError, ValueError):
            continue
        # The page's version is its content's: that of the latest document.published
        # (revocation and replacement are shown beside it, each by its own concern).
        if header(record, "ce_type") == PUBLISHED and isinstance(data, dict):
            events[str(data.get("document_id"))].append(data)
    return events


def check_topics(
    world: World, records: dict[str, list[ConsumerRecord[Any, Any]]], found: Findings
) -> None:
    secrets = [d for d in world.ledger.documents.values() if d.kind == Kind.SECRET]
    for name, items in records.items():
        dead_letter = "dlq" in name
        found.counts[f"topic {name.removesuffix(world.suffix)}"] = len(items)
        for record in items:
            value = bytes(record.value or b"")
            subject = header(record, "ce_subject") or ""
            for doc in secrets:
                if doc.id == subject or doc.id.encode() in value or doc.marker.encode() in value:
                    found.problem("leaked", f"secret document {doc.id} on {name}")
            if dead_letter:
                key = bytes(record.key or b"").decode(errors="replace")
                if key.startswith(DELIBERATE):
                    found.counts["dead letters (deliberate)"] += 1
                else:
                    reason = header(record, "dlq_reason") or "?"
                    found.problem("lost", f"unexpected dead letter on {name}: {reason[:200]}")


def check_logs(world: World, found: Findings) -> None:
    """No secret document's content in any log, nor its id outside the documents service; no
    credential in any log."""
    secrets = [d for d in world.ledger.documents.values() if d.kind == Kind.SECRET]
    markers = [d.marker for d in secrets]
    ids = [d.id for d in secrets]
    for path in world.log_paths:
        text = path.read_text(errors="replace")
        found.counts["log lines"] += text.count("\n")
        for marker in markers:
            if marker in text:
                found.problem("leaked", f"secret document content in {path.name}")
        if not path.name.startswith("documents-"):
            for doc_id in ids:
                if doc_id in text:
                    found.problem("leaked", f"secret document id in {path.name}")
        for credential in world.credentials:
            if credential and credential in text:
                found.problem("leaked", f"a credential in {path.name}")


async def check_chains(world: World, states: dict[str, dict[str, Any]], found: Findings) -> None:
    """Every document's and incoming document's audit chain, and the LGSP's message log."""
    broken: list[str] = []

    async def one(path: str) -> None:
        got = await world.documents.call("GET", path, headers=READER)
        if got.status_code != 200 or not got.json().get("valid"):
            broken.append(f"{path}: {got.status_code} {got.text[:200]}")

    paths = [f"/api/v1/documents/{i}/audit/verify" for i in states]
    paths += [f"/api/v1/incoming/{i}/audit/verify" for i in world.ledger.inbound]
    await _bounded([one(p) for p in paths])
    for line in broken:
        found.problem("chains", f"audit chain does not verify: {line}")
    found.counts["audit chains verified"] = len(paths) - len(broken)
    log = await world.lgsp.call("GET", "/api/v1/message-log/verify", headers=LGSP_ADMIN)
    verdict = log.json()
    found.counts["message-log chains verified"] = sum(1 for c in verdict["chains"] if c.get("ok"))
    if not verdict.get("ok"):
        bad = [c for c in verdict["chains"] if not c.get("ok")]
        found.problem("chains", f"message log does not verify: {json.dumps(bad)[:500]}")


async def _bounded(calls: list[Any], limit: int = 8) -> None:
    gate = asyncio.Semaphore(limit)

    async def run(call: Any) -> None:
        async with gate:
            await call

    await asyncio.gather(*(run(c) for c in calls))


async def settle(world: World, seconds: float, say: Any) -> None:
    """Wait until the partners have everything expected and the documents service knows
    each delivery as done (or ``seconds`` pass)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        missing = partners_missing(world)
        unknown = len(await statuses_missing(world)) if missing == 0 else -1
        if (missing == 0 and unknown == 0) or loop.time() > deadline:
            say(f"  settled: {missing} deliveries missing, {unknown} statuses not back")
            return
        say(f"  settling: {missing} deliveries on their way, {unknown} statuses not back")
        await asyncio.sleep(5)


async def statuses_missing(world: World) -> list[str]:
    """(document, recipient) pairs the documents service does not show as delivered."""
    missing: list[str] = []

    async def one(doc: Planned) -> None:
        got = await world.documents.call(
            "GET", f"/api/v1/documents/{doc.id}/deliveries", headers=READER
        )
        lines = got.json().get("items", []) if got.status_code == 200 else []
        done = {x["recipient_code"] for x in lines if x.get("delivery_state") == "delivered"}
        missing.extend(f"{doc.id} → {code}" for code in doc.recipients if code not in done)

    addressed = [
        d
        for d in world.ledger.documents.values()
        if d.issued and d.recipients and d.kind != Kind.SECRET
    ]
    await _bounded([one(d) for d in addressed])
    return missing


async def check_statuses(world: World, found: Findings) -> None:
    missing = await statuses_missing(world)
    for line in missing:
        found.problem("lost", f"delivery status never came back: {line}")
    found.counts["delivery statuses back"] = sum(
        len(d.recipients)
        for d in world.ledger.documents.values()
        if d.issued and d.kind != Kind.SECRET
    ) - len(missing)


async def check_all(world: World) -> Findings:
    found = Findings()
    states = await check_documents(world, found)
    await check_registers(world, states, found)
    records = await read_topics(world.suffix)
    check_topics(world, records, found)
    await check_portal(world, public_events(records, world.suffix), found)
    check_partners(world, found)
    await check_statuses(world, found)
    await check_chains(world, states, found)
    check_logs(world, found)
    for call in world.ledger.internal_errors:
        found.problem("errors", f"500 from {call} (an outage is 503, anything else a bug)")
    found.counts["incoming documents"] = len(world.ledger.inbound)
    return found


def lgsp_deliveries_summary(response: httpx.Response) -> dict[str, Any]:
    return dict(response.json()) if response.status_code == 200 else {}
