"""AsyncAPI 3.0 documents of the platform's events, generated from the contracts.

Every topic is a channel listing each event type that travels on it (its payload schema from
the contract model, its CloudEvents binary-mode headers as written by
``shared/messaging/envelope.py``, an example) and beside it its ``.dlq`` channel. Operations
say who sends and who receives what. A service's document (``/asyncapi.json`` on its admin
port) holds its own operations, with the channel addresses and server of the running broker;
the platform's (``contracts/asyncapi.json``, written by ``egov contracts``) holds all of them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from importlib import resources

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from shared.contracts.events import EVENTS, EventSpec
from shared.contracts.topics import TOPICS, TopicSpec, dlq_topic, physical
from shared.kit.types import Doc
from shared.messaging.envelope import (
    CONTENT_TYPE,
    CORRELATION_HEADER,
    REQUIRED_HEADERS,
    SPECVERSION,
    TRACEPARENT_HEADER,
    build_record,
)

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SERVICES = ("documents", "portal", "lgsp")
SCHEMA_REF = "#/components/schemas/{model}"
DEAD_LETTER = "DeadLetter"
CORRELATION_ID = "correlationId"
TRACEPARENT_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
# Fixed values for the examples, so the generated documents are reproducible.
EXAMPLE_EVENT_ID = "0b6f3b8e-5d1c-4f7a-9a57-2f64c4f1d9a1"
EXAMPLE_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
EXAMPLE_CORRELATION_ID = "c0ffee00-1234-4abc-8def-0123456789ab"


def declare_publishers(broker: KafkaBroker, service: str, topic_suffix: str = "") -> None:
    """Declare what the service produces on its broker (the broker's own description lists
    it; the wiring tests compare it with the contracts)."""
    for spec in EVENTS:
        if spec.producer == service:
            broker.publisher(
                spec.topic + topic_suffix,
                title=f"{service}:{spec.ce_type}",
                description=f"{spec.ce_type} for {', '.join(spec.consumers)}",
                schema=spec.model,
            )


# Headers -------------------------------------------------------------------------------


def headers_schema(spec: EventSpec) -> Doc:
    """The Kafka headers of one event type: the CloudEvents attributes in binary mode."""
    properties: Doc = {
        "ce_specversion": {"type": "string", "const": SPECVERSION},
        "ce_id": {
            "type": "string",
            "minLength": 1,
            "description": "unique per event; a random UUID made when the event enters the "
            "outbox, so a re-publication carries the same id",
        },
        "ce_source": {
            "type": "string",
            "const": f"urn:egov:{spec.producer}",
            "description": "the producing service",
        },
        "ce_type": {"type": "string", "const": spec.ce_type},
        "ce_time": {"type": "string", "format": "date-time", "description": "RFC 3339, UTC"},
        "ce_subject": {
            "type": "string",
            "minLength": 1,
            "description": "the aggregate id, also the record key (one aggregate's events "
            "keep their order)",
        },
        "content-type": {"type": "string", "const": CONTENT_TYPE},
        TRACEPARENT_HEADER: {
            "type": "string",
            "pattern": TRACEPARENT_PATTERN,
            "description": "W3C trace context of the work that made the event",
        },
        CORRELATION_HEADER: {
            "type": "string",
            "description": "the X-Correlation-Id of the HTTP request that caused the event, "
            "when there was one",
        },
    }
    return {
        "type": "object",
        "required": list(REQUIRED_HEADERS),
        "properties": properties,
        "description": "CloudEvents 1.0, Kafka protocol binding, binary content mode. "
        "content-type and traceparent are always sent; consumers require the ce_* "
        "attributes listed as required.",
    }


def dead_letter_headers() -> Doc:
    text = {"type": "string"}
    return {
        "type": "object",
        "required": ["dlq_reason", "dlq_consumer", "dlq_original_topic"],
        "properties": {
            "dlq_reason": {**text, "maxLength": 2000, "description": "why it can never succeed"},
            "dlq_consumer": {**text, "description": "who refused it"},
            "dlq_original_topic": {**text, "description": "the topic it was read from"},
            "dlq_original_partition": {**text, "pattern": r"^[0-9]+$"},
            "dlq_original_offset": {**text, "pattern": r"^[0-9]+$"},
        },
        "additionalProperties": {
            "type": "string",
            "description": "the original record's headers (ce_*, traceparent, ...)",
        },
    }


# Components ----------------------------------------------------------------------------


def _fixture(spec: EventSpec) -> Doc | None:
    name = f"{spec.model.event_name}.json"
    fixture = resources.files("shared.contracts").joinpath("fixtures", name)
    if not fixture.is_file():
        return None
    data: Doc = json.loads(fixture.read_text(encoding="utf-8"))
    return data


def _example(spec: EventSpec) -> list[Doc]:
    data = _fixture(spec)
    if data is None:
        return []
    event = spec.model.model_validate(data)
    record = build_record(
        event,
        source=f"urn:egov:{spec.producer}",
        correlation_id=EXAMPLE_CORRELATION_ID,
        traceparent=EXAMPLE_TRACEPARENT,
        event_id=EXAMPLE_EVENT_ID,
        time=dt.datetime(2025, 6, 2, 3, 0, tzinfo=dt.UTC),
    )
    return [
        {
            "name": spec.model.event_name,
            "headers": record.headers,
            "payload": json.loads(record.value),
        }
    ]


def _summary(spec: EventSpec) -> str:
    doc = (spec.model.__doc__ or "").strip()
    return " ".join(doc.split()) if doc else spec.ce_type


def event_message(spec: EventSpec) -> Doc:
    message: Doc = {
        "name": spec.ce_type,
        "title": spec.model.__name__,
        "summary": _summary(spec),
        "contentType": CONTENT_TYPE,
        "headers": headers_schema(spec),
        "payload": {"$ref": SCHEMA_REF.format(model=spec.model.__name__)},
        "correlationId": {"$ref": f"#/components/correlationIds/{CORRELATION_ID}"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "the aggregate id (= ce_subject)"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "x-producer": spec.producer,
        "x-consumers": list(spec.consumers),
    }
    examples = _example(spec)
    if examples:
        message["examples"] = examples
    return message


def dead_letter_message() -> Doc:
    return {
        "name": DEAD_LETTER,
        "title": "Dead letter",
        "summary": "A record its consumer can never process, kept with the reason (§8).",
        "headers": dead_letter_headers(),
        "payload": {
            "description": "the original record's value, byte for byte (it may not even be "
            "JSON); or, for a file the portal refused, {sha256, fetch_path, size, document_id}"
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "the original record's key"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _schemas(specs: Iterable[EventSpec]) -> Doc:
    schemas: Doc = {}
    for spec in specs:
        schema = spec.model.model_json_schema(ref_template=SCHEMA_REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[spec.model.__name__] = schema
    return dict(sorted(schemas.items()))


# Channels and operations ---------------------------------------------------------------


def _key(name: str) -> str:
    """An id for a channel or an operation: AsyncAPI 3 allows letters, digits, ``_`` and
    ``-`` only (the topic's real name is the channel's address)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _message_id(spec: EventSpec) -> str:
    return spec.model.__name__


