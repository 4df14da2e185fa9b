"""The AsyncAPI document of a service, generated from its broker and the contracts."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from shared.contracts.events import EVENTS
from shared.messaging.envelope import REQUIRED_HEADERS


def declare_publishers(broker: KafkaBroker, service: str, topic_suffix: str = "") -> None:
    """Declare what the service produces so that its channels appear in the document."""
    for spec in EVENTS:
        if spec.producer == service:
            broker.publisher(
                spec.topic + topic_suffix,
                title=f"{service}:{spec.ce_type}",
                description=f"{spec.ce_type} for {', '.join(spec.consumers)}",
                schema=spec.model,
            )


def asyncapi_document(broker: KafkaBroker, service: str, version: str) -> dict[str, Any]:
    spec = AsyncAPI(broker, title=f"egov {service}", version=version, schema_version="3.0.0")
    doc: dict[str, Any] = spec.to_specification().to_jsonable()
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    messages = components.setdefault("messages", {})
    headers_schema = {
        "type": "object",
        "required": list(REQUIRED_HEADERS),
        "properties": {h: {"type": "string"} for h in (*REQUIRED_HEADERS, "traceparent")},
    }
    for event in EVENTS:
        role = "produces" if event.producer == service else None
        if service in event.consumers:
            role = "consumes"
        if role is None:
            continue
        name = event.model.__name__
        schemas[name] = event.model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schemas[name].pop("$defs", {}))
        messages[event.ce_type] = {
            "name": event.ce_type,
            "title": f"{event.ce_type} on {event.topic}",
            "contentType": "application/json",
            "headers": headers_schema,
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "x-egov-role": role,
            "x-egov-topic": event.topic,
        }
    return doc
