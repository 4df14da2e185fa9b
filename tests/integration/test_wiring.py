"""Each topic a service is meant to consume has a subscriber in that service's app, and each
service's AsyncAPI document describes every event it produces or consumes."""

from __future__ import annotations

import importlib

import pytest

from shared.asyncapi import asyncapi_document
from shared.contracts import EVENTS
from shared.contracts.topics import (
    DOCUMENTS_EXCHANGE,
    DOCUMENTS_PUBLIC,
    LGSP_INBOUND,
    LGSP_STATUS,
)

# What each service consumes: the documents service the LGSP's delivery statuses and the
# documents agencies send in.
CONSUMED = {
    "portal": {DOCUMENTS_PUBLIC},
    "lgsp": {DOCUMENTS_PUBLIC, DOCUMENTS_EXCHANGE},
    "documents": {LGSP_STATUS, LGSP_INBOUND},
}


@pytest.mark.parametrize("service", ["documents", "portal", "lgsp"])
def test_the_app_subscribes_to_what_it_consumes_and_documents_its_events(service: str) -> None:
    settings = importlib.import_module(f"services.{service}.settings").Settings()
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    broker = app.state.runtime.broker
    subscribed = {
        getattr(topic, "name", topic)
        for sub in broker.subscribers
        for topic in getattr(sub, "topics", ())
    }
    assert subscribed == CONSUMED[service]
    published = {pub.topic for pub in broker.publishers}
    produced = {spec.topic for spec in EVENTS if spec.producer == service}
    assert published == produced
    doc = asyncapi_document(broker, service, "test")
    expected = {
        spec.ce_type
        for spec in EVENTS
        if spec.producer == service or (service in spec.consumers and spec.topic in subscribed)
    }
    described = {message["name"] for message in doc["components"]["messages"].values()}
    assert expected <= described
