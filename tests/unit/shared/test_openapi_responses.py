"""Every operation of the three services declares what it answers (a named view, a file or no
content), the main requests carry examples, and the LGSP documents its webhook calls."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from services.documents.app import create_app as documents_app
from services.lgsp.app import create_app as lgsp_app
from services.lgsp.domain.payload import delivery_payload
from services.portal.app import create_app as portal_app

APPS = {"documents": documents_app, "lgsp": lgsp_app, "portal": portal_app}


@pytest.fixture(scope="module", params=sorted(APPS))
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    doc: dict[str, Any] = APPS[request.param]().openapi()
    return doc


def _success(op: dict[str, Any]) -> dict[str, Any]:
    return {code: r for code, r in op["responses"].items() if code.startswith("2")}


def test_every_operation_declares_its_success_answer(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, op in item.items():
            success = _success(op)
            assert success, (method, path)
            for code, response in success.items():
                content = response.get("content") or {}
                if code == "204":
                    assert not content, (method, path)
                    continue
                assert content, (method, path, code)
                for media, body in content.items():
                    schema = body["schema"]
                    if schema.get("format") == "binary" or media.endswith("xml"):
                        continue
                    ref = schema.get("$ref", "")
                    name = ref.rsplit("/", 1)[-1]
                    assert name in schemas, (method, path, code, schema)
                    assert name.endswith(("View", "List", "Page", "Catalogue", "Answer")), name


def test_the_main_requests_carry_examples() -> None:
    for factory, models in (
        (documents_app, ("DocumentCreate", "VerificationRequest", "IncomingAssign")),
        (lgsp_app, ("PartnerCreate", "ReplayRequest", "SubscriptionCreate", "StatusReport")),
    ):
        schemas = factory().openapi()["components"]["schemas"]
        for name in models:
            assert schemas[name].get("examples"), name
    send_in = lgsp_app().openapi()["paths"]["/api/v1/inbound"]["post"]["requestBody"]
    assert send_in["content"]["application/json"]["example"]["header"]["from_organ_id"]


def test_the_lgsp_documents_its_webhook_as_a_signed_cloudevent() -> None:
    doc = lgsp_app().openapi()
    [operation] = doc["webhooks"]["document-event"].values()
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert {"200", "410", "429", "503", "default"} <= operation["responses"].keys()
    assert "422" not in operation["responses"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    required = set(body["required"])
    assert {"specversion", "id", "source", "type", "subject", "time", "datacontenttype"} <= required
    # The documented example is what the LGSP sends, and a valid CloudEvent.
    [example] = body["examples"]
    sent = delivery_payload(
        example["id"],
        example["type"],
        dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC),
        example["subject"],
        example["data"],
        "https://lgsp.example",
    )
    assert sent == example
    message = HTTPMessage(
        headers={"content-type": "application/cloudevents+json"}, body=json.dumps(example).encode()
    )
    event = from_structured(message, JSONFormat(), CloudEvent)
    assert event.get_specversion() == "1.0" and event.get_source() == "urn:egov:documents"
