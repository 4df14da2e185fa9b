"""Documents sent in: ids, addressing, attachments, the contract event and the sender's view."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from services.lgsp.api.inbound_body import message_format
from services.lgsp.api.schemas import InboundCreate, inbound_receipt_view, inbound_view
from services.lgsp.domain.inbound import (
    InboundMessage,
    IncomingFile,
    Recall,
    check_addressing,
    checked_file,
    clean_name,
    current_status,
    decode_attachment,
    history,
    inbound_id_for,
    new_record,
    recall_answer,
    recall_event,
    received_event,
    status_entry,
)
from services.lgsp.errors import (
    AttachmentTooLarge,
    BadAttachment,
    InboundInvalid,
    NotAddressedToUs,
    SenderMismatch,
    UnsupportedMessage,
)
from shared.contracts.events import EdxmlHeader, InboundReceived
from shared.contracts.vocabulary import MessageFormat, SignatureVerdict

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "fixtures"
G22, MINISTRY = "000.00.00.G22", "000.00.00.G06"
AT = dt.datetime(2025, 6, 2, 3, 0, 1, tzinfo=dt.UTC)
PDF = b"%PDF-1.7"


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "inbound.received.json").read_text())
    return data


def header(**changes: Any) -> EdxmlHeader:
    return EdxmlHeader.model_validate({**fixture()["header"], **changes})


def message(files: tuple[IncomingFile, ...] = (), body: str = "") -> InboundMessage:
    return InboundMessage(
        sender_document_id=fixture()["sender_document_id"],
        message_format=MessageFormat.EDXML,
        header=header(),
        body=body,
        files=files,
        signature_verdict=SignatureVerdict.VALID,
    )


# Ids and addressing -------------------------------------------------------------------
def test_the_inbound_id_is_the_same_for_a_resend_and_differs_between_senders() -> None:
    one = inbound_id_for(G22, "245/BNV")
    assert one == inbound_id_for(G22, "245/BNV")
    assert one != inbound_id_for("000.00.00.H26", "245/BNV")
    assert one != inbound_id_for(G22, "246/BNV")
    # The separator keeps (a|b, c) apart from (a, b|c) only because codes have no "|".
    assert one.startswith("in-") and len(one) <= 64


def test_the_sender_must_be_the_caller_and_the_ministry_a_receiver() -> None:
    check_addressing(header(), G22, MINISTRY)
    with pytest.raises(SenderMismatch) as mismatch:
        check_addressing(header(), "000.00.00.H26", MINISTRY)
    assert "000.00.00.H26" in mismatch.value.detail and G22 in mismatch.value.detail
    with pytest.raises(NotAddressedToUs) as elsewhere:
        check_addressing(header(to_organ_ids=["000.00.00.H26"]), G22, MINISTRY)
    assert elsewhere.value.field == "header.to_organ_ids"
    check_addressing(header(to_organ_ids=["000.00.00.H26", MINISTRY]), G22, MINISTRY)


# Attachments --------------------------------------------------------------------------
def test_a_json_attachment_is_decoded_strictly_and_named_safely() -> None:
    encoded = base64.b64encode(PDF * 40).decode()
    wrapped = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    file = decode_attachment(0, "..\\..\\etc/245.pdf", "Application/PDF; x=1", wrapped, 1000)
    assert file.data == PDF * 40 and file.name == "245.pdf"
    assert file.media_type == "application/pdf"
    assert file.sha256 == hashlib.sha256(PDF * 40).hexdigest()
    with pytest.raises(BadAttachment) as bad:
        decode_attachment(1, "b.pdf", "application/pdf", "not base64!", 1000)
    assert "attachment 2 (b.pdf)" in bad.value.detail
    assert bad.value.field == "attachments.1.content_base64"
    with pytest.raises(BadAttachment) as kind:
        decode_attachment(0, "c.pdf", "pdf", base64.b64encode(PDF).decode(), 1000)
    assert kind.value.field == "attachments.0.media_type"


def test_an_attachment_over_the_limit_is_refused_before_and_after_decoding() -> None:
    exact = base64.b64encode(b"x" * 100).decode()
    assert len(decode_attachment(0, "a", "text/plain", exact, 100).data) == 100
    with pytest.raises(AttachmentTooLarge):
        decode_attachment(0, "a", "text/plain", base64.b64encode(b"x" * 101).decode(), 100)
    with pytest.raises(AttachmentTooLarge):  # never decoded: far too long
        decode_attachment(0, "a", "text/plain", "A" * 10_000, 100)
    with pytest.raises(AttachmentTooLarge):
        checked_file(0, IncomingFile("a.pdf", "application/pdf", b"x" * 101), 100)


def test_names_lose_paths_and_control_characters() -> None:
    assert clean_name("a/b/c.pdf", 0) == "c.pdf"
    assert clean_name("x\x00y.pdf", 0) == "xy.pdf"
    assert clean_name("../", 2) == "attachment-3"
    assert len(clean_name("n" * 400, 0)) == 255


# The event ----------------------------------------------------------------------------
def test_the_event_carries_the_message_with_claim_checks_on_the_lgsp() -> None:
    pdf = IncomingFile("1637-QD-BNG.pdf", "application/pdf", b"%PDF-1.7", content_id="att-1")
    event = received_event("in-245", message((pdf,)), G22, AT)
    claim = {
        "attachment_id": "att-1",
        "name": "1637-QD-BNG.pdf",
        "media_type": "application/pdf",
        "size": 8,
        "sha256": pdf.sha256,
        "fetch_path": f"/api/v1/inbound-files/{pdf.sha256}",
    }
    expected = InboundReceived.model_validate(
        {**fixture(), "inbound_id": "in-245", "received_at": AT, "attachments": [claim]}
    )
    assert event.model_dump(mode="json") == expected.model_dump(mode="json")


def test_an_attachment_without_a_usable_content_id_is_numbered() -> None:
    files = (
        IncomingFile("a.pdf", "application/pdf", b"a"),
        IncomingFile("b.pdf", "application/pdf", b"b", content_id="x" * 65),
    )
    event = received_event("in-1", message(files), G22, AT)
    assert [a.attachment_id for a in event.attachments] == ["att-1", "att-2"]


def test_a_message_the_contract_cannot_carry_is_invalid_not_an_error() -> None:
    with pytest.raises(InboundInvalid) as too_long:
        received_event("in-1", message(body="x" * 500_001), G22, AT)
    assert too_long.value.field == "body"


# The record and the sender's view ------------------------------------------------------
def record() -> dict[str, Any]:
    pdf = IncomingFile("a.pdf", "application/pdf", b"a")
    doc = new_record(received_event("in-1", message((pdf,)), G22, AT), "p1")
    doc["statuses"] += [
        status_entry("04", AT + dt.timedelta(minutes=5), version=3, source="ministry"),
        status_entry("03", AT + dt.timedelta(minutes=1), version=2, source="ministry", note="12"),
    ]
    return doc


def test_statuses_are_listed_arrival_first_and_newest_last() -> None:
    doc = record()
    assert [e["status"] for e in history(doc)] == ["01", "03", "04"]
    assert current_status(doc) == "04"
    assert doc["recall"] is None and doc["version"] == 1


def test_a_recall_is_the_next_version_and_answers_close_it() -> None:
    event = recall_event(record(), "Gửi nhầm", AT)
    assert event.inbound_version == 2 and event.sender_code == G22
    assert recall_answer("15") == Recall.ACCEPTED
    assert recall_answer("16") == Recall.REFUSED
    assert recall_answer("03") is None
    assert None in Recall.OPEN_TO_REQUEST and Recall.REFUSED in Recall.OPEN_TO_REQUEST
    assert Recall.PENDING not in Recall.OPEN_TO_REQUEST


def test_the_receipt_is_status_01_and_no_view_shows_the_claim_check_path() -> None:
    doc = record()
    receipt = inbound_receipt_view(doc)
    assert receipt["status"] == "01" and receipt["inbound_id"] == "in-1"
    assert receipt["signature_verdict"] == "valid"
    assert "fetch_path" not in receipt["attachments"][0]
    view = inbound_view(doc)
    assert view["status"] == "04"
    assert [s["status"] for s in view["statuses"]] == ["01", "03", "04"]
    assert view["statuses"][1] == {
        "status": "03",
        "at": doc["statuses"][2]["at"],
        "note": "12",
        "by": "ministry",
    }
    assert "fetch_path" not in view["attachments"][0]


# The request --------------------------------------------------------------------------
def test_the_format_follows_the_content_type() -> None:
    assert message_format("application/json; charset=utf-8") is MessageFormat.JSON
    assert message_format("application/xml") is MessageFormat.EDXML
    assert message_format("Text/XML; charset=UTF-8") is MessageFormat.EDXML
    for other in (None, "", "text/plain", "multipart/form-data"):
        with pytest.raises(UnsupportedMessage):
            message_format(other)


def test_the_json_body_mirrors_the_edxml_header_and_refuses_unknown_fields() -> None:
    body = {
        "document_id": fixture()["sender_document_id"],
        "header": fixture()["header"],
        "attachments": [{"name": "a.pdf", "media_type": "application/pdf", "content_base64": ""}],
    }
    parsed = InboundCreate.model_validate(body)
    assert parsed.header == header() and parsed.body == ""
    with pytest.raises(ValueError):
        InboundCreate.model_validate({**body, "signature": "x"})
    with pytest.raises(ValueError):
        InboundCreate.model_validate({**body, "document_id": ""})
