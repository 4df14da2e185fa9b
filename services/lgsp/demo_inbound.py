"""Documents the demo partner agencies send the ministry (`egov demo`), through the LGSP's own
inbound API: one as JSON (no signature), two as edXML signed with the sending agency's key —
one intact, one altered after signing — so that staff see each verdict.

The agency's development key and self-signed certificate live in ``$EGOV_HOME``; its
certificate is registered with the LGSP through the admin API like a real agency's. Sending
the same message again gives the same inbound id (idempotent), so running the demo twice
changes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import httpx

from services.lgsp.domain.edxml import (
    BusinessDocType,
    EdxmlAttachment,
    EdxmlDocument,
    document_id_of,
    write_document,
)
from services.lgsp.services.xml_signatures import load_or_create_dev_pem, sign_with_pem
from services.lgsp.settings import Settings
from shared import demo
from shared.contracts.events import EdxmlHeader, EdxmlSigner, TraceHop
from shared.contracts.vocabulary import Urgency

HANOI = dt.timezone(dt.timedelta(hours=7))
# A one-page PDF is enough to show a claim-checked attachment travelling.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _header(code: str, name: str, number: str, notation: str, subject: str, **more: Any) -> Any:
    today = dt.datetime.now(HANOI).date()
    return EdxmlHeader(
        from_organ_id=code,
        from_organ_name=name,
        to_organ_ids=[Settings().organisation_code],
        code_number=number,
        code_notation=notation,
        promulgation_place="Hà Nội",
        promulgation_date=today,
        subject=subject,
        trace=[TraceHop(organ_id=code, timestamp=dt.datetime.now(dt.UTC))],
        **more,
    )


def json_message() -> dict[str, Any]:
    header = _header(
        demo.WEBHOOK_PARTNER_CODE,
        demo.WEBHOOK_PARTNER_NAME,
        "512",
        "BNV-CCVC",
        "Về việc phối hợp tập huấn kỹ năng số cho cán bộ, công chức",
        document_type="Công văn",
        signer=EdxmlSigner(competence="KT. BỘ TRƯỞNG", position="Thứ trưởng", full_name="Trần Anh"),
        priority=Urgency.KHAN,
        due_date=dt.datetime.now(HANOI).date() + dt.timedelta(days=10),
    )
    return {
        "document_id": document_id_of(
            header.from_organ_id, header.promulgation_date, "512", "BNV-CCVC"
        ),
        "header": header.model_dump(mode="json"),
        "body": "Kính gửi: Bộ Ngoại giao. Đề nghị Quý Bộ cử cán bộ phối hợp tổ chức tập huấn.",
        "attachments": [
            {
                "name": "512-BNV-CCVC.pdf",
                "media_type": "application/pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }


def edxml_message(number: str, notation: str, subject: str, *, tampered: bool = False) -> bytes:
    """Written and signed as the inbox partner's own system would; ``tampered`` alters the
    subject after signing, so the signature no longer verifies."""
    code, name = demo.INBOX_PARTNER_CODE, demo.INBOX_PARTNER_NAME
    header = _header(
        code,
        name,
        number,
        notation,
        subject,
        document_type="Công văn",
        signer=EdxmlSigner(
            competence="TM. ỦY BAN NHÂN DÂN", position="Phó Chủ tịch", full_name="Lê Hồng"
        ),
    )
    message = EdxmlDocument(
        header=header,
        sender_document_id=document_id_of(code, header.promulgation_date, number, notation),
        content="Kính gửi: Bộ Ngoại giao.",
        business_doc_type=BusinessDocType.NEW,
        business_reason="",
        attachments=(
            EdxmlAttachment("cid:1", f"{number}-{notation}.pdf", "application/pdf", "", PDF),
        ),
        to_places=("Bộ Ngoại giao",),
        staff={},
    )
    signed = sign_with_pem(write_document(message), agency_pem())
    if not tampered:
        return signed
    altered = signed.replace(subject.encode(), (subject + " (bản sửa)").encode(), 1)
    if altered == signed:
        raise RuntimeError("the demo message could not be altered after signing")
    return altered


def agency_pem() -> bytes:
    code, name = demo.INBOX_PARTNER_CODE, demo.INBOX_PARTNER_NAME
    return load_or_create_dev_pem(code, name, f"lgsp-demo-{code}-edxml.pem")


def certificate_pem() -> str:
    """The certificate part of the agency's PEM (the key never leaves the agency)."""
    text = agency_pem().decode()
    return text[text.index("-----BEGIN CERTIFICATE-----") :]


async def register_certificate(admin: httpx.AsyncClient, partner_id: str) -> None:
    response = await admin.post(
        f"/api/v1/partners/{partner_id}/certificates", json={"pem": certificate_pem()}
    )
    response.raise_for_status()


async def send_in(base_url: str, api_keys: dict[str, str]) -> list[dict[str, Any]]:
    """The three demo documents sent in; returns the receipts."""
    receipts: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        sent = await client.post(
            "/api/v1/inbound",
            json=json_message(),
            headers={"X-API-Key": api_keys[demo.WEBHOOK_PARTNER_CODE]},
        )
        sent.raise_for_status()
        receipts.append(sent.json())
        xml = {"X-API-Key": api_keys[demo.INBOX_PARTNER_CODE], "Content-Type": "application/xml"}
        for body in (
            edxml_message(
                "2045", "UBND-KT", "Về việc đề nghị hỗ trợ thủ tục đón đoàn khách quốc tế"
            ),
            edxml_message(
                "2046", "UBND-VX", "Về việc mời dự Hội nghị chuyển đổi số thành phố", tampered=True
            ),
        ):
            sent = await client.post("/api/v1/inbound", content=body, headers=xml)
            sent.raise_for_status()
            receipts.append(sent.json())
    return receipts
