"""The example messages in docs/examples are what the README sends: they must stay valid."""

from __future__ import annotations

from pathlib import Path

from services.lgsp.domain.edxml import BusinessDocType, EdxmlDocument, parse_message

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def test_the_edxml_example_is_a_document_from_the_demo_inbox_partner_to_the_ministry() -> None:
    message = parse_message((EXAMPLES / "edxml-document.xml").read_bytes())
    assert isinstance(message, EdxmlDocument)
    assert message.header.from_organ_id == "000.00.00.H26"
    assert message.header.to_organ_ids == ["000.00.00.G06"]
    assert message.business_doc_type is BusinessDocType.NEW
    assert [a.name for a in message.attachments] == ["2101-UBND-DN.pdf"]
