"""JSON Schemas of the contracts, for consumers written in any language.

One schema per event type (the record value on Kafka, ``gov.egov.<name>.v1``) and one per
webhook body (the CloudEvents 1.0 structured-mode JSON the LGSP posts to partners), generated
from the contract models. ``egov contracts`` writes them into ``contracts/``; the unit tests
fail when the committed files are stale or when a ``.v1`` schema changed incompatibly
(``shared/contracts/compatibility.py``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from shared.contracts.events import EVENTS, EventSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_PREFIX = "urn:egov:contracts:"
EVENTS_DIR = "events"
WEBHOOKS_DIR = "webhooks"
# What partners receive: every event the LGSP consumes is routed to them (§11).
WEBHOOK_SENDER = "lgsp"
ATTACHMENT_LINK = "AttachmentLink"

Schema = dict[str, Any]


def payload_schema(spec: EventSpec) -> Schema:
    """The event data's schema as pydantic generates it (``$defs`` for nested models)."""
    return spec.model.model_json_schema(mode="validation")


def event_schema(spec: EventSpec) -> Schema:
    """The schema of the Kafka record value of one event type."""
    body = payload_schema(spec)
    return {
        "$schema": DIALECT,
        "$id": f"{ID_PREFIX}{EVENTS_DIR}:{spec.ce_type}",
        "x-cloudevents-type": spec.ce_type,
        "x-kafka-topic": spec.topic,
        "x-producer": spec.producer,
        **body,
    }


def webhook_specs() -> tuple[EventSpec, ...]:
    return tuple(spec for spec in EVENTS if WEBHOOK_SENDER in spec.consumers)


def _attachment_link(claim_check: Schema) -> Schema:
    """A claim check as partners see it: the LGSP's absolute ``url`` instead of the
    producer's ``fetch_path``."""
    link = copy.deepcopy(claim_check)
    link["title"] = ATTACHMENT_LINK
    link["description"] = "An attachment and the URL on the LGSP where the partner fetches it."
    properties = {k: v for k, v in link["properties"].items() if k != "fetch_path"}
    properties["url"] = {"type": "string", "format": "uri", "title": "Url"}
    link["properties"] = properties
    link["required"] = [k for k in link.get("required", []) if k != "fetch_path"] + ["url"]
    return link


def webhook_schema(spec: EventSpec) -> Schema:
    """The schema of the JSON body the LGSP posts to a partner's webhook for one event type."""
    data = payload_schema(spec)
    defs: Schema = data.pop("$defs", {})
    name = spec.model.__name__
    attachments = data.get("properties", {}).get("attachments")
    if attachments and attachments.get("items", {}).get("$ref") == "#/$defs/ClaimCheck":
        defs[ATTACHMENT_LINK] = _attachment_link(defs["ClaimCheck"])
        attachments["items"] = {"$ref": f"#/$defs/{ATTACHMENT_LINK}"}
        others = [data, *(v for k, v in defs.items() if k != "ClaimCheck")]
        if "#/$defs/ClaimCheck" not in json.dumps(others):
            defs.pop("ClaimCheck")
    defs[name] = data
    return {
        "$schema": DIALECT,
        "$id": f"{ID_PREFIX}{WEBHOOKS_DIR}:{spec.ce_type}",
        "title": f"Webhook body: {spec.ce_type}",
        "description": (
            "A CloudEvents 1.0 event in structured JSON mode, as POSTed to a partner's webhook "
            "(signed per Standard Webhooks; `id` equals the `webhook-id` header)."
        ),
        "x-cloudevents-type": spec.ce_type,
        "type": "object",
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "minLength": 1},
            "source": {"const": f"urn:egov:{spec.producer}"},
            "type": {"const": spec.ce_type},
            "subject": {"type": "string", "minLength": 1},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "data": {"$ref": f"#/$defs/{name}"},
        },
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "data",
        ],
        "$defs": defs,
    }


def contract_schemas() -> dict[str, Schema]:
    """Every schema by its path under ``contracts/``."""
    files = {f"{EVENTS_DIR}/{spec.ce_type}.json": event_schema(spec) for spec in EVENTS}
    files.update(
        {f"{WEBHOOKS_DIR}/{spec.ce_type}.json": webhook_schema(spec) for spec in webhook_specs()}
    )
    return files
