"""Bad records are named precisely, so a dead letter says what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.contracts import DocumentRevoked
from shared.messaging.envelope import EnvelopeError, build_record, parse_record

FIXTURE = Path(__file__).resolve().parents[3] / "shared/contracts/fixtures/document.revoked.json"


def _good() -> tuple[dict[str, bytes], bytes]:
    event = DocumentRevoked.model_validate_json(FIXTURE.read_text())
    record = build_record(event, source="urn:egov:documents")
    return {k: v.encode() for k, v in record.headers.items()}, record.value


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda h, v: (h, b"\xff\xfe garbage"), "not JSON"),
        (lambda h, v: (h, b"{not json"), "not JSON"),
        (lambda h, v: ({k: x for k, x in h.items() if k != "ce_type"}, v), "missing CloudEvents"),
        (lambda h, v: ({**h, "ce_type": b"gov.egov.unknown.v1"}, v), "unknown ce_type"),
        (lambda h, v: ({**h, "ce_specversion": b"0.3"}, v), "ce_specversion"),
        (lambda h, v: ({**h, "ce_time": b"yesterday"}, v), "RFC 3339"),
        (lambda h, v: ({**h, "ce_subject": b"other"}, v), "ce_subject"),
        (lambda h, v: (h, json.dumps({"document_id": "x"}).encode()), "does not match"),
        (lambda h, v: (h, None), "empty"),
    ],
)
def test_a_bad_record_is_refused_with_its_reason(mutate, message) -> None:  # type: ignore[no-untyped-def]
    headers, value = mutate(*_good())
    with pytest.raises(EnvelopeError, match=message):
        parse_record(headers, value)


def test_a_good_record_parses_into_its_model() -> None:
    headers, value = _good()
    envelope = parse_record(headers, value)
    assert isinstance(envelope.data, DocumentRevoked)
    assert envelope.meta.source == "urn:egov:documents"
