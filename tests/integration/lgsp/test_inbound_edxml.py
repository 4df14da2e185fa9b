"""Documents sent in as edXML, on the real Kafka and FerretDB: through to the topic with the
signature's verdict, recalls by BussinessDocType 1, and hostile XML refused with nothing
stored or published."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.lgsp.app import create_app
from services.lgsp.domain.edxml import (
    BusinessDocType,
    EdxmlAttachment,
    EdxmlDocument,
    EdxmlStatus,
    to_bytes,
    write_document,
    write_status,
)
from services.lgsp.services.xml_signatures import XmlSigner
from shared.auth.principal import Role
from shared.contracts.events import EdxmlHeader, EdxmlSigner, InboundReceived
from shared.contracts.topics import LGSP_INBOUND
from shared.contracts.vocabulary import MessageFormat, SignatureVerdict
from tests.integration.lgsp.support import ADMIN, deliveries, lgsp_settings, register
from tests.support.certificates import pkcs8_pem, rsa_key, self_signed_pem
from tests.support.kafka import TopicReader, eventually, header, produce_event
from tests.support.services import auth, running_app
from tests.unit.lgsp.factories import dispatched

G22 = "000.00.00.G22"
MINISTRY = "000.00.00.G06"
PDF = b"%PDF-1.7 cong van 245 ban edXML"
XML = {"Content-Type": "application/xml"}
DOCUMENTS = auth(Role.SERVICE_DOCUMENTS, audience=("lgsp",))


def partner_key(folder: Path) -> tuple[Path, Path, str]:
    """An RSA key and a self-signed certificate of the sending agency, as files."""
    key = rsa_key()
    pem = self_signed_pem(key, f"{G22} Bộ Nội vụ")
    key_file, cert_file = folder / "g22.key", folder / "g22.pem"
    key_file.write_bytes(pkcs8_pem(key))
    cert_file.write_bytes(pem)
    return key_file, cert_file, pem.decode()


def document(
    number: str = "245",
    *,
    business: BusinessDocType = BusinessDocType.NEW,
    reason: str = "",
    to: tuple[str, ...] = (MINISTRY,),
) -> EdxmlDocument:
    promulgated = dt.date(2025, 6, 1)
    return EdxmlDocument(
        header=EdxmlHeader(
            from_organ_id=G22,
            from_organ_name="Bộ Nội vụ",
            to_organ_ids=list(to),
            code_number=number,
            code_notation="BNV-CQĐT",
            promulgation_place="Hà Nội",
            promulgation_date=promulgated,
            document_type="cong_van",
            subject="Về việc phối hợp triển khai nền tảng chia sẻ dữ liệu",
            signer=EdxmlSigner(position="Thứ trưởng", full_name="Nguyễn Văn A"),
        ),
        sender_document_id=f"{G22},2025/06/01,{number}/BNV-CQĐT",
        content="Kính gửi Bộ Ngoại giao",
        business_doc_type=business,
        business_reason=reason,
        attachments=(EdxmlAttachment("cid:1", "245-BNV.pdf", "application/pdf", "", PDF),),
        to_places=(),
        staff={},
    )


async def events_of(reader: TopicReader, seconds: float = 1.0) -> list[dict[str, Any]]:
    await reader.poll(seconds)
    return [{"type": header(r, "ce_type"), **json.loads(r.value)} for r in reader.records]


async def test_edxml_documents_reach_the_topic_with_the_verdict_of_their_signature(
    topic_suffix: str, tmp_path: Path
) -> None:
    key_file, cert_file, pem = partner_key(tmp_path)
    signer = XmlSigner(
        lgsp_settings(topic_suffix, edxml_key_file=str(key_file), edxml_cert_file=str(cert_file))
    )
    settings = lgsp_settings(topic_suffix)
    async with (
        running_app(create_app, settings) as client,
        TopicReader(LGSP_INBOUND + topic_suffix) as reader,
    ):
        pid, key, _ = await register(client, G22)
        partner = {"X-API-Key": key, **XML}

        async def send(body: bytes) -> httpx.Response:
            return await client.post("/api/v1/inbound", content=body, headers=partner)

        # Signed, but no certificate registered yet: received, verdict unknown_certificate.
        early = await send(signer.sign(write_document(document("244"))))
        assert early.status_code == 201, early.text
        assert early.json()["signature_verdict"] == "unknown_certificate"

        added = await client.post(
            f"/api/v1/partners/{pid}/certificates", json={"pem": pem}, headers=ADMIN
        )
        assert added.status_code == 201, added.text
        signed = signer.sign(write_document(document("245")))
        sent = await send(signed)
        assert sent.status_code == 201, sent.text
        receipt = sent.json()
        assert receipt["status"] == "01" and receipt["signature_verdict"] == "valid"
        assert (await send(signed)).json() == receipt  # a resend: same receipt

        unsigned = await send(to_bytes(write_document(document("246"))))
        assert unsigned.json()["signature_verdict"] == "unsigned"
        tampered = signer.sign(write_document(document("247"))).replace(
            "phối hợp".encode(), "không phối hợp".encode()
        )
        forged = await send(tampered)
        assert forged.status_code == 201, forged.text  # staff decide, the document is kept
        assert forged.json()["signature_verdict"] == "invalid"

        await reader.wait_for(4)
        events = [InboundReceived.model_validate_json(r.value) for r in await reader.poll(2.0)]
        events.sort(key=lambda e: e.header.code_number)  # one partition per document
        assert [(e.header.code_number, e.signature_verdict) for e in events] == [
            ("244", SignatureVerdict.UNKNOWN_CERTIFICATE),
            ("245", SignatureVerdict.VALID),
            ("246", SignatureVerdict.UNSIGNED),
            ("247", SignatureVerdict.INVALID),
        ]
        valid = events[1]
        assert valid.inbound_id == receipt["inbound_id"]
        assert valid.message_format is MessageFormat.EDXML
        assert valid.sender_document_id == f"{G22},2025/06/01,245/BNV-CQĐT"
        assert valid.body == "Kính gửi Bộ Ngoại giao"
        [claim] = valid.attachments
        assert claim.sha256 == hashlib.sha256(PDF).hexdigest() and claim.attachment_id == "1"
        assert (await client.get(claim.fetch_path, headers=DOCUMENTS)).content == PDF

        # BussinessDocType 1 naming document 245: a recall of it, once.
        revoke = document("245", business=BusinessDocType.REVOKE, reason="Gửi nhầm")
        recalled = await send(to_bytes(write_document(revoke)))
        assert recalled.status_code == 202, recalled.text
        assert recalled.json()["inbound_id"] == receipt["inbound_id"]
        assert recalled.json()["recall"] == "pending"
        again = await send(to_bytes(write_document(revoke)))
        assert again.status_code == 409
        # An update of a document already received cannot be taken for a resend.
        update = document("246", business=BusinessDocType.UPDATE)
        assert (await send(to_bytes(write_document(update)))).status_code == 409
        # A revocation of something never sent.
        unknown = document("999", business=BusinessDocType.REVOKE, reason="x")
        assert (await send(to_bytes(write_document(unknown)))).status_code == 404

        kinds = [e["type"] for e in await events_of(reader, 2.0)]
        assert kinds.count("gov.egov.inbound.recall_requested.v1") == 1
        assert len(kinds) == 5


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>&xxe;</edXMLEnvelope></edXML>
"""
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>'
)