def _events_on(topic: str) -> list[EventSpec]:
    return [spec for spec in EVENTS if spec.topic == topic]


def _channel(topic: TopicSpec, suffix: str) -> Doc:
    address = physical(topic.name, suffix)
    config: Doc = {"retention.ms": -1} if topic.unlimited_retention else {}
    kafka: Doc = {"topic": address, "bindingVersion": KAFKA_BINDING_VERSION}
    if config:
        kafka["topicConfiguration"] = config
    return {
        "address": address,
        "title": topic.name,
        "description": f"Produced by {topic.producer}; consumed by {', '.join(topic.consumers)}."
        + (" Records are kept forever: read models are rebuilt from them." if config else ""),
        "messages": {
            _message_id(spec): {"$ref": f"#/components/messages/{_message_id(spec)}"}
            for spec in _events_on(topic.name)
        },
        "bindings": {"kafka": kafka},
    }


def _dead_letter_channel(topic: TopicSpec, suffix: str) -> Doc:
    address = dlq_topic(physical(topic.name, suffix))
    return {
        "address": address,
        "title": dlq_topic(topic.name),
        "description": f"Records of {topic.name} that a consumer refused, with the reason. "
        "One partition, kept forever; read and replayed with `egov dlq`.",
        "messages": {DEAD_LETTER: {"$ref": f"#/components/messages/{DEAD_LETTER}"}},
        "bindings": {
            "kafka": {
                "topic": address,
                "partitions": 1,
                "topicConfiguration": {"retention.ms": -1},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(service: str, action: str, channel: str, messages: list[str], title: str) -> Doc:
    return {
        "action": action,
        "title": title,
        "channel": {"$ref": f"#/channels/{_key(channel)}"},
        "messages": [{"$ref": f"#/channels/{_key(channel)}/messages/{name}"} for name in messages],
        "x-service": service,
    }


def _operations(service: str, consumed: set[str]) -> Doc:
    operations: Doc = {}
    for topic in TOPICS:
        events = _events_on(topic.name)
        if topic.producer == service:
            sent = [_message_id(spec) for spec in events if spec.producer == service]
            operations[_key(f"{service}.send.{topic.name}")] = _operation(
                service, "send", topic.name, sent, f"{service} publishes on {topic.name}"
            )
        if topic.name in consumed:
            taken = [_message_id(spec) for spec in events if service in spec.consumers]
            operations[_key(f"{service}.receive.{topic.name}")] = _operation(
                service, "receive", topic.name, taken, f"{service} consumes {topic.name}"
            )
            dlq = dlq_topic(topic.name)
            operations[_key(f"{service}.send.{dlq}")] = _operation(
                service, "send", dlq, [DEAD_LETTER], f"{service} dead-letters what it refuses"
            )
    return operations


def contract_consumed(service: str) -> set[str]:
    """The topics ``service`` consumes according to the contracts."""
    return {spec.topic for spec in EVENTS if service in spec.consumers}


def _document(
    title: str,
    version: str,
    services: Iterable[str],
    consumed: dict[str, set[str]],
    servers: Doc,
    suffix: str,
) -> Doc:
    operations: Doc = {}
    for service in services:
        operations.update(_operations(service, consumed[service]))
    used = {op["channel"]["$ref"].removeprefix("#/channels/") for op in operations.values()}
    channels: Doc = {}
    for topic in TOPICS:
        if _key(topic.name) in used:
            channels[_key(topic.name)] = _channel(topic, suffix)
        if _key(dlq_topic(topic.name)) in used:
            channels[_key(dlq_topic(topic.name))] = _dead_letter_channel(topic, suffix)
    specs = [spec for spec in EVENTS if _key(spec.topic) in used]
    messages: Doc = {_message_id(spec): event_message(spec) for spec in specs}
    if any(_key(dlq_topic(topic.name)) in used for topic in TOPICS):
        messages[DEAD_LETTER] = dead_letter_message()
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": title,
            "version": version,
            "description": "CloudEvents 1.0 on Kafka in binary mode: the attributes are "
            "`ce_*` headers, the record value is the event data as JSON, the record key the "
            "aggregate id. Contracts: one type per event, `gov.egov.<name>.v1`; a breaking "
            "change is a new `.v2` type on a new topic.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": servers,
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": _schemas(specs),
            "messages": messages,
            "correlationIds": {
                CORRELATION_ID: {
                    "description": "The X-Correlation-Id of the HTTP request behind the event",
                    "location": f"$message.header#/{CORRELATION_HEADER}",
                }
            },
        },
    }


PLATFORM_SERVERS: Doc = {
    "kafka": {
        "host": "{bootstrap}",
        "protocol": "kafka",
        "description": "The platform's Kafka cluster (EGOV_KAFKA_BOOTSTRAP_SERVERS).",
        "variables": {"bootstrap": {"default": "127.0.0.1:9092"}},
    }
}


def platform_document(version: str) -> Doc:
    """Every service's operations in one document (``contracts/asyncapi.json``)."""
    consumed = {service: contract_consumed(service) for service in SERVICES}
    return _document("egov platform events", version, SERVICES, consumed, PLATFORM_SERVERS, "")


def service_document(
    service: str,
    version: str,
    *,
    consumed: set[str] | None = None,
    servers: Doc | None = None,
    topic_suffix: str = "",
) -> Doc:
    """One service's operations; ``consumed`` defaults to what the contracts say."""
    return _document(
        f"egov {service} events",
        version,
        [service],
        {service: contract_consumed(service) if consumed is None else consumed},
        servers if servers is not None else PLATFORM_SERVERS,
        topic_suffix,
    )


def _subscribed(broker: KafkaBroker) -> tuple[set[str], str]:
    """The contract topics the broker subscribes to, and the suffix of their names."""
    consumed: set[str] = set()
    suffix = ""
    for subscriber in broker.subscribers:
        for topic in getattr(subscriber, "topics", ()):
            name = str(getattr(topic, "name", topic))
            for spec in TOPICS:
                if name.startswith(spec.name):
                    consumed.add(spec.name)
                    suffix = name[len(spec.name) :]
    return consumed, suffix


def asyncapi_document(broker: KafkaBroker, service: str, version: str) -> Doc:
    """The running service's document: what its broker really subscribes to, the physical
    topic names (with a test run's suffix) and the broker's server."""
    consumed, suffix = _subscribed(broker)
    described = AsyncAPI(broker, title=f"egov {service}", version=version, schema_version="3.0.0")
    servers: Doc = described.to_specification().to_jsonable().get("servers") or PLATFORM_SERVERS
    return service_document(
        service, version, consumed=consumed, servers=servers, topic_suffix=suffix
    )
