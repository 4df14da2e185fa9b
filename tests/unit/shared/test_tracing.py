"""The trace context an event is written in is the one it is published and consumed in."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from shared.contracts import DocumentRevoked
from shared.messaging.envelope import build_record, parse_record
from shared.messaging.publisher import EventPublisher
from shared.observability.tracing import (
    configure_tracing,
    current_ids,
    current_traceparent,
    span_in,
    traces_endpoint,
)

EVENT = DocumentRevoked(
    document_id="doc-1",
    document_version=3,
    notation="01/QĐ-BNG",
    reason="sai sót",
    revoked_at="2025-06-02T03:00:00Z",
)


class RecordingBroker:
    """Stands in for Kafka: notes the trace current when a record is published."""

    def __init__(self) -> None:
        self.published: list[tuple[str | None, dict[str, str]]] = []

    async def publish(self, value: bytes, topic: str, **kwargs: Any) -> None:
        ids = current_ids()
        self.published.append((ids[0] if ids else None, dict(kwargs["headers"])))


def setup_module() -> None:
    configure_tracing("documents")
    assert isinstance(trace.get_tracer_provider(), TracerProvider)


def test_an_event_built_in_a_span_carries_that_span_s_trace() -> None:
    with span_in(None, "issue") as span:
        record = build_record(EVENT, source="urn:egov:documents")
        trace_id = f"{span.get_span_context().trace_id:032x}"
    traceparent = record.headers["traceparent"]
    assert traceparent.split("-")[1] == trace_id
    assert parse_record(record.headers, record.value).meta.traceparent == traceparent


def test_outside_any_trace_an_event_gets_a_fresh_trace_id_of_its_own() -> None:
    assert current_traceparent() is None
    first = build_record(EVENT, source="urn:egov:documents").headers["traceparent"]
    second = build_record(EVENT, source="urn:egov:documents").headers["traceparent"]
    assert first.split("-")[1] != second.split("-")[1]


async def test_a_relay_publishing_later_publishes_in_the_writer_s_trace() -> None:
    with span_in(None, "issue") as span:
        record = build_record(EVENT, source="urn:egov:documents")  # into the outbox
        writer_trace = f"{span.get_span_context().trace_id:032x}"
    broker = RecordingBroker()
    publisher = EventPublisher(broker, source="urn:egov:documents")  # type: ignore[arg-type]
    with span_in(None, "sweep"):  # the sweeper's own work, another trace
        await publisher.send(record)
    published_trace, headers = broker.published[0]
    assert published_trace == writer_trace
    assert headers["ce_id"] == record.event_id


def test_a_stored_trace_context_is_continued_and_a_broken_one_ignored() -> None:
    with span_in(None, "consume") as span:
        stored = current_traceparent()
        trace_id = span.get_span_context().trace_id
    with span_in(stored, "lgsp.deliver") as child:
        assert child.get_span_context().trace_id == trace_id
    with span_in("00-not-a-trace", "lgsp.deliver") as fresh:
        assert fresh.get_span_context().trace_id != trace_id


def test_the_collector_address_names_its_traces_path() -> None:
    assert traces_endpoint("http://collector:4318") == "http://collector:4318/v1/traces"
    assert traces_endpoint("http://collector:4318/v1/traces/") == "http://collector:4318/v1/traces"
