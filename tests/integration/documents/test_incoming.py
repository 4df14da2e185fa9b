"""Incoming documents end to end on real Kafka and FerretDB: sent in → registered → assigned
→ handled → completed, with the sender's statuses on the exchange topic."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.documents.app import create_app
from services.documents.components import DocumentsComponents
from shared.auth.principal import Principal, Role
from shared.auth.verifier import AuthError, TokenVerifier
from shared.contracts import topics
from shared.contracts.events import (
    EdxmlHeader,
    EdxmlSigner,
    InboundRecallRequested,
    InboundReceived,
)
from shared.contracts.models import ClaimCheck
from shared.contracts.vocabulary import (
    Confidentiality,
    MessageFormat,
    SignatureVerdict,
    Urgency,
)
from shared.settings import ServiceSettings
from tests.integration.documents import support
from tests.integration.documents.support import approver, clerk, drafter, with_version
from tests.support.infra import free_port, unique
from tests.support.kafka import TopicReader, eventually, header, produce_event
from tests.support.services import auth, running_app
from tests.support.serving import serving

ORG = "000.00.00.G06"
SENDER = "000.00.00.G22"
STATUS_TYPE = "gov.egov.incoming.status_changed.v1"
PDF = b"%PDF-1.7\nincoming test\n%%EOF\n"
HANDLER = "drafter-CNTT"  # the user of support.drafter("CNTT")
CLERK = Principal(
    user="clerk", roles=frozenset({Role.CLERK}), clearance=Confidentiality.TUYET_MAT, unit="VP"
)


@dataclass
class LgspFiles:
    """The LGSP's inbound-file endpoint: serves bytes only to the documents service's account."""

    port: int
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200  # 503 plays "down"
    served: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def lgsp_files() -> AsyncIterator[LgspFiles]:
    state = LgspFiles(port=free_port())
    verifier = TokenVerifier(ServiceSettings(service_name="lgsp"))

    async def inbound_file(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            principal = await verifier.verify(token) if scheme.lower() == "bearer" else None
        except AuthError:
            principal = None
        if principal is None:
            return JSONResponse({"error": "unauthenticated"}, status_code=401)
        if not principal.has_role(Role.SERVICE_DOCUMENTS):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        if state.status != 200:
            return JSONResponse({"error": "unavailable"}, status_code=state.status)
        sha = request.path_params["sha256"]
        data = state.files.get(sha)
        if data is None:
            return JSONResponse({"error": "no such file"}, status_code=404)
        state.served.append(sha)
        return Response(data, media_type="application/pdf")

    app = Starlette(routes=[Route("/api/v1/inbound-files/{sha256}", inbound_file)])
    async with serving(app, state.port):
        yield state


def claim(data: bytes, name: str = "cong-van.pdf", attachment_id: str = "att-1") -> ClaimCheck:
    sha = hashlib.sha256(data).hexdigest()
    return ClaimCheck(
        attachment_id=attachment_id,
        name=name,
        media_type="application/pdf",
        size=len(data),
        sha256=sha,
        fetch_path=f"/api/v1/inbound-files/{sha}",
    )


def inbound(
    inbound_id: str | None = None,
    *,
    attachments: list[ClaimCheck] | None = None,
    priority: Urgency = Urgency.THUONG,
    confidentiality: Confidentiality = Confidentiality.THUONG,
    sender_code: str = SENDER,
    from_organ: str = SENDER,
    to: tuple[str, ...] = (ORG,),
    due_date: dt.date | None = None,
    verdict: SignatureVerdict = SignatureVerdict.VALID,
) -> InboundReceived:
    today = dt.date.today()
    return InboundReceived(
        inbound_id=inbound_id or unique("in-"),
        inbound_version=1,
        sender_code=sender_code,
        sender_document_id=f"{SENDER},{today},245/BNV-CQĐT",
        message_format=MessageFormat.EDXML,
        header=EdxmlHeader(
            from_organ_id=from_organ,
            from_organ_name="Bộ Nội vụ",
            to_organ_ids=list(to),
            code_number="245",
            code_notation="BNV-CQĐT",
            promulgation_place="Hà Nội",
            promulgation_date=today - dt.timedelta(days=1),
            document_type="Công văn",
            subject="Về việc phối hợp triển khai nền tảng chia sẻ dữ liệu",
            signer=EdxmlSigner(
                competence="KT. BỘ TRƯỞNG", position="Thứ trưởng", full_name="Nguyễn Văn A"
            ),
            due_date=due_date,
            priority=priority,
            confidentiality=confidentiality,
            steering_type="",
        ),
        body="Nội dung công văn",
        attachments=attachments or [],
        signature_verdict=verdict,
        received_at=dt.datetime.now(dt.UTC),
    )


def incoming_settings(suffix: str, files: LgspFiles, **extra: Any) -> Any:
    return support.settings(suffix, lgsp_url=files.url, incoming_fetch_interval_s=0.2, **extra)


@pytest.fixture(scope="module")
async def files() -> AsyncIterator[LgspFiles]:
    async with lgsp_files() as server:
        yield server


@pytest.fixture(scope="module")
async def app(module_suffix: str, files: LgspFiles) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(create_app, incoming_settings(module_suffix, files)) as http:
        yield http


async def read(
    client: httpx.AsyncClient, inbound_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.get(f"/api/v1/incoming/{inbound_id}", headers=headers or clerk())


async def until_state(client: httpx.AsyncClient, inbound_id: str, state: str) -> httpx.Response:
    async def check() -> httpx.Response | None:
        response = await read(client, inbound_id)
        return (
            response if response.status_code == 200 and response.json()["state"] == state else None
        )

    found: httpx.Response = await eventually(check)
    return found


async def step(
    client: httpx.AsyncClient,
    inbound_id: str,
    action: str,
    headers: dict[str, str],
    current: httpx.Response,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/incoming/{inbound_id}/{action}",
        headers=with_version(headers, current),
        json=body,
    )


async def statuses(reader: TopicReader, inbound_id: str, count: int) -> list[dict[str, Any]]:
    """The incoming.status_changed records of one document, in order (waits for ``count``)."""

    async def mine() -> list[dict[str, Any]]:
        await reader.poll(0.3)
        return [
            json.loads(r.value)
            for r in reader.records
            if header(r, "ce_type") == STATUS_TYPE and r.key == inbound_id.encode()
        ]

    async def enough() -> list[dict[str, Any]] | None:
        found = await mine()
        return found if len(found) >= count else None

    await eventually(enough)
    await asyncio.sleep(1.0)  # and nothing more arrives
    return await mine()


async def test_a_document_sent_in_is_registered_assigned_handled_and_completed(
    app: httpx.AsyncClient, module_suffix: str, files: LgspFiles
) -> None:
    attachment = claim(PDF)
    files.files[attachment.sha256] = PDF
    event = inbound(attachments=[attachment], priority=Urgency.KHAN, due_date=dt.date.today())
    await produce_event(event, module_suffix, source="urn:egov:lgsp")
    waiting = await until_state(app, event.inbound_id, "awaiting_registration")
    doc = waiting.json()
    assert doc["sender_code"] == SENDER and doc["sender_name"] == "Bộ Nội vụ"
    assert doc["sender_notation"] == "245/BNV-CQĐT"
    assert doc["document_type"] == "Công văn" and doc["promulgation_place"] == "Hà Nội"
    assert doc["signer"]["full_name"] == "Nguyễn Văn A"
    assert doc["urgent"] is True and doc["urgency"] == "khan"
    assert doc["signature_verdict"] == "valid" and "hợp lệ" in doc["signature_label"]
    assert doc["attention"] == []
    assert attachment.sha256 in files.served
    download = await app.get(
        f"/api/v1/incoming/{event.inbound_id}/attachments/att-1", headers=clerk()
    )
    assert download.status_code == 200 and download.content == PDF

    # The clerk's list shows it awaiting registration, urgent first.
    listed = await app.get("/api/v1/incoming?state=awaiting_registration", headers=clerk())
    assert listed.json()["items"][0]["id"] == event.inbound_id

    # Out of order: nobody handles what is not registered and assigned.
    too_early = await step(app, event.inbound_id, "progress", drafter(), waiting)
    assert too_early.status_code == 404  # a drafter does not see it before assignment
    assign_early = await step(
        app,
        event.inbound_id,
        "assign",
        approver(),
        waiting,
        {"lead_unit": "CNTT", "deadline": str(dt.date.today()), "handler": HANDLER},
    )
    assert assign_early.status_code == 404  # nor does a leader before registration

    async with TopicReader(topics.DOCUMENTS_EXCHANGE + module_suffix) as exchange:
        accepted = await step(app, event.inbound_id, "accept", clerk(), waiting)
        assert accepted.status_code == 200, accepted.text
        arrival = accepted.json()["arrival"]
        assert arrival["book"] == "incoming" and arrival["number"] >= 1
        again = await step(app, event.inbound_id, "accept", clerk(), accepted)
        assert again.status_code == 409

        deadline = dt.date.today() + dt.timedelta(days=7)
        body = {
            "lead_unit": "CNTT",
            "supporting_units": ["VP"],
            "deadline": deadline.isoformat(),
            "handler": HANDLER,
            "note": "Đã giao đơn vị xử lý",
            "instruction": "CNTT chủ trì, VP phối hợp; báo cáo trước hạn",
        }
        other_leader = await step(app, event.inbound_id, "assign", approver("VP"), accepted, body)
        assert other_leader.status_code == 403
        assigned = await step(app, event.inbound_id, "assign", approver(), accepted, body)
        assert assigned.status_code == 200, assigned.text
        assert assigned.json()["assignment"]["handler"] == HANDLER
        assert assigned.json()["assignment"]["instruction"].startswith("CNTT chủ trì")

        # A unit's list shows what awaits its handling; another drafter is not the handler.
        mine = await app.get("/api/v1/incoming?unit=CNTT", headers=drafter())
        assert event.inbound_id in [i["id"] for i in mine.json()["items"]]
        stranger = auth(Role.DRAFTER, user="someone-else", unit="CNTT")
        refused = await step(app, event.inbound_id, "progress", stranger, assigned)
        assert refused.status_code == 403
        finish_early = await step(app, event.inbound_id, "complete", drafter(), assigned)
        assert finish_early.status_code == 409

        started = await step(app, event.inbound_id, "progress", drafter(), assigned)
        assert started.status_code == 200, started.text
        answer = (await support.create(app, doc_type="cong_van", access="internal")).json()
        done = await step(
            app,
            event.inbound_id,
            "complete",
            drafter(),
            started,
            {"answer_document_id": answer["id"], "note": "Đã trả lời"},
        )
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "completed"
        assert done.json()["answer"]["document_id"] == answer["id"]
        sent = await statuses(exchange, event.inbound_id, 4)

    assert [s["status"] for s in sent] == ["03", "04", "05", "06"]
    assert [s["incoming_version"] for s in sent] == [
        accepted.json()["version"],
        assigned.json()["version"],
        started.json()["version"],
        done.json()["version"],
    ]
    assert all(s["sender_code"] == SENDER for s in sent)
    assert sent[0]["sender_notation"] == "245/BNV-CQĐT"
    assert sent[0]["sender_document_id"] == event.sender_document_id
    assert sent[1]["note"] == "Đã giao đơn vị xử lý" and sent[3]["note"] == "Đã trả lời"
    # The leader's instruction stays inside the ministry.
    assert not any("phối hợp" in s["note"] for s in sent)

    # Closed: gone from the open list, found in the history and in the incoming register.
    open_now = await app.get("/api/v1/incoming", headers=clerk())
    assert event.inbound_id not in [i["id"] for i in open_now.json()["items"]]
    closed = await app.get("/api/v1/incoming?state=completed", headers=clerk())
    assert event.inbound_id in [i["id"] for i in closed.json()["items"]]
    year = arrival["year"]
    register = await app.get(f"/api/v1/registers/BNG/incoming/{year}", headers=clerk())
    entries = {e["inbound_id"]: e for e in register.json()["items"]}
    assert entries[event.inbound_id]["number"] == arrival["number"]
    assert entries[event.inbound_id]["sender_notation"] == "245/BNV-CQĐT"

    trail = await app.get(f"/api/v1/incoming/{event.inbound_id}/audit", headers=clerk())
    actions = [e["action"] for e in trail.json()["items"]]
    assert actions == [
        "receive",
        "attachments-fetched",
        "accept",
        "assign",
        "progress",
        "complete",
    ]
    verdict = await app.get(f"/api/v1/incoming/{event.inbound_id}/audit/verify", headers=clerk())
    assert verdict.json()["valid"] is True and verdict.json()["entries"] == 6


async def test_a_duplicate_inbound_event_makes_one_document(
    app: httpx.AsyncClient, module_suffix: str
) -> None:
    event = inbound()
    first = await produce_event(event, module_suffix, source="urn:egov:lgsp")
    await produce_event(event, module_suffix, source="urn:egov:lgsp", event_id=first)
    await produce_event(event, module_suffix, source="urn:egov:lgsp")  # a new event id too
    waiting = await until_state(app, event.inbound_id, "awaiting_registration")
    # A recall on the same key is consumed after all three duplicates.
    recall = InboundRecallRequested(
        inbound_id=event.inbound_id,
        inbound_version=2,
        sender_code=SENDER,
        reason="Gửi nhầm",
        requested_at=dt.datetime.now(dt.UTC),
    )
    await produce_event(recall, module_suffix, source="urn:egov:lgsp")

    async def recalled() -> bool:
        return bool((await read(app, event.inbound_id)).json()["recall_pending"])

    await eventually(recalled)
    cases = support.components_behind(app)
    trail = await cases.incoming.trail(CLERK, event.inbound_id)
    assert [e["action"] for e in trail] == ["receive", "recall-requested"]
    assert (await read(app, event.inbound_id)).json()["version"] == waiting.json()["version"] + 1
    # A direct redelivery changes nothing either.
    assert await cases.inbound.intake.received(event) is False


async def test_ten_clients_on_two_replicas_accept_gapless_and_rejections_use_no_number(
    topic_suffix: str,
) -> None:
    database = unique("t_documents_")
    async with (
        lgsp_files() as server,
        running_app(
            create_app, incoming_settings(topic_suffix, server, mongo_database=database)
        ) as one,
        running_app(
            create_app, incoming_settings(topic_suffix, server, mongo_database=database)
        ) as two,
    ):
        intake = support.components_behind(one).inbound.intake
        events = [inbound(f"in-{n:03d}-{unique('')}") for n in range(40)]
        for event in events:
            assert await intake.received(event)
        to_accept = [e.inbound_id for e in events[:30]]
        to_reject = [e.inbound_id for e in events[30:]]
        work = [("accept", i) for i in to_accept] + [("reject", i) for i in to_reject]
        # Every document is tried by two clients at once: one wins, one is told it is late.
        outcomes: list[int] = []

        async def client_loop(index: int) -> None:
            replica = (one, two)[index % 2]
            while work:
                action, inbound_id = work.pop()
                body = {"reason": "Không thuộc thẩm quyền"} if action == "reject" else None
                tries = await asyncio.gather(
                    *(
                        r.post(
                            f"/api/v1/incoming/{inbound_id}/{action}",
                            headers={**clerk(), "If-Match": '"1"'},
                            json=body,
                        )
                        for r in (replica, (one, two)[(index + 1) % 2])
                    )
                )
                outcomes.extend(t.status_code for t in tries)

        await asyncio.gather(*(client_loop(i) for i in range(10)))
        assert outcomes.count(200) == 40
        assert sorted(set(outcomes)) in ([200, 409, 412], [200, 412], [200, 409])
        year = (await read(one, to_accept[0])).json()["arrival"]["year"]
        numbers = await support.register_numbers(one, "incoming", year, page_size=7)
        assert numbers == list(range(1, 31))
        counter = await support.components_behind(one).counters.get(f"BNG:incoming:{year}")
        assert counter is not None and counter["last"] == 30 and counter["reservations"] == []
        for inbound_id in to_reject:
            rejected = (await read(two, inbound_id)).json()
            assert rejected["state"] == "rejected" and "arrival" not in rejected
        # Exactly one status per document, whichever replica (or both relays) could send it.
        async with TopicReader(topics.DOCUMENTS_EXCHANGE + topic_suffix) as exchange:
            await statuses(exchange, to_reject[-1], 1)
            await statuses(exchange, to_accept[-1], 1)
            sent = [
                (r.key.decode(), json.loads(r.value)["status"])
                for r in exchange.records
                if header(r, "ce_type") == STATUS_TYPE
            ]
        assert sorted(sent) == sorted(
            [(i, "03") for i in to_accept] + [(i, "02") for i in to_reject]
        )


@pytest.mark.parametrize("step_no", [1, 2, 3])
async def test_a_crash_during_acceptance_is_finished_with_one_number_and_one_status(
    topic_suffix: str, step_no: int
) -> None:
    # A short lease and grace: the crashed writer's lease expires and the sweep takes over.
    config = {"outbox_lease_s": 1.0, "recovery_grace_s": 0.5}
    async with (
        lgsp_files() as server,
        running_app(create_app, incoming_settings(topic_suffix, server, **config)) as client,
        TopicReader(topics.DOCUMENTS_EXCHANGE + topic_suffix) as exchange,
    ):
        cases = support.components_behind(client)
        crashed, other = inbound(), inbound()
        await cases.inbound.intake.received(crashed)
        await cases.inbound.intake.received(other)
        with pytest.MonkeyPatch.context() as patch:
            crash_after_acceptance_step(patch, cases, step_no)
            with pytest.raises(support.InjectedCrash):
                await cases.incoming.accept(CLERK, crashed.inbound_id, 1, "")
        # Another clerk goes on registering while the crashed one is pending.
        after = await step(
            client, other.inbound_id, "accept", clerk(), await read(client, other.inbound_id)
        )
        assert after.status_code == 200, after.text
        await cases.recovery.recover(grace_s=0)
        recovered = (await read(client, crashed.inbound_id)).json()
        assert recovered["state"] == "accepted"
        numbers = sorted([recovered["arrival"]["number"], after.json()["arrival"]["number"]])
        assert numbers == [1, 2]
        sent = await statuses(exchange, crashed.inbound_id, 1)
        assert [s["status"] for s in sent] == ["03"]
        assert (await cases.incoming.verify(CLERK, crashed.inbound_id)).valid


def crash_after_acceptance_step(
    patch: pytest.MonkeyPatch, cases: DocumentsComponents, step_no: int
) -> None:
    """1 marked registering, 2 number reserved, 3 document written (nothing published)."""

    async def dies(*_: Any, **__: Any) -> Any:
        raise support.InjectedCrash("the process died here")

    if step_no == 1:
        patch.setattr(cases.counters, "reserve", dies)
    if step_no == 2:
        reserve = cases.counters.reserve

        async def reserve_then_die(*args: Any, **kwargs: Any) -> Any:
            await reserve(*args, **kwargs)
            raise support.InjectedCrash("the process died after reserving")

        patch.setattr(cases.counters, "reserve", reserve_then_die)
    if step_no == 3:
        patch.setattr(cases.counters, "clear", dies)
        patch.setattr(cases.inbound.relay, "publish_written", dies)


async def test_classified_incoming_documents_are_seen_only_with_clearance(
    app: httpx.AsyncClient, module_suffix: str
) -> None:
    secret = inbound(confidentiality=Confidentiality.MAT)
    await produce_event(secret, module_suffix, source="urn:egov:lgsp")
    cleared = clerk(Confidentiality.MAT)
    waiting = await until_state(app, secret.inbound_id, "awaiting_registration")
    low = clerk(Confidentiality.THUONG)
    assert (await read(app, secret.inbound_id, low)).status_code == 404
    listed = await app.get("/api/v1/incoming", headers=low)
    assert secret.inbound_id not in [i["id"] for i in listed.json()["items"]]
    listed = await app.get("/api/v1/incoming", headers=cleared)
    assert secret.inbound_id in [i["id"] for i in listed.json()["items"]]
    trail = await app.get(f"/api/v1/incoming/{secret.inbound_id}/audit", headers=low)
    assert trail.status_code == 404
    refused = await step(app, secret.inbound_id, "accept", low, waiting)
    assert refused.status_code == 404
    async with TopicReader(topics.DOCUMENTS_EXCHANGE + module_suffix) as exchange:
        accepted = await step(app, secret.inbound_id, "accept", cleared, waiting)
        assert accepted.status_code == 200, accepted.text
        sent = await statuses(exchange, secret.inbound_id, 1)
    # The sender is told the status, and nothing of the content.
    assert [s["status"] for s in sent] == ["03"]
    raw = json.dumps(sent, ensure_ascii=False)
    assert secret.header.subject not in raw and "Nội dung" not in raw
    trail = await app.get(f"/api/v1/incoming/{secret.inbound_id}/audit", headers=cleared)
    assert "read" in [e["action"] for e in trail.json()["items"]]  # reads are audited
