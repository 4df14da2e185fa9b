"""What an edXML partner is sent, built from the contract events."""

from __future__ import annotations

import datetime as dt

from services.lgsp.domain.edxml import BusinessDocType, parse_message, to_bytes, write_document
from services.lgsp.domain.edxml_out import (
    Ministry,
    code_of,
    document_message,
    sender_document_id,
    status_message,
)
from shared.contracts.events import IncomingStatusChanged
from shared.contracts.models import OrgRef
from shared.contracts.vocabulary import Urgency
from tests.unit.lgsp.factories import signed_document

MINISTRY = Ministry("000.00.00.G06", "Bộ Ngoại giao", "Hà Nội")
NOW = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)


def test_a_notation_splits_into_number_and_notation() -> None:
    assert code_of("1637/QĐ-BNG") == ("1637", "QĐ-BNG")
    assert code_of("BNG") == ("BNG", "BNG")


def test_a_replacement_names_the_document_it_replaces_and_reads_back() -> None:
    old = signed_document(notation="12/QĐ-BNG")
    new = signed_document(notation="1637/QĐ-BNG").model_copy(
        update={"drafting_unit": OrgRef(code="VP", name="Văn phòng Bộ")}
    )
    message = document_message(
        MINISTRY,
        new,
        to=["000.00.00.G22"],
        names={"000.00.00.G22": "UBND tỉnh X"},
        attachments=[],
        urgency=Urgency.THUONG_KHAN,
        at=NOW,
        business=BusinessDocType.REPLACE,
        reason="Thay thế",
        replaces=[sender_document_id(MINISTRY, old)],
    )
    assert message.sender_document_id == "000.00.00.G06,2025/03/01,1637/QĐ-BNG"
    assert message.replaces == ("000.00.00.G06,2025/03/01,12/QĐ-BNG",)
    assert message.to_places == ("UBND tỉnh X",)
    assert message.staff == {"department": "Văn phòng Bộ"}
    assert message.header.signer.full_name == "Nguyễn Văn A"
    assert message.header.trace[0].organ_id == MINISTRY.code
    assert parse_message(to_bytes(write_document(message))) == message


def test_a_status_without_a_note_gets_the_usual_description() -> None:
    event = IncomingStatusChanged(
        inbound_id="in-1",
        incoming_version=3,
        sender_code="000.00.11.H53",
        sender_document_id="000.00.11.H53,2020/10/30,2491/STC-BCTC",
        sender_notation="2491/STC-BCTC",
        promulgation_date=dt.date(2020, 10, 30),
        status="02",
        changed_at=NOW,
    )
    status = status_message(MINISTRY, event)
    assert status.description == "Từ chối tiếp nhận văn bản đến"
    assert status.response_for_code == "2491/STC-BCTC" and status.status_code == "02"
    noted = status_message(MINISTRY, event.model_copy(update={"note": "Sai thể thức"}))
    assert noted.description == "Sai thể thức"
