"""Documents sent in as JSON, on the real Kafka and FerretDB: the receipt, exactly one
``inbound.received`` with claim checks, the files for the documents service, statuses back
to the sender, recalls, and every refusal leaving nothing behind."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.lgsp.app import create_app
from services.lgsp.settings import Settings
from shared.auth.principal import Role
from shared.contracts.events import (
    InboundRecallRequested,
    InboundReceived,
    IncomingStatusChanged,
)
from shared.contracts.topics import LGSP_INBOUND
from shared.contracts.vocabulary import MessageFormat, SignatureVerdict
from tests.integration.lgsp.support import ADMIN, lgsp_settings, partner_server, register
from tests.support.kafka import TopicReader, eventually, header, produce_event
from tests.support.services import auth, running_app

G22, H26 = "000.00.00.G22", "000.00.00.H26"
MINISTRY = "000.00.00.G06"  # the default EGOV_LGSP_ORGANISATION_CODE
PDF = b"%PDF-1.7 cong van so 245"
DOCUMENTS = auth(Role.SERVICE_DOCUMENTS, audience=("lgsp",))
PORTAL = auth(Role.SERVICE_PORTAL, audience=("lgsp",))


def message(
    document_id: str = "000.00.00.G22,2025/06/01,245/BNV-CQĐT",
    *,
    sender: str = G22,
    to: tuple[str, ...] = (MINISTRY,),
    attachments: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "header": {
            "from_organ_id": sender,
            "from_organ_name": "Bộ Nội vụ",
            "to_organ_ids": list(to),
            "code_number": "245",
            "code_notation": "BNV-CQĐT",
            "promulgation_place": "Hà Nội",
            "promulgation_date": "2025-06-01",
            "document_type": "cong_van",
            "subject": "Về việc phối hợp triển khai nền tảng chia sẻ dữ liệu",
            "signer": {"position": "Thứ trưởng", "full_name": "Nguyễn Văn A"},
            "priority": "khan",
        },
        "body": "Kính gửi Bộ Ngoại giao",
        "attachments": attachments
        if attachments is not None
        else [
            {
                "name": "245-BNV.pdf",
                "media_type": "application/pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }


async def inbound_events(reader: TopicReader, seconds: float = 1.0) -> list[dict[str, Any]]:
    await reader.poll(seconds)
    return [
        {"type": header(r, "ce_type"), "subject": header(r, "ce_subject"), **json.loads(r.value)}
        for r in reader.records
    ]


async def stored(mongo: AsyncMongoClient[dict[str, Any]], settings: Settings) -> dict[str, int]:
    """How many records of documents sent in, and of their files, the database holds."""
    db = mongo[settings.database_name()]
    return {
        name: await db[name].count_documents({})
        for name in ("inbound", "inbound_files.content", "inbound_files.content_chunks")
    }


async def test_a_json_document_is_received_once_with_files_for_the_documents_service(
    topic_suffix: str,
) -> None:
    settings = lgsp_settings(topic_suffix)
    async with (
        running_app(create_app, settings) as client,
        TopicReader(LGSP_INBOUND + topic_suffix) as reader,
    ):
        _, key, _ = await register(client, G22)
        partner = {"X-API-Key": key}
        sent = await client.post("/api/v1/inbound", json=message(), headers=partner)
        assert sent.status_code == 201, sent.text
        receipt = sent.json()
        inbound_id = receipt["inbound_id"]
        assert receipt["status"] == "01"
        assert receipt["signature_verdict"] == "unsigned"
        assert sent.headers["location"] == f"/api/v1/inbound/{inbound_id}"
        sha = hashlib.sha256(PDF).hexdigest()
        [attachment] = receipt["attachments"]
        assert attachment["sha256"] == sha and attachment["size"] == len(PDF)

        await reader.wait_for(1)
        [record] = reader.records
        assert header(record, "ce_type") == "gov.egov.inbound.received.v1"
        assert header(record, "ce_subject") == inbound_id and record.key == inbound_id.encode()
        event = InboundReceived.model_validate_json(record.value)
        assert event.inbound_id == inbound_id and event.inbound_version == 1
        assert event.sender_code == G22
        assert event.sender_document_id == message()["document_id"]
        assert event.message_format is MessageFormat.JSON
        assert event.signature_verdict is SignatureVerdict.UNSIGNED
        assert event.header.to_organ_ids == [MINISTRY]
        assert event.body == "Kính gửi Bộ Ngoại giao"
        [claim] = event.attachments
        assert claim.sha256 == sha and claim.fetch_path == f"/api/v1/inbound-files/{sha}"

        # The claim check: the documents service's account only.
        got = await client.get(claim.fetch_path, headers=DOCUMENTS)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert (await client.get(claim.fetch_path, headers=PORTAL)).status_code == 403
        assert (await client.get(claim.fetch_path, headers=partner)).status_code == 401
        assert (await client.get(claim.fetch_path)).status_code == 401
        missing = f"/api/v1/inbound-files/{'0' * 64}"
        assert (await client.get(missing, headers=DOCUMENTS)).status_code == 404

        # A resend: the same receipt, nothing published again.
        again = await client.post("/api/v1/inbound", json=message(), headers=partner)
        assert again.status_code == 200, again.text
        assert again.json() == receipt
        assert len(await inbound_events(reader, 2.0)) == 1

        view = await client.get(f"/api/v1/inbound/{inbound_id}", headers=partner)
        assert view.status_code == 200
        assert [s["status"] for s in view.json()["statuses"]] == ["01"]
        assert view.json()["notation"] == "245/BNV-CQĐT"


async def test_two_replicas_receiving_the_same_message_at_once_publish_it_once(
    topic_suffix: str,
) -> None:
    settings = lgsp_settings(topic_suffix)
    async with (
        running_app(create_app, settings) as one,
        running_app(create_app, settings) as two,
        TopicReader(LGSP_INBOUND + topic_suffix) as reader,
    ):
        _, key, _ = await register(one, G22)
        partner = {"X-API-Key": key}
        for n in range(3):
            body = message(f"{G22},2025/06/01,{n}/BNV")
            answers = await asyncio.gather(
                one.post("/api/v1/inbound", json=body, headers=partner),
                two.post("/api/v1/inbound", json=body, headers=partner),
            )
            assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
            assert answers[0].json()["inbound_id"] == answers[1].json()["inbound_id"]
        await reader.wait_for(3)
        events = await inbound_events(reader, 2.0)
        assert len(events) == 3
        assert len({e["inbound_id"] for e in events}) == 3


async def test_refused_messages_leave_nothing_published_or_stored(
    topic_suffix: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = lgsp_settings(topic_suffix, max_inbound_bytes=4096, max_file_bytes=1024)
    async with (
        running_app(create_app, settings) as client,
        TopicReader(LGSP_INBOUND + topic_suffix) as reader,
    ):
        pid, key, _ = await register(client, G22)
        partner = {"X-API-Key": key}

        async def post(body: Any, **headers: str) -> httpx.Response:
            return await client.post("/api/v1/inbound", json=body, headers={**partner, **headers})

        # The sender named is not the caller: 403, naming both.
        other = await post(message(sender=H26))
        assert other.status_code == 403, other.text
        assert H26 in other.json()["detail"] and G22 in other.json()["detail"]
        # Not addressed to the ministry.
        elsewhere = await post(message(to=("000.00.00.H26",)))
        assert elsewhere.status_code == 422
        assert elsewhere.json()["errors"][0]["field"] == "header.to_organ_ids"
        # Base64 that does not decode: 422 naming the attachment.
        broken = [{"name": "a.pdf", "media_type": "application/pdf", "content_base64": "%%%"}]
        bad = await post(message(attachments=broken))
        assert bad.status_code == 422
        assert "attachment 1 (a.pdf)" in bad.json()["detail"]
        assert bad.json()["errors"][0]["field"] == "attachments.0.content_base64"
        # An attachment over the file limit, a message over the request limit.
        big = base64.b64encode(b"x" * 2000).decode()
        large = [{"name": "big.pdf", "media_type": "application/pdf", "content_base64": big}]
        too_big_file = await post(message(attachments=large))
        assert too_big_file.status_code == 413, too_big_file.text
        assert "big.pdf" in too_big_file.json()["detail"]
        huge = [{"name": "h.pdf", "media_type": "application/pdf", "content_base64": "A" * 8000}]
        too_big = await post(message(attachments=huge))
        assert too_big.status_code == 413
        assert too_big.json()["detail"] == "a message sent in is limited to 4096 bytes"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b" " * 1000  # no Content-Length: counted as it streams

        streamed = await client.post(
            "/api/v1/inbound",
            content=chunks(),
            headers={**partner, "Content-Type": "application/json"},
        )
        assert streamed.status_code == 413
        # Not JSON, not a known format, not the schema.
        malformed = await client.post(
            "/api/v1/inbound",
            content=b"{not json",
            headers={**partner, "Content-Type": "application/json"},
        )
        assert malformed.status_code == 422
        unknown = await client.post(
            "/api/v1/inbound", content=b"x", headers={**partner, "Content-Type": "text/plain"}
        )
        assert unknown.status_code == 415
        incomplete = message()
        del incomplete["header"]["subject"]
        missing = await post(incomplete)
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "header.subject"
        # No key, a revoked key.
        assert (await client.post("/api/v1/inbound", json=message())).status_code == 401
        keys = (await client.get(f"/api/v1/partners/{pid}/keys", headers=ADMIN)).json()
        key_id = keys["items"][0]["key_id"]
        revoked = await client.delete(f"/api/v1/partners/{pid}/keys/{key_id}", headers=ADMIN)
        assert revoked.status_code == 204, revoked.text
        assert (await post(message())).status_code == 401

        assert await inbound_events(reader, 2.0) == []
        assert await stored(mongo, settings) == {
            "inbound": 0,
            "inbound_files.content": 0,
            "inbound_files.content_chunks": 0,
        }
        # The message log records every refusal of a known partner, with its reason; the
        # API key never appears in it.
        logged = await client.get(
            "/api/v1/message-log",
            params={"partner": G22, "direction": "in", "limit": 50, "with_body": "true"},
            headers=ADMIN,
        )
        assert logged.status_code == 200, logged.text
        outcomes = [e["outcome"] for e in logged.json()["items"]]
        assert len(outcomes) == 9 and all(o.startswith("refused: ") for o in outcomes)
        assert any("limited to 4096 bytes" in o for o in outcomes)
        assert any("attachment 1 (a.pdf)" in o for o in outcomes)
        assert key not in logged.text


def status_event(inbound_id: str, version: int, status: str, note: str = "") -> Any:
    return IncomingStatusChanged(
        inbound_id=inbound_id,
        incoming_version=version,
        sender_code=G22,
        sender_document_id=message()["document_id"],
        sender_notation="245/BNV-CQĐT",
        promulgation_date=dt.date(2025, 6, 1),
        status=status,  # type: ignore[arg-type]
        note=note,
        changed_at=dt.datetime.now(dt.UTC),
    )


async def test_statuses_go_back_to_the_sender_and_are_listed(topic_suffix: str) -> None:
    async with partner_server() as srv:
        settings = lgsp_settings(topic_suffix)
        async with running_app(create_app, settings) as client:
            _, key, secret = await register(client, G22, webhook_url=srv.url("g22"))
            _, pull_key, _ = await register(client, H26)  # reads its inbox
            partner, puller = {"X-API-Key": key}, {"X-API-Key": pull_key}
            sent = await client.post("/api/v1/inbound", json=message(), headers=partner)
            inbound_id = sent.json()["inbound_id"]
            pulled = await client.post(
                "/api/v1/inbound", json=message(f"{H26},1", sender=H26), headers=puller
            )
            pulled_id = pulled.json()["inbound_id"]

            accepted = status_event(inbound_id, 2, "03", "Đã vào sổ đến số 12")
            await produce_event(accepted, topic_suffix)
            await produce_event(accepted, topic_suffix)  # a redelivery changes nothing
            await produce_event(status_event(inbound_id, 3, "04"), topic_suffix)
            h26_status = status_event(pulled_id, 2, "02", "Không đúng thẩm quyền")
            await produce_event(h26_status.model_copy(update={"sender_code": H26}), topic_suffix)

            # By webhook, as JSON, to the sender only.
            await eventually(lambda: _count(srv.delivered("g22"), 3))
            assert secret is not None
            payloads = srv.verified("g22", secret)
            assert {p["type"] for p in payloads} == {"gov.egov.incoming.status_changed.v1"}
            assert sorted(p["data"]["status"] for p in payloads) == ["03", "03", "04"]
            assert {p["subject"] for p in payloads} == {inbound_id}

            async def listed() -> list[str]:
                view = await client.get(f"/api/v1/inbound/{inbound_id}", headers=partner)
                return [s["status"] for s in view.json()["statuses"]]

            await eventually(lambda: _equal(listed(), ["01", "03", "04"]))
            view = (await client.get(f"/api/v1/inbound/{inbound_id}", headers=partner)).json()
            assert view["status"] == "04"
            assert view["statuses"][1]["note"] == "Đã vào sổ đến số 12"
            assert view["statuses"][1]["by"] == "ministry"

            # In the inbox of a sender without a webhook.
            async def inbox() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await client.get("/api/v1/inbox", headers=puller)
                ).json()["items"]
                return items

            [item] = await eventually(inbox)
            assert item["event_type"] == "incoming.status_changed"
            assert item["payload"]["data"]["status"] == "02"
            assert item["payload"]["subject"] == pulled_id

            # Nobody sees another agency's documents.
            other = await client.get(f"/api/v1/inbound/{inbound_id}", headers=puller)
            assert other.status_code == 404
            unknown = await client.get("/api/v1/inbound/in-nothing", headers=partner)
            assert unknown.status_code == 404


async def test_a_recall_is_published_once_per_open_request(topic_suffix: str) -> None:
    settings = lgsp_settings(topic_suffix)
    async with (
        running_app(create_app, settings) as client,
        TopicReader(LGSP_INBOUND + topic_suffix) as reader,
    ):
        _, key, _ = await register(client, G22)
        _, other_key, _ = await register(client, H26)
        partner = {"X-API-Key": key}
        inbound_id = (await client.post("/api/v1/inbound", json=message(), headers=partner)).json()[
            "inbound_id"
        ]
        path = f"/api/v1/inbound/{inbound_id}/recall"

        assert (await client.post(path, json={"reason": ""}, headers=partner)).status_code == 422
        stranger = await client.post(path, json={"reason": "x"}, headers={"X-API-Key": other_key})
        assert stranger.status_code == 404
        first, second = await asyncio.gather(
            client.post(path, json={"reason": "Gửi nhầm"}, headers=partner),
            client.post(path, json={"reason": "Gửi nhầm"}, headers=partner),
        )
        assert sorted([first.status_code, second.status_code]) == [202, 409]
        done = first if first.status_code == 202 else second
        assert done.json()["recall"] == "pending"
        assert [s["status"] for s in done.json()["statuses"]] == ["01", "13"]

        await reader.wait_for(2)
        events = await inbound_events(reader, 2.0)
        assert [e["type"] for e in events] == [
            "gov.egov.inbound.received.v1",
            "gov.egov.inbound.recall_requested.v1",
        ]
        recall = InboundRecallRequested.model_validate(
            {k: v for k, v in events[1].items() if k not in ("type", "subject")}
        )
        assert recall.inbound_id == inbound_id and recall.inbound_version == 2
        assert recall.reason == "Gửi nhầm" and recall.sender_code == G22

        # Refused (16): the sender may ask again; accepted (15): no more.
        await produce_event(status_event(inbound_id, 3, "16"), topic_suffix)

        async def recall_state() -> str | None:
            view = await client.get(f"/api/v1/inbound/{inbound_id}", headers=partner)
            state: str | None = view.json()["recall"]
            return state

        await eventually(lambda: _equal(recall_state(), "refused"))
        again = await client.post(path, json={"reason": "Lần hai"}, headers=partner)
        assert again.status_code == 202, again.text
        await produce_event(status_event(inbound_id, 4, "15"), topic_suffix)
        await eventually(lambda: _equal(recall_state(), "accepted"))
        closed = await client.post(path, json={"reason": "Lần ba"}, headers=partner)
        assert closed.status_code == 409
        assert closed.json()["recall"] == "accepted"

        await reader.wait_for(3)
        events = await inbound_events(reader, 2.0)
        assert [e["type"].split(".")[3] for e in events] == [
            "received",
            "recall_requested",
            "recall_requested",
        ]
        assert [e["inbound_version"] for e in events] == [1, 2, 3]


async def _count(items: list[Any], n: int) -> bool:
    return len(items) >= n


async def _equal(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def test_a_document_too_large_to_pass_on_is_refused_before_anything_is_stored(
    topic_suffix: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Its text fits the contract's length in characters but not the broker's largest record
    in bytes: refused at once (413) rather than told "arrived" and stuck in the outbox."""
    settings = lgsp_settings(topic_suffix)
    async with running_app(create_app, settings) as client:
        _, key, _ = await register(client, G22)
        long_text = message()
        long_text["body"] = "ệ" * 450_000  # within 500,000 characters, 1.35 MB of UTF-8
        sent = await client.post("/api/v1/inbound", json=long_text, headers={"X-API-Key": key})
        assert sent.status_code == 413, sent.text
        assert "send long texts as attachments" in sent.json()["detail"]
        assert await stored(mongo, settings) == {
            "inbound": 0,
            "inbound_files.content": 0,
            "inbound_files.content_chunks": 0,
        }
