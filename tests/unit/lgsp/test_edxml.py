"""edXML: writing then reading gives the same content; agency messages as they come; refusals."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from services.lgsp.domain.edxml import (
    NS,
    VIETNAM,
    BusinessDocType,
    EdxmlAttachment,
    EdxmlDocument,
    EdxmlStatus,
    parse_message,
    to_bytes,
    write_document,
    write_status,
)
from services.lgsp.errors import EdxmlInvalid
from shared.contracts.events import EdxmlHeader, EdxmlSigner, TraceHop
from shared.contracts.vocabulary import Urgency


def a_document(**changes: object) -> EdxmlDocument:
    header = EdxmlHeader(
        from_organ_id="000.00.00.G06",
        from_organ_name="Bộ Ngoại giao",
        to_organ_ids=["000.00.11.H53", "000.00.00.G22"],
        code_number="1637",
        code_notation="QĐ-BNG",
        promulgation_place="Hà Nội",
        promulgation_date=dt.date(2025, 6, 2),
        document_type="quyet_dinh",
        subject="Về việc ban hành Kế hoạch <chuyển đổi số> & số hoá",
        signer=EdxmlSigner(competence="KT. BỘ TRƯỞNG", position="Thứ trưởng", full_name="Lê A"),
        due_date=dt.date(2025, 7, 1),
        priority=Urgency.HOA_TOC,
        steering_type="1",
        trace=[
            TraceHop(
                organ_id="000.00.00.G06", timestamp=dt.datetime(2025, 6, 2, 9, 30, tzinfo=VIETNAM)
            )
        ],
    )
    values: dict[str, object] = {
        "header": header,
        "sender_document_id": "000.00.00.G06,2025/06/02,1637/QĐ-BNG",
        "content": "Điều 1. Ban hành kèm theo ...",
        "business_doc_type": BusinessDocType.NEW,
        "business_reason": "",
        "attachments": (
            EdxmlAttachment(
                "cid:1", "1637-QD-BNG.pdf", "application/pdf", "Quyết định", b"%PDF-1.7\x00\xff"
            ),
            EdxmlAttachment(
                "cid:2",
                "phu-luc.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "",
                b"PK\x03\x04",
            ),
        ),
        "to_places": ("UBND tỉnh Hà Nam", "Lưu: VT"),
        "staff": {
            "department": "Văn phòng",
            "staff": "Trần B",
            "email": "b@mofa.gov.vn",
            "mobile": "0901",
        },
        "replaces": (),
        "organ_names": {"000.00.00.G06": "Bộ Ngoại giao", "000.00.11.H53": "Sở Tài chính"},
    }
    values.update(changes)
    return EdxmlDocument(**values)  # type: ignore[arg-type]


def test_a_written_document_reads_back_the_same() -> None:
    doc = a_document()
    data = to_bytes(write_document(doc))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert parse_message(data) == doc


def test_a_replacement_and_a_revocation_read_back_the_same() -> None:
    replacement = a_document(
        business_doc_type=BusinessDocType.REPLACE,
        business_reason="Thay thế",
        replaces=("000.00.00.G06,2025/05/01,12/QĐ-BNG",),
        attachments=(),
    )
    assert parse_message(to_bytes(write_document(replacement))) == replacement
    revocation = a_document(business_doc_type=BusinessDocType.REVOKE, business_reason="Sai sót")
    assert parse_message(to_bytes(write_document(revocation))) == revocation


def test_the_layout_is_the_national_one() -> None:
    root = write_document(a_document())
    text = to_bytes(root).decode()
    assert text.count(f'xmlns="{NS}"') == 1  # default namespace on the root
    assert f'<edXML:edXMLEnvelope xmlns:edXML="{NS}">' in text
    assert "<AttachmentEncoded><Attachment><ContentId>cid:1</ContentId>" in text
    assert "<edXML:ContentTransferEncoded" in text
    assert "<edXML:PromulgationDate>02/06/2025</edXML:PromulgationDate>" in text
    assert "<edXML:TypeName>Quyết định</edXML:TypeName>" in text
    assert "<edXML:Priority>3</edXML:Priority>" in text
    assert "<edXML:Timestamp>2025/06/02 09:30:00</edXML:Timestamp>" in text
    assert "<edXML:Bussiness>" in text and "<edXML:BussinessDocType>0<" in text
    assert 'edXMLManifest version="1.0"' in text


def test_a_status_reads_back_the_same() -> None:
    status = EdxmlStatus(
        from_organ_id="000.00.00.G06",
        from_organ_name="Bộ Ngoại giao",
        response_for_organ_id="000.00.11.H53",
        response_for_code="2491/STC-BCTC",
        response_for_promulgation_date=dt.date(2020, 10, 30),
        response_for_document_id="000.00.11.H53,2020/10/30,2491/STC-BCTC",
        status_code="05",
        description="Đang xử lý văn bản đến",
        timestamp=dt.datetime(2020, 11, 2, 8, 15, 3, tzinfo=VIETNAM),
    )
    data = to_bytes(write_status(status))
    assert b"TraceHeaderList" not in data and b"edXMLBody" not in data
    assert b"AttachmentEncoded" not in data
    assert parse_message(data) == status


PDF = b"%PDF-1.4 cong van"


def agency_sample(
    namespace: str = "http://www.go.vn/eDoc",
    *,
    date: str = "30/10/2020",
    business: str = "Bussiness",
    code_number: str = "<edXML:CodeNumber>2491</edXML:CodeNumber>",
    attachment: str | None = None,
    doctype: str = "",
    extra_header: str = "",
) -> bytes:
    encoded = attachment if attachment is not None else base64.encodebytes(PDF).decode()
    return f"""<?xml version="1.0" encoding="utf-8"?>
{doctype}<edXML xmlns="{namespace}">
  <edXML:edXMLEnvelope xmlns:edXML="{namespace}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.11.H53</edXML:OrganId>
          <edXML:OrganizationInCharge/>
          <edXML:OrganName>Sở Tài chính tỉnh Hà Nam</edXML:OrganName>
          <edXML:OrganAdd/>
          <edXML:Email/>
          <edXML:Telephone></edXML:Telephone>
          <edXML:Fax/>
          <edXML:Website/>
        </edXML:From>
        <edXML:To>
          <edXML:OrganId>000.00.00.G06</edXML:OrganId>
          <edXML:OrganName>Bộ Ngoại giao</edXML:OrganName>
        </edXML:To>
        <edXML:DocumentId>000.00.11.H53,2020/10/30,2491/STC-BCTC</edXML:DocumentId>
        <edXML:Code>
          {code_number}
          <edXML:CodeNotation>STC-BCTC</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Hà Nam</edXML:Place>
          <edXML:PromulgationDate>{date}</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:DocumentType>
          <edXML:Type>1</edXML:Type>
          <edXML:TypeDetail>0</edXML:TypeDetail>
          <edXML:TypeName>Công văn</edXML:TypeName>
        </edXML:DocumentType>
        <edXML:Subject>V/v báo cáo quyết toán ngân sách năm 2019</edXML:Subject>
        <edXML:Content/>
        <edXML:SignerInfo>
          <edXML:Competence/>
          <edXML:Position/>
          <edXML:FullName/>
        </edXML:SignerInfo>
        <edXML:DueDate/>
        <edXML:OtherInfo>
          <edXML:Priority>1</edXML:Priority>
          <edXML:SphereOfPromulgation/>
          <edXML:TyperNotation/>
          <edXML:PromulgationAmount>1</edXML:PromulgationAmount>
          <edXML:PageAmount>2</edXML:PageAmount>
          <edXML:Direction>false</edXML:Direction>
          <edXML:Appendixes/>
        </edXML:OtherInfo>
        <edXML:SteeringType>0</edXML:SteeringType>
        <edXML:ToPlaces>
          <edXML:Place>Như trên;</edXML:Place>
          <edXML:Place/>
        </edXML:ToPlaces>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader>
          <edXML:OrganId>000.00.11.H53</edXML:OrganId>
          <edXML:Timestamp>2020/10/30 15:04:05</edXML:Timestamp>
        </edXML:TraceHeader>
        <edXML:{business}>
          <edXML:DocumentId>000.00.11.H53,2020/10/30,2491/STC-BCTC</edXML:DocumentId>
          <edXML:{business}DocType>0</edXML:{business}DocType>
          <edXML:{business}DocReason/>
          <edXML:Paper>0</edXML:Paper>
          <edXML:StaffInfo>
            <edXML:Department>Phòng Ngân sách</edXML:Department>
            <edXML:Staff/>
            <edXML:Email/>
            <edXML:Mobile/>
          </edXML:StaffInfo>
        </edXML:{business}>
      </edXML:TraceHeaderList>
      {extra_header}
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference>
          <edXML:ContentId>cid:209</edXML:ContentId>
          <edXML:ContentType>application/pdf</edXML:ContentType>
          <edXML:Description/>
          <edXML:AttachmentName>2491-STC.pdf</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>cid:209</ContentId>
      <AttachmentName>2491-STC.pdf</AttachmentName>
      <Description/>
      <ContentType>application/pdf</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="{namespace}">{encoded}</edXML:ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>""".encode()


def test_an_agency_message_with_its_usual_quirks_is_read() -> None:
    doc = parse_message(agency_sample())
    assert isinstance(doc, EdxmlDocument)
    h = doc.header
    assert h.from_organ_id == "000.00.11.H53" and h.to_organ_ids == ["000.00.00.G06"]
    assert (h.code_number, h.code_notation) == ("2491", "STC-BCTC")
    assert h.promulgation_date == dt.date(2020, 10, 30)
    assert h.document_type == "cong_van"
    assert h.priority is Urgency.KHAN
    assert h.due_date is None
    assert h.signer.full_name == "(không ghi)" and h.signer.position == ""
    assert h.trace[0].timestamp == dt.datetime(2020, 10, 30, 15, 4, 5, tzinfo=VIETNAM)
    assert doc.sender_document_id == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    assert doc.business_doc_type is BusinessDocType.NEW
    assert doc.staff == {"department": "Phòng Ngân sách"}
    assert doc.to_places == ("Như trên;",)
    [attachment] = doc.attachments
    assert (attachment.content_id, attachment.name, attachment.data) == (
        "cid:209",
        "2491-STC.pdf",
        PDF,
    )


@pytest.mark.parametrize("date", ["2020/10/30", "30/10/2020", "2020-10-30"])
def test_both_date_orders_are_read(date: str) -> None:
    doc = parse_message(agency_sample(NS, date=date, business="Business"))
    assert isinstance(doc, EdxmlDocument)
    assert doc.header.promulgation_date == dt.date(2020, 10, 30)


def test_an_unknown_type_name_is_kept_as_text() -> None:
    data = agency_sample().replace("Công văn".encode(), "Văn bản khác".encode())
    doc = parse_message(data)
    assert isinstance(doc, EdxmlDocument) and doc.header.document_type == "Văn bản khác"


def refused(data: bytes) -> str:
    with pytest.raises(EdxmlInvalid) as caught:
        parse_message(data)
    return caught.value.detail


def test_an_external_entity_is_refused_before_anything_is_read() -> None:
    doctype = '<!DOCTYPE edXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    data = agency_sample(doctype=doctype).replace(
        "Hà Nam</edXML:Place>".encode(), b"&secret;</edXML:Place>"
    )
    assert "DOCTYPE" in refused(data)


def test_billion_laughs_is_refused() -> None:
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE edXML [<!ENTITY lol0 "lol">{lol}]>\n'
    data = agency_sample(doctype=doctype).replace(
        b"<edXML:Content/>", b"<edXML:Content>&lol9;</edXML:Content>"
    )
    assert "DOCTYPE" in refused(data)


def test_any_dtd_is_refused_even_after_a_comment() -> None:
    assert "DOCTYPE" in refused(
        agency_sample(doctype='<!-- x --><!DOCTYPE edXML SYSTEM "edxml.dtd">\n')
    )
    # A long comment first does not hide the DOCTYPE: the whole prolog is walked.
    padded = agency_sample(doctype=f'<!-- {"x" * 70_000} --><!DOCTYPE edXML SYSTEM "/x.dtd">\n')
    assert "DOCTYPE" in refused(padded)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "iso-8859-1"])
def test_only_utf8_is_read_so_no_encoding_can_hide_a_doctype(encoding: str) -> None:
    text = (
        agency_sample(doctype="<!DOCTYPE edXML>\n")
        .decode()
        .replace('encoding="utf-8"', f'encoding="{encoding}"')
    )
    assert "UTF-8" in refused(text.encode(encoding, errors="replace"))


def test_a_comment_inside_a_field_does_not_cut_it() -> None:
    """Canonical XML drops comments, so a signature still verifies when one is inserted:
    the field must read the same as what was signed, not the text before the comment."""
    data = agency_sample()
    subject = parse_message(data).header.subject  # type: ignore[union-attr]
    cut = len(subject) // 2
    split = subject[:cut] + "<!-- x -->" + subject[cut:]
    commented = data.replace(subject.encode(), split.encode(), 1)
    assert commented != data
    assert parse_message(commented).header.subject == subject  # type: ignore[union-attr]


def test_another_namespace_is_refused() -> None:
    assert "namespace" in refused(agency_sample("http://example.com/not-edxml"))


@pytest.mark.parametrize(
    ("cut", "named"),
    [
        (b"<edXML:CodeNumber>2491</edXML:CodeNumber>", "edXML:Code/edXML:CodeNumber is missing"),
        (
            b"<edXML:OrganId>000.00.11.H53</edXML:OrganId>\n          <edXML:OrganizationInCharge/>",
            "edXML:From/edXML:OrganId is missing",
        ),
        (
            b"<edXML:Subject>V/v b\xc3\xa1o c\xc3\xa1o quy\xe1\xba\xbft to\xc3\xa1n ng\xc3\xa2n s\xc3\xa1ch n\xc4\x83m 2019</edXML:Subject>",
            "edXML:Subject is missing",
        ),
        (
            b"<edXML:PromulgationDate>30/10/2020</edXML:PromulgationDate>",
            "edXML:PromulgationInfo/edXML:PromulgationDate is missing",
        ),
    ],
)
def test_a_missing_required_element_is_named(cut: bytes, named: str) -> None:
    data = agency_sample()
    assert cut in data
    assert refused(data.replace(cut, b"")) == named


def test_no_receiver_is_refused() -> None:
    data = agency_sample()
    start, end = data.index(b"<edXML:To>"), data.index(b"</edXML:To>") + len(b"</edXML:To>")
    assert refused(data[:start] + data[end:]) == "edXML:To is missing"


def test_an_unparseable_date_is_named() -> None:
    assert "edXML:PromulgationInfo/edXML:PromulgationDate is not a date" in refused(
        agency_sample(date="31/02/2020")
    )


def test_bad_base64_is_named() -> None:
    detail = refused(agency_sample(attachment="JVBERi0x*not base64*"))
    assert (
        detail == "AttachmentEncoded/Attachment[1]/edXML:ContentTransferEncoded is not valid base64"
    )


def test_malformed_xml_and_an_empty_body_are_refused() -> None:
    assert "not well-formed" in refused(agency_sample()[:-20])
    assert refused(b"  ") == "the message is empty"


def test_an_organisation_code_that_is_not_one_is_named() -> None:
    data = agency_sample().replace(
        b"<edXML:OrganId>000.00.11.H53</edXML:OrganId>",
        b"<edXML:OrganId>bad code!</edXML:OrganId>",
        1,
    )
    assert refused(data).startswith("edXML:From/edXML:OrganId:")


def test_an_attachment_larger_than_libxml2s_text_limit_is_read() -> None:
    big = bytes(range(256)) * (45 * 1024 * 1024 // 256)  # 45 MB -> 60 MB of base64
    doc = a_document(attachments=(EdxmlAttachment("cid:1", "big.zip", "application/zip", "", big),))
    parsed = parse_message(to_bytes(write_document(doc)))
    assert isinstance(parsed, EdxmlDocument) and parsed.attachments[0].data == big
