"""Reading and re-sending dead letters (docs/architecture.md §8).

A dead letter is the original record (value, key, headers) in ``<topic>.dlq`` with
``dlq_reason``, ``dlq_consumer``, ``dlq_original_topic``, ``dlq_original_partition`` and
``dlq_original_offset`` added. Each dead-letter topic has one partition, so a dead letter is
named by its original topic and its offset there: ``egov.documents.public.v1@12``.

Replaying sends the original value, key and headers back to the original topic, with
``dlq_replayed_from`` naming the dead letter. Consumers deduplicate by event id and version
(``apply_if_newer``, inserts keyed by ``ce_id``), so a replay of an event that was applied
in the meantime, or a second replay, changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.contracts.topics import dlq_topic

DLQ_PREFIX = "dlq_"
REPLAYED_FROM = "dlq_replayed_from"
# A dead-letter topic is read in pages of this many records.
PAGE = 500


class DeadLetterNotFound(LookupError):
    """No dead letter by that name."""


@dataclass(frozen=True)
class DeadLetter:
    topic: str  # the original topic (physical name)
    offset: int  # in the dead-letter topic
    timestamp: dt.datetime
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def id(self) -> str:
        return format_id(self.topic, self.offset)

    @property
    def reason(self) -> str:
        return self.headers.get("dlq_reason", "")

    @property
    def consumer(self) -> str:
        return self.headers.get("dlq_consumer", "")

    @property
    def original_topic(self) -> str:
        return self.headers.get("dlq_original_topic", self.topic)

    def original_headers(self) -> dict[str, str]:
        """The headers the record had before it was dead-lettered."""
        return {k: v for k, v in self.headers.items() if not k.startswith(DLQ_PREFIX)}


def format_id(topic: str, offset: int) -> str:
    return f"{topic}@{offset}"


def parse_id(dead_letter_id: str) -> tuple[str, int]:
    topic, sep, offset = dead_letter_id.rpartition("@")
    if not sep or not topic or not offset.isdigit():
        raise DeadLetterNotFound(f"not a dead-letter id (topic@offset): {dead_letter_id!r}")
    return topic, int(offset)


def _text_headers(raw: Any) -> dict[str, str]:
    return {k: bytes(v).decode("utf-8", errors="replace") for k, v in raw or ()}


class DeadLetterStore:
    """The dead-letter topics of one cluster, read without a consumer group."""

    def __init__(self, bootstrap_servers: str, client_options: Mapping[str, Any] | None = None):
        self._bootstrap = bootstrap_servers
        self._options = dict(client_options or {})

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._options,
        )

    async def read(
        self, topic: str, *, start: int = 0, limit: int | None = None
    ) -> list[DeadLetter]:
        """The dead letters of ``topic`` from offset ``start`` (all of them by default)."""
        partition = TopicPartition(dlq_topic(topic), 0)
        consumer = self._consumer()
        await consumer.start()
        try:
            if partition.topic not in await consumer.topics():
                return []
            consumer.assign([partition])
            end = (await consumer.end_offsets([partition]))[partition]
            first = (await consumer.beginning_offsets([partition]))[partition]
            position = max(start, first)
            if position >= end:
                return []
            consumer.seek(partition, position)
            found: list[DeadLetter] = []
            while position < end and (limit is None or len(found) < limit):
                batch = await consumer.getmany(partition, timeout_ms=2_000, max_records=PAGE)
                records = batch.get(partition, [])
                if not records:
                    break
                for record in records:
                    position = record.offset + 1
                    if record.offset >= end or (limit is not None and len(found) >= limit):
                        break
                    found.append(
                        DeadLetter(
                            topic=topic,
                            offset=record.offset,
                            timestamp=dt.datetime.fromtimestamp(record.timestamp / 1000, dt.UTC),
                            key=record.key,
                            value=record.value or b"",
                            headers=_text_headers(record.headers),
                        )
                    )
            return found
        finally:
            await consumer.stop()

    async def get(self, dead_letter_id: str) -> DeadLetter:
        topic, offset = parse_id(dead_letter_id)
        found = await self.read(topic, start=offset, limit=1)
        if not found or found[0].offset != offset:
            raise DeadLetterNotFound(f"no dead letter {dead_letter_id}")
        return found[0]

    async def replay(self, letters: list[DeadLetter]) -> int:
        """Send each dead letter's original record back to its original topic, in order."""
        if not letters:
            return 0
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap, enable_idempotence=True, **self._options
        )
        await producer.start()
        try:
            for letter in letters:
                headers = {**letter.original_headers(), REPLAYED_FROM: letter.id}
                await producer.send_and_wait(
                    letter.original_topic,
                    letter.value,
                    key=letter.key,
                    headers=[(k, v.encode("utf-8")) for k, v in headers.items()],
                )
        finally:
            await producer.stop()
        return len(letters)
