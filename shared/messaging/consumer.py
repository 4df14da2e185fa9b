"""Consumers that never lose a record and never stall on one.

Each record is parsed into its contract; transient failures are retried a bounded number of
times with backoff; a record that can never succeed goes to ``<topic>.dlq`` with the reason
and its origin in headers; only then is the offset committed. Handlers must be idempotent:
delivery is at-least-once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage

from shared.contracts.events import EventData
from shared.contracts.topics import dlq_topic, physical
from shared.kit.errors import DomainError
from shared.logging import correlation_id_var, get_logger
from shared.messaging.envelope import CloudEventMeta, EnvelopeError, parse_record
from shared.messaging.publisher import EventPublisher
from shared.metrics import DEAD_LETTERS, EVENT_AGE, EVENTS_CONSUMED

Handler = Callable[[Any, CloudEventMeta], Awaitable[None]]
log = get_logger(__name__)


class RejectEvent(Exception):
    """Raised by a handler for an event that must never be applied (dead-lettered at once)."""


async def publish_dead_letter(
    publisher: EventPublisher,
    original_topic: str,
    value: bytes,
    *,
    key: bytes | None,
    reason: str,
    consumer: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Send a record that can never succeed to ``<topic>.dlq``, saying why and by whom."""
    all_headers = dict(headers or {})
    all_headers.update(
        {
            "dlq_reason": reason[:2000],
            "dlq_consumer": consumer,
            "dlq_original_topic": original_topic,
        }
    )
    await publisher.send_raw(dlq_topic(original_topic), value, key=key, headers=all_headers)
    DEAD_LETTERS.labels(original_topic).inc()


async def dead_letter(publisher: EventPublisher, raw: Any, reason: str, *, consumer: str) -> None:
    headers: dict[str, str] = {}
    for key, value in raw.headers or ():
        if isinstance(value, bytes):
            headers[key] = value.decode("utf-8", errors="replace")
    headers["dlq_original_partition"] = str(raw.partition)
    headers["dlq_original_offset"] = str(raw.offset)
    await publish_dead_letter(
        publisher,
        raw.topic,
        raw.value or b"",
        key=raw.key,
        reason=reason,
        consumer=consumer,
        headers=headers,
    )
    log.warning(
        "event.dead_lettered",
        topic=raw.topic,
        offset=raw.offset,
        reason=reason,
        outcome="dead_lettered",
    )


async def _raw_body(msg: StreamMessage[Any]) -> Any:
    # Never let the framework decode: a record that is not JSON must reach the parser here
    # and become a dead letter with its reason, not an error inside the framework.
    return msg.body


def subscribe(
    broker: KafkaBroker,
    publisher: EventPublisher,
    topic: str,
    handlers: Mapping[type[EventData], Handler],
    *,
    group_id: str,
    consumer: str,
    max_retries: int = 3,
    backoff_s: float = 0.2,
) -> None:
    """Register one consumer-group subscriber on ``topic`` dispatching by event type."""
    by_type = {model.ce_type(): handler for model, handler in handlers.items()}
    name = physical(topic, publisher.topic_suffix)

    @broker.subscriber(
        name,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        decoder=_raw_body,
        title=f"{consumer}:{topic}",
        description=f"{consumer} consumes {', '.join(sorted(by_type))}",
    )
    async def _consume(msg: KafkaMessage) -> None:
        raw = msg.raw_message
        assert not isinstance(raw, tuple)
        try:
            await _process(raw)
        except Exception:
            # The dead-letter topic itself is unreachable: rewind and try again later.
            log.exception("event.dead_letter_failed", topic=raw.topic, offset=raw.offset)
            await asyncio.sleep(1.0)
            await msg.nack()
            return
        await msg.ack()

    async def _process(raw: Any) -> None:
        try:
            envelope = parse_record(raw.headers or (), raw.value)
        except EnvelopeError as exc:
            EVENTS_CONSUMED.labels(topic, "invalid", "dead_lettered").inc()
            await dead_letter(publisher, raw, str(exc), consumer=consumer)
            return
        meta, data = envelope.meta, envelope.data
        handler = by_type.get(meta.type)
        if handler is None:
            # A valid event of this topic meant for other consumers.
            EVENTS_CONSUMED.labels(topic, meta.type, "ignored").inc()
            return
        token = correlation_id_var.set(meta.correlation_id)
        try:
            # The subject is the aggregate: the document (or inbound message) the event is about.
            with structlog.contextvars.bound_contextvars(
                event_id=meta.id, event_type=meta.type, document_id=meta.subject
            ):
                await _with_retries(raw, handler, data, meta)
        finally:
            correlation_id_var.reset(token)

    async def _with_retries(
        raw: Any, handler: Handler, data: EventData, meta: CloudEventMeta
    ) -> None:
        attempt = 0
        while True:
            try:
                await handler(data, meta)
                EVENTS_CONSUMED.labels(topic, meta.type, "applied").inc()
                EVENT_AGE.labels(topic, meta.type).observe(
                    max(0.0, time.time() - meta.time.timestamp())
                )
                log.info("event.handled", topic=topic, outcome="applied", attempts=attempt + 1)
                return
            except (RejectEvent, DomainError) as exc:
                # A domain error never goes away by retrying: the event is dead-lettered.
                EVENTS_CONSUMED.labels(topic, meta.type, "rejected").inc()
                await dead_letter(publisher, raw, f"rejected: {exc}", consumer=consumer)
                return
            except Exception as exc:
                attempt += 1
                if attempt > max_retries:
                    EVENTS_CONSUMED.labels(topic, meta.type, "failed").inc()
                    reason = f"failed after {max_retries} retries: {type(exc).__name__}: {exc}"
                    await dead_letter(publisher, raw, reason, consumer=consumer)
                    return
                log.warning("event.retry", attempt=attempt, error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
