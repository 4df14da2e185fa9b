"""The FastStream Kafka broker every service uses: idempotent producer, explicit acks."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

from shared.messaging.kafka_security import broker_security
from shared.settings import ServiceSettings


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    # enable_idempotence gives acks=all and no duplicates from the producer's own retries.
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"egov-{settings.service_name}",
        enable_idempotence=True,
        request_timeout_ms=15_000,
        logger=None,
        security=broker_security(settings),
        # W3C trace context in the records' headers: a span per publish and per record
        # processed, in the trace of the work that produced the record.
        middlewares=[KafkaTelemetryMiddleware(include_messages_counters=False)],
    )
