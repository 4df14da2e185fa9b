"""edXML partners receive signed QCVN 102:2016 messages; JSON partners still get JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
from standardwebhooks import Webhook

from services.lgsp.app import create_app
from services.lgsp.domain.edxml import (
    BusinessDocType,
    EdxmlDocument,
    EdxmlStatus,
    parse_message,
    to_bytes,
    write_status,
)
from services.lgsp.services.xml_signatures import XmlSigner, verify_signature
from shared.contracts.events import IncomingStatusChanged
from shared.contracts.vocabulary import SignatureVerdict, Urgency
from tests.integration.lgsp.support import ADMIN, Receipt, lgsp_settings, partner_server, register
from tests.support.kafka import eventually, produce_event
from tests.support.services import running_app
from tests.unit.lgsp.factories import claim_check, dispatched, recalled

G22, H26 = "000.00.00.G22", "000.00.00.H26"
MINISTRY = "000.00.00.G06"


async def edxml_partner(client: httpx.AsyncClient, code: str, url: str) -> tuple[str, str, str]:
    body = {"code": code, "name": f"Sở {code}", "webhook_url": url, "format": "edxml"}
    created = await client.post("/api/v1/partners", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["format"] == "edxml"
    key = (await client.post(f"/api/v1/partners/{view['id']}/keys", headers=ADMIN)).json()
    return view["id"], key["api_key"], view["webhook_secret"]


def webhook_signed(receipt: Receipt, secret: str) -> bool:
    """The Standard Webhooks signature of the raw body, as for JSON deliveries."""
    headers = receipt.headers
    stamp = dt.datetime.fromtimestamp(int(headers["webhook-timestamp"]), dt.UTC)
    expected = Webhook(secret).sign(headers["webhook-id"], stamp, receipt.body.decode())
    return expected.split(",", 1)[1] in [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split()
    ]


async def _true(value: bool) -> bool:
    return value


async def test_an_edxml_partner_receives_signed_edxml_and_a_json_partner_json(
    topic_suffix: str,
) -> None:
    async with partner_server() as srv:
        pdf = b"%PDF-1.7 cong van gui so"
        attachment = claim_check(pdf)
        srv.files[attachment.sha256] = pdf
        settings = lgsp_settings(topic_suffix, documents_url=srv.base)
        ministry_certificate = XmlSigner(settings).certificate_pem
        async with running_app(create_app, settings) as client:
            _, edxml_key, edxml_secret = await edxml_partner(client, G22, srv.url("edxml"))
            _, _, json_secret = await register(client, H26, webhook_url=srv.url("json"))
            sent = dispatched([G22, H26], attachments=[attachment], urgency=Urgency.KHAN)
            event_id = await produce_event(sent, topic_suffix)

            await eventually(
                lambda: _true(len(srv.delivered("edxml")) == 1 and len(srv.delivered("json")) == 1)
            )
            [receipt] = srv.delivered("edxml")
            assert receipt.headers["content-type"] == "application/xml"
            assert receipt.headers["webhook-id"] == event_id
            assert webhook_signed(receipt, edxml_secret)
            verdict, _ = verify_signature(receipt.body, [ministry_certificate])
            assert verdict is SignatureVerdict.VALID
            message = parse_message(receipt.body)
            assert isinstance(message, EdxmlDocument)
            h = message.header
            assert h.from_organ_id == MINISTRY and h.to_organ_ids == [G22, H26]
            assert (h.code_number, h.code_notation) == ("1637", "QĐ-BNG")
            assert h.promulgation_date == sent.document.issue_date
            assert h.document_type == "quyet_dinh" and h.priority is Urgency.KHAN
            assert h.subject == sent.document.subject
            assert [hop.organ_id for hop in h.trace] == [MINISTRY]
            assert message.sender_document_id == f"{MINISTRY},2025/03/01,1637/QĐ-BNG"
            assert message.business_doc_type is BusinessDocType.NEW
            [file] = message.attachments
            assert (file.name, file.data) == (attachment.name, pdf)
            assert message.to_places == (f"Sở {G22}", f"Agency {H26}")

            # The JSON partner's delivery is unchanged.
            assert json_secret is not None
            [payload] = srv.verified("json", json_secret)
            assert payload["type"] == "gov.egov.document.dispatched.v1"
            assert srv.delivered("json")[0].headers["content-type"] == "application/json"

            # The receiver answers in edXML, naming the document by the DocumentId it got.
            answer = EdxmlStatus(
                from_organ_id=G22,
                from_organ_name=f"Sở {G22}",
                response_for_organ_id=MINISTRY,
                response_for_code="1637/QĐ-BNG",
                response_for_promulgation_date=sent.document.issue_date,
                response_for_document_id=message.sender_document_id,
                status_code="03",
                description="Đã vào sổ văn bản đến",
                timestamp=dt.datetime.now(dt.UTC),
            )
            recorded = await client.post(
                "/api/v1/inbound",
                content=to_bytes(write_status(answer)),
                headers={"X-API-Key": edxml_key, "Content-Type": "application/xml"},
            )
            assert recorded.status_code == 200, recorded.text
            assert recorded.json()["document_id"] == sent.document_id
            assert recorded.json()["receiver_status"] == "03"

            # A recall names the same document with BussinessDocType 1.
            await produce_event(recalled(sent.document_id, [G22]), topic_suffix)
            await eventually(lambda: _true(len(srv.delivered("edxml")) == 2))
            revoke = parse_message(srv.delivered("edxml")[1].body)
            assert isinstance(revoke, EdxmlDocument)
            assert revoke.business_doc_type is BusinessDocType.REVOKE
            assert revoke.sender_document_id == message.sender_document_id
            assert revoke.business_reason == "Sai sót" and revoke.attachments == ()

            # The handling status of a document G22 sent in: an edXML status message.
            status_in = IncomingStatusChanged(
                inbound_id="in-7",
                incoming_version=2,
                sender_code=G22,
                sender_document_id=f"{G22},2026/11/20,12/UBND-VP",
                sender_notation="12/UBND-VP",
                promulgation_date=dt.date(2026, 11, 20),
                status="05",
                changed_at=dt.datetime(2026, 11, 21, 1, 2, 3, tzinfo=dt.UTC),
            )
            await produce_event(status_in, topic_suffix)
            await eventually(lambda: _true(len(srv.delivered("edxml")) == 3))
            body = srv.delivered("edxml")[2].body
            assert verify_signature(body, [ministry_certificate])[0] is SignatureVerdict.VALID
            status = parse_message(body)
            assert isinstance(status, EdxmlStatus)
            assert status.from_organ_id == MINISTRY
            assert status.response_for_organ_id == G22
            assert status.response_for_code == "12/UBND-VP"
            assert status.response_for_promulgation_date == dt.date(2026, 11, 20)
            assert status.response_for_document_id == f"{G22},2026/11/20,12/UBND-VP"
            assert status.status_code == "05" and status.description == "Đang xử lý văn bản đến"
            assert status.timestamp == status_in.changed_at


async def test_an_edxml_partner_without_a_webhook_reads_its_inbox_as_edxml(
    topic_suffix: str,
) -> None:
    async with partner_server() as srv:
        settings = lgsp_settings(topic_suffix, documents_url=srv.base)
        ministry_certificate = XmlSigner(settings).certificate_pem
        async with running_app(create_app, settings) as client:
            created = await client.post(
                "/api/v1/partners",
                json={"code": G22, "name": "Sở G22", "format": "edxml"},
                headers=ADMIN,
            )
            pid = created.json()["id"]
            key = (await client.post(f"/api/v1/partners/{pid}/keys", headers=ADMIN)).json()
            headers = {"X-API-Key": key["api_key"]}
            sent = dispatched([G22])
            await produce_event(sent, topic_suffix)

            async def items() -> list[dict[str, Any]]:
                found: list[dict[str, Any]] = (
                    await client.get("/api/v1/inbox", headers=headers)
                ).json()["items"]
                return found

            [item] = await eventually(items)
            assert item["format"] == "edxml" and "payload" not in item
            got = await client.get(item["content_url"], headers=headers)
            assert got.status_code == 200, got.text
            assert got.headers["content-type"] == "application/xml"
            assert (
                verify_signature(got.content, [ministry_certificate])[0] is SignatureVerdict.VALID
            )
            message = parse_message(got.content)
            assert isinstance(message, EdxmlDocument) and message.header.to_organ_ids == [G22]
            # Nobody else's item, and acknowledging works as for JSON.
            other = await client.get("/api/v1/inbox/nope/edxml", headers=headers)
            assert other.status_code == 404
            acked = await client.post(f"/api/v1/inbox/{item['delivery_id']}/ack", headers=headers)
            assert acked.json()["state"] == "delivered"
            assert (
                json.loads((await client.get("/api/v1/inbox", headers=headers)).text)["items"] == []
            )
