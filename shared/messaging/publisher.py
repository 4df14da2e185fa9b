"""Publishes contract events with the CloudEvents envelope on an idempotent producer."""

from __future__ import annotations

from typing import Protocol

from faststream.kafka import KafkaBroker

from shared.contracts.events import EventData
from shared.contracts.topics import physical
from shared.logging import current_correlation_id
from shared.messaging.envelope import TRACEPARENT_HEADER, OutgoingRecord, build_record
from shared.observability.tracing import resumed


class RecordSink(Protocol):
    async def send(self, record: OutgoingRecord) -> None: ...


class EventPublisher:
    def __init__(self, broker: KafkaBroker, *, source: str, topic_suffix: str = "") -> None:
        self._broker = broker
        self.source = source
        self.topic_suffix = topic_suffix

    def record_for(self, event: EventData, *, correlation_id: str | None = None) -> OutgoingRecord:
        return build_record(
            event, source=self.source, correlation_id=correlation_id or current_correlation_id()
        )

    async def send(self, record: OutgoingRecord) -> None:
        """Send one record and wait for the broker's acknowledgement (acks=all).

        The publish span joins the trace the record was written in, even when a relay sends
        it later from another task or replica.
        """
        with resumed(record.headers.get(TRACEPARENT_HEADER)):
            await self._broker.publish(
                record.value,
                physical(record.topic, self.topic_suffix),
                key=record.key.encode("utf-8"),
                headers=dict(record.headers),
            )

    async def publish(self, event: EventData, *, correlation_id: str | None = None) -> str:
        record = self.record_for(event, correlation_id=correlation_id)
        await self.send(record)
        return record.event_id

    async def send_raw(
        self, topic: str, value: bytes, *, key: bytes | None, headers: dict[str, str]
    ) -> None:
        """For dead letters: the original bytes, not a contract model."""
        await self._broker.publish(value, topic, key=key, headers=headers)
