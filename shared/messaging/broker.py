"""The FastStream Kafka broker every service uses: idempotent producer, explicit acks."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from shared.settings import ServiceSettings


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    # enable_idempotence gives acks=all and no duplicates from the producer's own retries.
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"egov-{settings.service_name}",
        enable_idempotence=True,
        request_timeout_ms=15_000,
        logger=None,
    )
