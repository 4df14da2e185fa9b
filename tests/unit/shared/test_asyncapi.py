"""The AsyncAPI documents: valid AsyncAPI 3.0 (checked offline against the vendored JSON
Schema), complete (every topic, event type, producer and consumer) and true to the envelope."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker

from shared.asyncapi import platform_document, service_document
from shared.contracts.events import EVENTS, EventSpec
from shared.contracts.topics import TOPICS, dlq_topic
from shared.messaging.envelope import CORRELATION_HEADER, build_record

ROOT = Path(__file__).parents[3]
VENDORED = ROOT / "contracts" / "schemas-vendor" / "asyncapi-3.0.0.json"
FIXTURES = ROOT / "shared" / "contracts" / "fixtures"
SERVICES = ("documents", "portal", "lgsp")


@pytest.fixture(scope="module")
def asyncapi_schema() -> Draft7Validator:
    return Draft7Validator(json.loads(VENDORED.read_text(encoding="utf-8")))


def documents() -> Iterator[tuple[str, dict[str, Any]]]:
    yield "platform", platform_document("1")
    for service in SERVICES:
        yield service, service_document(service, "1")


def resolve(doc: dict[str, Any], ref: str) -> Any:
    target: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


@pytest.mark.parametrize("name", ["platform", *SERVICES])
def test_every_document_is_valid_asyncapi_3(name: str, asyncapi_schema: Draft7Validator) -> None:
    doc = dict(documents())[name]
    errors = [f"{list(e.path)}: {e.message[:200]}" for e in asyncapi_schema.iter_errors(doc)]
    assert errors == []
    for ref in set(refs(doc)):
        assert resolve(doc, ref) is not None, ref
    assert "EmptyPayload" not in json.dumps(doc)


def test_the_validator_does_refuse_an_invalid_document(asyncapi_schema: Draft7Validator) -> None:
    doc = platform_document("1")
    operation = next(iter(doc["operations"].values()))
    operation["action"] = "publish"  # AsyncAPI 2 wording, not 3
    assert not asyncapi_schema.is_valid(doc)
    assert not asyncapi_schema.is_valid({**platform_document("1"), "asyncapi": "2.6.0"})


def _operations(doc: dict[str, Any], service: str, action: str) -> dict[str, set[str]]:
    """channel address -> the ce_types of the operation's messages."""
    found: dict[str, set[str]] = {}
    for operation in doc["operations"].values():
        if operation["x-service"] != service or operation["action"] != action:
            continue
        channel = resolve(doc, operation["channel"]["$ref"])
        names = found.setdefault(channel["address"], set())
        for message in operation["messages"]:
            names.add(resolve(doc, resolve(doc, message["$ref"])["$ref"])["name"])
    return found


@pytest.mark.parametrize("name", ["platform", *SERVICES])
def test_who_sends_and_receives_each_event_is_complete(name: str) -> None:
    doc = dict(documents())[name]
    services = SERVICES if name == "platform" else (name,)
    for service in services:
        sent = _operations(doc, service, "send")
        received = _operations(doc, service, "receive")
        for spec in EVENTS:
            if spec.producer == service:
                assert spec.ce_type in sent[spec.topic]
            if service in spec.consumers:
                assert spec.ce_type in received[spec.topic]
                assert "DeadLetter" in sent[dlq_topic(spec.topic)]
        expected_out = {s.ce_type for s in EVENTS if s.producer == service}
        assert {t for types in sent.values() for t in types} - {"DeadLetter"} == expected_out
    if name == "platform":
        addresses = {channel["address"] for channel in doc["channels"].values()}
        assert addresses == {t.name for t in TOPICS} | {dlq_topic(t.name) for t in TOPICS}


def _message(doc: dict[str, Any], spec: EventSpec) -> dict[str, Any]:
    for message in doc["components"]["messages"].values():
        if message["name"] == spec.ce_type:
            return message  # type: ignore[no-any-return]
    raise AssertionError(f"{spec.ce_type} is not described")


@pytest.mark.parametrize("spec", EVENTS, ids=lambda s: s.ce_type)
def test_each_message_is_what_the_envelope_writes(spec: EventSpec) -> None:
    doc = platform_document("1")
    message = _message(doc, spec)
    fixture = json.loads((FIXTURES / f"{spec.model.event_name}.json").read_text())
    event = spec.model.model_validate(fixture)
    record = build_record(event, source=f"urn:egov:{spec.producer}", correlation_id="c-1")

    headers = Draft202012Validator(message["headers"], format_checker=FormatChecker())
    assert list(headers.iter_errors(record.headers)) == []
    assert set(record.headers) <= set(message["headers"]["properties"])
    assert not headers.is_valid({**record.headers, "ce_type": "gov.egov.other.v1"})
    assert not headers.is_valid({k: v for k, v in record.headers.items() if k != "ce_subject"})

    # The correlation id is where the envelope puts it.
    location = resolve(doc, message["correlationId"]["$ref"])["location"]
    assert location == f"$message.header#/{CORRELATION_HEADER}"
    assert record.headers[CORRELATION_HEADER] == "c-1"

    # The payload is the contract model's schema (components hold its nested models).
    payload_schema = {
        **resolve(doc, message["payload"]["$ref"]),
        "components": doc["components"],
    }
    payload = Draft202012Validator(payload_schema, format_checker=FormatChecker())
    assert list(payload.iter_errors(json.loads(record.value))) == []
    assert not payload.is_valid({**json.loads(record.value), "surprise": True})
    example = message["examples"][0]
    assert example["payload"] == json.loads(record.value)
    assert set(example["headers"]) == set(record.headers)


@pytest.mark.parametrize("service", SERVICES)
def test_a_running_service_describes_its_broker(service: str) -> None:
    settings = importlib.import_module(f"services.{service}.settings").Settings(topic_suffix=".t42")
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    from shared.asyncapi import asyncapi_document

    doc = asyncapi_document(app.state.runtime.broker, service, "test")
    received = _operations(doc, service, "receive")
    assert received, "every service consumes events"
    assert all(address.endswith(".t42") for address in received)
    expected = {spec.topic + ".t42" for spec in EVENTS if service in spec.consumers}
    assert set(received) == expected
    assert doc["servers"], "the broker's server"
