"""Concurrent clients that drive documents through the platform while faults happen.

Staff issue public, internal (addressed to named agencies) and secret documents, revoke and
replace some; agencies send documents in through the LGSP and a clerk accepts or rejects them.
Every call goes to a replica chosen at random and is tried again on the other when a replica
dies or a server restarts: what a client does when it cannot know whether its call was applied
(look at the state, then carry on) is what a real client does. The ledger records what each
document is meant to be, for the checks.
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.chaos.partners import ChaosPartner
from tests.e2e.flow import APPROVER, CLEARED, CLERK, DRAFTER

MINISTRY = "000.00.00.G06"
RETRYABLE = frozenset({500, 502, 503, 504})
Doc = dict[str, Any]


class Kind:
    PUBLIC = "public"
    INTERNAL = "internal"
    SECRET = "secret"


@dataclass
class Planned:
    """What one outgoing document is meant to be once the run settles."""

    id: str
    kind: str
    marker: str  # a unique word in its subject and body, searched for where it must not be
    recipients: list[str] = field(default_factory=list)
    issued: bool = False
    revoked: bool = False
    replaced_by: str | None = None
    replaces: str | None = None


@dataclass
class Inbound:
    inbound_id: str
    sender: str  # partner code
    decision: str | None = None  # "accepted" | "rejected"


@dataclass
class Ledger:
    documents: dict[str, Planned] = field(default_factory=dict)
    inbound: dict[str, Inbound] = field(default_factory=dict)
    server_errors: int = 0
    internal_errors: list[str] = field(default_factory=list)  # 500s: a bug, never an outage
    transport_errors: int = 0
    abandoned: list[str] = field(default_factory=list)  # client gave up: reported, then checked
    calls: int = 0


class Gone(Exception):
    """The call could not be made within the client's patience."""


