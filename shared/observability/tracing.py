"""OpenTelemetry tracing: one trace follows a document through the three services.

The W3C trace context travels in the ``traceparent`` header of HTTP requests and of Kafka
records (docs/architecture.md §3). An event built inside a span carries that span's context;
the outbox stores it with the record, so the relay that publishes later (perhaps the sweeper
of another replica) publishes *in* the writer's trace; consumers continue it, and work they
hand to background jobs (the LGSP's deliveries) keeps it on the job.

Spans are always made, so every log line names its trace; they are exported only when an
OTLP endpoint is configured (``EGOV_OTLP_ENDPOINT`` or the standard
``OTEL_EXPORTER_OTLP_ENDPOINT``). ``OTEL_SDK_DISABLED=true`` turns tracing off altogether.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from fastapi import FastAPI

TRACEPARENT = "traceparent"
# Probes and scrapes would fill the traces with noise.
UNTRACED_URLS = "/healthz,/readyz,/metrics"
_PROPAGATOR = TraceContextTextMapPropagator()
_configured = False


def traces_endpoint(base: str) -> str:
    """The OTLP/HTTP traces URL of a collector given by its base URL (``…:4318``)."""
    base = base.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


def configure_tracing(service: str, otlp_endpoint: str = "") -> None:
    """Install the process's tracer provider and instrument its libraries, once.

    One process runs one service, so the provider (which names the service) is global. Later
    calls (tests build several apps in one process) keep the first provider.
    """
    global _configured
    if _configured:
        return
    _configured = True
    provider = TracerProvider(resource=Resource.create({"service.name": f"egov-{service}"}))
    explicit = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
    if otlp_endpoint or explicit:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = explicit or traces_endpoint(otlp_endpoint)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    _instrument_libraries()


def _instrument_libraries() -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

    # Statements are not captured: a span never carries a document's content.
    for instrumentor in (HTTPXClientInstrumentor(), PymongoInstrumentor()):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def instrument_app(app: FastAPI) -> None:
    """A server span per request, continuing the caller's ``traceparent``."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=UNTRACED_URLS, exclude_spans=["receive", "send"]
    )


def flush() -> None:
    """Export what is buffered (at shutdown, so the last spans are not lost)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(5_000)


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span in hex, or None outside any trace."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return f"{span_context.trace_id:032x}", f"{span_context.span_id:016x}"


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, or None outside any trace."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def _context_of(traceparent: str | None) -> context.Context | None:
    if not traceparent:
        return None
    extracted = _PROPAGATOR.extract({TRACEPARENT: traceparent})
    return extracted if trace.get_current_span(extracted).get_span_context().is_valid else None


@contextmanager
def resumed(traceparent: str | None) -> Iterator[None]:
    """Run the block in the trace a stored ``traceparent`` names (unchanged if none)."""
    ctx = _context_of(traceparent)
    if ctx is None:
        yield
        return
    token = context.attach(ctx)
    try:
        yield
    finally:
        context.detach(token)


@contextmanager
def span_in(
    traceparent: str | None,
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[Span]:
    """A span continuing the trace of a stored ``traceparent`` (else the current one)."""
    tracer = trace.get_tracer("egov")
    parent = _context_of(traceparent)
    with tracer.start_as_current_span(
        name, context=parent, kind=kind, attributes=dict(attributes or {})
    ) as span:
        yield span