async def test_hostile_or_broken_xml_is_refused_and_leaves_nothing_behind(
    topic_suffix: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = lgsp_settings(topic_suffix)
    async with (
        running_app(create_app, settings) as client,
        TopicReader(LGSP_INBOUND + topic_suffix) as reader,
    ):
        _, key, _ = await register(client, G22)
        partner = {"X-API-Key": key, "Content-Type": "text/xml; charset=utf-8"}
        good = to_bytes(write_document(document()))
        wrong_namespace = good.replace(b"http://www.mic.gov.vn/TBT/QCVN_102_2016", b"urn:other")
        no_subject = good.replace(b"edXML:Subject>", b"edXML:Subjec>")
        broken_base64 = good.replace(base64.b64encode(PDF), b"@@not-base64@@")
        elsewhere = to_bytes(write_document(document(to=("000.00.00.H26",))))
        cases = {
            "external entity": (XXE, 422, "DOCTYPE"),
            "entity expansion": (LAUGHS, 422, "DOCTYPE"),
            "malformed": (b"<edXML><unclosed></edXML>", 422, "well-formed"),
            "wrong namespace": (wrong_namespace, 422, "namespace"),
            "missing element": (no_subject, 422, "Subject"),
            "bad base64": (broken_base64, 422, "base64"),
            "not addressed to us": (elsewhere, 422, MINISTRY),
        }
        for name, (body, status, words) in cases.items():
            answer = await client.post("/api/v1/inbound", content=body, headers=partner)
            assert answer.status_code == status, (name, answer.text)
            assert answer.headers["content-type"] == "application/problem+json", name
            assert words in answer.json()["detail"], (name, answer.json()["detail"])

        assert await events_of(reader, 2.0) == []
        db = mongo[settings.database_name()]
        for collection in ("inbound", "inbound_files.content", "inbound_files.content_chunks"):
            assert await db[collection].count_documents({}) == 0, collection


async def test_an_edxml_status_message_is_recorded_as_a_receivers_status(
    topic_suffix: str,
) -> None:
    settings = lgsp_settings(topic_suffix)
    async with running_app(create_app, settings) as client:
        _, key, _ = await register(client, G22)  # no webhook: the dispatch waits in its inbox
        partner = {"X-API-Key": key, **XML}
        sent = dispatched([G22])
        await produce_event(sent, topic_suffix)

        async def delivered() -> bool:
            return bool(await deliveries(client))

        await eventually(delivered)

        def status(code: str, sender: str = G22) -> bytes:
            return to_bytes(
                write_status(
                    EdxmlStatus(
                        from_organ_id=sender,
                        from_organ_name="Bộ Nội vụ",
                        response_for_organ_id=MINISTRY,
                        response_for_code=sent.document.notation,
                        response_for_promulgation_date=sent.document.issue_date,
                        response_for_document_id=sent.document_id,
                        status_code=code,
                        description="Đã vào sổ",
                        timestamp=dt.datetime.now(dt.UTC),
                    )
                )
            )

        answer = await client.post("/api/v1/inbound", content=status("03"), headers=partner)
        assert answer.status_code == 200, answer.text
        assert answer.json()["receiver_status"] == "03"
        assert answer.json()["document_id"] == sent.document_id
        # 13 comes from the issuer, never from a receiver; nor a status in another's name.
        refused = await client.post("/api/v1/inbound", content=status("13"), headers=partner)
        assert refused.status_code == 422
        other = await client.post(
            "/api/v1/inbound", content=status("03", "000.00.00.H26"), headers=partner
        )
        assert other.status_code == 403