@dataclass
class Client:
    """Calls one service through any of its replicas."""

    http: httpx.AsyncClient
    urls: list[str]
    ledger: Ledger
    patience_s: float = 240.0

    async def call(
        self,
        method: str,
        path: str,
        *,
        ok: Callable[[httpx.Response], bool] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """The first answer that is not a transport error or a 5xx (those are tried again)."""
        deadline = time.monotonic() + self.patience_s
        delay = 0.2
        while True:
            url = random.choice(self.urls) + path
            self.ledger.calls += 1
            try:
                response = await self.http.request(method, url, **kwargs)
                if response.status_code not in RETRYABLE and (ok is None or ok(response)):
                    return response
                if response.status_code == 500:
                    self.ledger.internal_errors.append(f"{method} {path}")
                elif response.status_code in RETRYABLE:
                    self.ledger.server_errors += 1
            except httpx.TransportError:
                self.ledger.transport_errors += 1
            if time.monotonic() > deadline:
                raise Gone(f"{method} {path}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


# States each action leaves the document in or beyond.
AFTER = {
    "submit": {"submitted", "approved", "issuing", "issued", "revoked", "replaced"},
    "approve": {"approved", "issuing", "issued", "revoked", "replaced"},
    "issue": {"issued", "revoked", "replaced"},
    "revoke": {"revoked"},
    "replace": {"replaced"},
}


@dataclass
class Staff:
    documents: Client

    async def get(self, doc_id: str, who: dict[str, str]) -> httpx.Response:
        return await self.documents.call(
            "GET", f"/api/v1/documents/{doc_id}", headers=who, ok=lambda r: r.status_code == 200
        )

    async def create(self, body: Doc, who: dict[str, str]) -> str:
        key = uuid.uuid4().hex  # the same key on a retry: one document, however many tries
        created = await self.documents.call(
            "POST", "/api/v1/documents", json=body, headers={**who, "Idempotency-Key": key}
        )
        if created.status_code not in (200, 201):
            raise RuntimeError(f"create: {created.status_code} {created.text}")
        return str(created.json()["id"])

    async def act(self, doc_id: str, action: str, body: Doc, who: dict[str, str]) -> Doc:
        """Take the document to the state after ``action``, whatever happened to earlier tries."""
        while True:
            current = await self.get(doc_id, who)
            state = current.json()["state"]
            if state in AFTER[action]:
                return dict(current.json())
            if action == "issue" and state == "issuing":
                await asyncio.sleep(1.0)  # a number is being taken; recovery finishes it
                continue
            answer = await self.documents.call(
                "POST",
                f"/api/v1/documents/{doc_id}/{action}",
                json=body,
                headers={**who, "If-Match": current.headers["etag"]},
            )
            if answer.status_code == 200:
                return dict(answer.json())
            if answer.status_code not in (409, 412):
                raise RuntimeError(f"{action} {doc_id}: {answer.status_code} {answer.text}")
            await asyncio.sleep(0.2)  # another try won the race, or the state moved: look again

    async def issue(self, body: Doc, cleared: bool) -> str:
        drafter, approver, clerk = (
            (CLEARED["drafter"], CLEARED["approver"], CLEARED["clerk"])
            if cleared
            else (DRAFTER, APPROVER, CLERK)
        )
        doc_id = await self.create(body, drafter)
        await self.act(doc_id, "submit", {}, drafter)
        await self.act(doc_id, "approve", {}, approver)
        await self.act(doc_id, "issue", {}, clerk)
        return doc_id


def outgoing_body(kind: str, marker: str, recipients: list[str]) -> Doc:
    body: Doc = {
        "doc_type": "cong_van" if kind == Kind.INTERNAL else "quyet_dinh",
        "subject": f"Về việc kiểm thử độ bền {marker}",
        "drafting_unit": "CNTT",
        "signer": {"name": "Bùi Thanh Sơn", "position": "Bộ trưởng"},
        "field": "Chuyển đổi số",
        "access": "public" if kind == Kind.PUBLIC else "internal",
        "body": f"Điều 1. Nội dung kiểm thử {marker}.",
        "recipients_external": recipients,
    }
    if kind == Kind.SECRET:
        body["confidentiality"] = "mat"
    return body


@dataclass
class Plan:
    documents: int
    inbound: int
    public_share: float = 0.55
    secret_share: float = 0.15
    revoke_share: float = 0.1
    replace_share: float = 0.1


@dataclass
class Driver:
    staff: Staff
    lgsp: Client
    ledger: Ledger
    addressees: list[ChaosPartner]
    senders: list[ChaosPartner]
    rng: random.Random

    def new(self, kind: str, recipients: list[str]) -> Planned:
        return Planned(
            id="", kind=kind, marker=f"chaos{uuid.uuid4().hex[:12]}", recipients=recipients
        )

    async def outgoing(self, kind: str) -> None:
        recipients: list[str] = []
        if kind != Kind.PUBLIC or self.rng.random() < 0.2:
            count = self.rng.randint(1, 3)
            recipients = [p.code for p in self.rng.sample(self.addressees, count)]
        planned = self.new(kind, recipients)
        body = outgoing_body(kind, planned.marker, recipients)
        doc_id = await self.staff.create(
            body, CLEARED["drafter"] if kind == Kind.SECRET else DRAFTER
        )
        planned.id = doc_id
        self.ledger.documents[doc_id] = planned
        cleared = kind == Kind.SECRET
        who = CLEARED if cleared else {"drafter": DRAFTER, "approver": APPROVER, "clerk": CLERK}
        await self.staff.act(doc_id, "submit", {}, who["drafter"])
        await self.staff.act(doc_id, "approve", {}, who["approver"])
        await self.staff.act(doc_id, "issue", {}, who["clerk"])
        planned.issued = True

    async def revoke(self, planned: Planned) -> None:
        await self.staff.act(planned.id, "revoke", {"reason": f"Thu hồi {planned.marker}"}, CLERK)
        planned.revoked = True

    async def replace(self, old: Planned) -> None:
        """Issue a newer public document and have it replace ``old``."""
        newer = self.new(Kind.PUBLIC, [])
        newer.id = await self.staff.create(outgoing_body(Kind.PUBLIC, newer.marker, []), DRAFTER)
        self.ledger.documents[newer.id] = newer
        await self.staff.act(newer.id, "submit", {}, DRAFTER)
        await self.staff.act(newer.id, "approve", {}, APPROVER)
        await self.staff.act(newer.id, "issue", {}, CLERK)
        newer.issued = True
        newer.replaces = old.id
        old.replaced_by = newer.id  # before the call: the call may land although its answer is lost
        await self.staff.act(
            old.id, "replace", {"replaced_by": newer.id, "reason": "Thay thế"}, CLERK
        )

    async def send_in(self, sender: ChaosPartner) -> None:
        number = str(self.rng.randint(1000, 999_999))
        pdf = b"%PDF-1.4 chaos " + uuid.uuid4().hex.encode()
        body = {
            "document_id": f"{sender.code},2026/11/20,{number}/UBND-VP-{uuid.uuid4().hex[:6]}",
            "header": {
                "from_organ_id": sender.code,
                "from_organ_name": f"Cơ quan {sender.name}",
                "to_organ_ids": [MINISTRY],
                "code_number": number,
                "code_notation": "UBND-VP",
                "promulgation_date": "2026-11-20",
                "document_type": "Công văn",
                "subject": "Về việc phối hợp kiểm thử độ bền",
                "signer": {"position": "Phó Chủ tịch", "full_name": "Lê Hồng"},
                "priority": "thuong",
            },
            "body": "Kính gửi: Bộ Ngoại giao.",
            "attachments": [
                {
                    "name": f"{number}.pdf",
                    "media_type": "application/pdf",
                    "content_base64": base64.b64encode(pdf).decode(),
                }
            ],
        }
        sent = await self.lgsp.call(
            "POST", "/api/v1/inbound", json=body, headers={"X-API-Key": sender.api_key}
        )
        if sent.status_code not in (200, 201):
            raise RuntimeError(f"inbound: {sent.status_code} {sent.text}")
        inbound_id = str(sent.json()["inbound_id"])
        record = Inbound(inbound_id, sender.code)
        self.ledger.inbound[inbound_id] = record
        await self.register(record)

    async def register(self, record: Inbound) -> None:
        """A clerk accepts (or, one time in five, rejects) the document once it is registrable."""
        path = f"/api/v1/incoming/{record.inbound_id}"
        accept = self.rng.random() >= 0.2
        action, body = (
            ("accept", {"note": "Đã vào sổ"}) if accept else ("reject", {"reason": "Sai"})
        )
        done = {"accepted", "assigned", "in_progress", "completed"} if accept else {"rejected"}
        record.decision = "accepted" if accept else "rejected"
        while True:
            current = await self.staff.documents.call(
                "GET", path, headers=CLERK, ok=lambda r: r.status_code in (200, 404)
            )
            state = current.json().get("state") if current.status_code == 200 else None
            if state in done:
                return
            if state != "awaiting_registration":
                await asyncio.sleep(1.0)  # not arrived yet, or registering: look again
                continue
            answer = await self.staff.documents.call(
                "POST",
                f"{path}/{action}",
                json=body,
                headers={**CLERK, "If-Match": current.headers["etag"]},
            )
            if answer.status_code == 200:
                return
            if answer.status_code not in (409, 412):
                raise RuntimeError(f"{action} {record.inbound_id}: {answer.status_code}")
            await asyncio.sleep(0.3)


async def drive(driver: Driver, plan: Plan, clients: int, until: float) -> None:
    """``clients`` workers share the plan's work; each item is done whole, even past ``until``
    (a half-driven document would be the harness's fault, not the platform's)."""
    rng = driver.rng
    work: list[str] = []
    for _ in range(plan.documents):
        roll = rng.random()
        work.append(
            Kind.PUBLIC
            if roll < plan.public_share
            else Kind.SECRET
            if roll < plan.public_share + plan.secret_share
            else Kind.INTERNAL
        )
    work += ["inbound"] * plan.inbound
    rng.shuffle(work)
    queue: asyncio.Queue[str] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    pace = max(0.0, until - time.monotonic()) / max(1, len(work)) * clients

    async def worker() -> None:
        while not queue.empty():
            item = queue.get_nowait()
            began = time.monotonic()
            try:
                if item == "inbound":
                    await driver.send_in(rng.choice(driver.senders))
                else:
                    await driver.outgoing(item)
                    await later_changes(driver, plan)
            except Gone as gone:
                driver.ledger.abandoned.append(str(gone))
            # Spread the work over the run, so that every fault meets traffic.
            await asyncio.sleep(max(0.0, pace - (time.monotonic() - began)) * rng.random() * 2)

    await asyncio.gather(*(worker() for _ in range(clients)))


async def later_changes(driver: Driver, plan: Plan) -> None:
    """Now and then, revoke or replace a public document issued earlier in the run."""
    roll = driver.rng.random()
    if roll >= plan.revoke_share + plan.replace_share:
        return
    candidates = [
        d
        for d in driver.ledger.documents.values()
        if d.kind == Kind.PUBLIC
        and d.issued
        and not d.recipients
        and not d.revoked
        and d.replaced_by is None
        and d.replaces is None
    ]
    if not candidates:
        return
    chosen = driver.rng.choice(candidates)
    if roll < plan.revoke_share:
        chosen.revoked = True  # claimed at once, so no other worker picks it
        await driver.revoke(chosen)
    else:
        chosen.replaced_by = "pending"
        await driver.replace(chosen)
