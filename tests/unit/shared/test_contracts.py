"""The event contracts: every type has a fixture that validates, and every topic is wired."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.contracts import EVENTS, spec_for
from shared.contracts.topics import TOPICS
from shared.messaging.envelope import build_record, parse_record

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "fixtures"


@pytest.mark.parametrize("spec", EVENTS, ids=lambda s: s.ce_type)
def test_every_event_type_has_a_fixture_that_validates(spec) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((FIXTURES / f"{spec.model.event_name}.json").read_text())
    event = spec.model.model_validate(data)
    assert event.aggregate_id and event.aggregate_version >= 1
    assert spec.ce_type == f"gov.egov.{spec.model.event_name}.v1"


def test_no_fixture_is_left_without_an_event_type() -> None:
    names = {p.stem for p in FIXTURES.glob("*.json")}
    assert names == {spec.model.event_name for spec in EVENTS}


def test_each_topic_has_a_producer_and_a_consumer_and_each_event_belongs_to_a_topic() -> None:
    topic_names = {t.name for t in TOPICS}
    for topic in TOPICS:
        events = [s for s in EVENTS if s.topic == topic.name]
        assert events, f"{topic.name} carries no event"
        assert all(s.producer == topic.producer for s in events)
        assert set().union(*(s.consumers for s in events)) == set(topic.consumers)
    assert {s.topic for s in EVENTS} <= topic_names


@pytest.mark.parametrize("spec", EVENTS, ids=lambda s: s.ce_type)
def test_the_envelope_round_trips_every_event_type(spec) -> None:  # type: ignore[no-untyped-def]
    event = spec.model.model_validate_json((FIXTURES / f"{spec.model.event_name}.json").read_text())
    record = build_record(event, source="urn:egov:test", correlation_id="corr-1")
    assert record.key == event.aggregate_id
    assert record.headers["ce_subject"] == event.aggregate_id
    assert record.headers["content-type"] == "application/json"
    parsed = parse_record({k: v.encode() for k, v in record.headers.items()}, record.value)
    assert parsed.data == event
    assert parsed.meta.id == record.event_id
    assert parsed.meta.correlation_id == "corr-1"
    assert spec_for(parsed.meta.type) is spec


def test_classified_documents_cannot_hide_dotted_org_codes_in_field_names() -> None:
    event = spec_for("gov.egov.document.dispatched.v1")
    assert event is not None
    data = json.loads((FIXTURES / "document.dispatched.json").read_text())
    assert all("." not in key for key in data)  # codes are values, never keys
