"""Dead letters as ``egov dlq`` shows them, read-only: each dead-letter topic's newest
records with the reason, read straight from Kafka (no database is involved).

A page reads at most ``count`` records of each dead-letter topic (there are four), from the
end of the topic backwards, never the whole topic; older ones are reached page by page.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from services.lgsp.settings import Settings
from services.lgsp.web.forms import ConsoleInputInvalid
from shared.contracts.topics import TOPICS, dlq_topic, physical
from shared.kit.errors import NotFound
from shared.messaging.dead_letters import (
    DeadLetter,
    DeadLetterNotFound,
    DeadLetterStore,
    parse_id,
)
from shared.messaging.kafka_security import client_options

READ_TIMEOUT_S = 15.0
MAX_VALUE_CHARS = 20_000  # a dead letter's value shown on its page, at most


class DeadLettersUnreadable(Exception):
    """Kafka did not answer in time: the page says so (503) instead of hanging."""


class DeadLetterMissing(NotFound):
    def __init__(self) -> None:
        super().__init__("no such dead letter")


@dataclass(frozen=True)
class TopicLetters:
    topic: str  # the original topic's logical name
    letters: list[DeadLetter]
    older_than: int | None  # the offset to go on from towards older letters


class DeadLetterReader:
    def __init__(self, settings: Settings) -> None:
        self._options = client_options(settings)
        self._bootstrap = settings.kafka_bootstrap_servers
        self._store = DeadLetterStore(self._bootstrap, self._options)
        self._topics = {spec.name: physical(spec.name, settings.topic_suffix) for spec in TOPICS}

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    async def newest(
        self, topic: str | None, count: int, before: int | None = None
    ) -> list[TopicLetters]:
        """Each topic's (or one topic's) newest ``count`` dead letters, newest first; with
        ``before``, those older than that offset."""
        chosen = [topic] if topic else self.topics
        if any(name not in self._topics for name in chosen):
            raise ConsoleInputInvalid("unknown topic", field="topic")
        try:
            async with asyncio.timeout(READ_TIMEOUT_S):
                ends = await self._end_offsets([self._topics[name] for name in chosen])
                found = []
                for name in chosen:
                    end = ends.get(self._topics[name], 0)
                    if before is not None:
                        end = min(end, max(before, 0))
                    start = max(end - count, 0)
                    letters = (
                        await self._store.read(self._topics[name], start=start, limit=end - start)
                        if end > start
                        else []
                    )
                    letters = [letter for letter in letters if letter.offset < end]
                    letters.reverse()
                    found.append(TopicLetters(name, letters, start if start > 0 else None))
                return found
        except (TimeoutError, KafkaError, OSError) as exc:
            raise DeadLettersUnreadable("the dead-letter topics cannot be read now") from exc

    async def one(self, dead_letter_id: str) -> DeadLetter:
        try:
            topic, _ = parse_id(dead_letter_id)
        except DeadLetterNotFound as exc:
            raise DeadLetterMissing() from exc
        if topic not in self._topics.values():
            raise DeadLetterMissing()
        try:
            async with asyncio.timeout(READ_TIMEOUT_S):
                return await self._store.get(dead_letter_id)
        except DeadLetterNotFound as exc:
            raise DeadLetterMissing() from exc
        except (TimeoutError, KafkaError, OSError) as exc:
            raise DeadLettersUnreadable("the dead-letter topics cannot be read now") from exc

    async def _end_offsets(self, topics: list[str]) -> dict[str, int]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            **self._options,
        )
        await consumer.start()
        try:
            existing = await consumer.topics()
            partitions = [
                TopicPartition(dlq_topic(t), 0) for t in topics if dlq_topic(t) in existing
            ]
            if not partitions:
                return {}
            ends = await consumer.end_offsets(partitions)
            return {p.topic.removesuffix(dlq_topic("")): offset for p, offset in ends.items()}
        finally:
            await consumer.stop()


def shown_value(letter: DeadLetter) -> str:
    """The record's value as text: JSON indented, anything else as UTF-8; cut when long."""
    try:
        text = json.dumps(json.loads(letter.value), ensure_ascii=False, indent=2)
    except ValueError:
        text = letter.value.decode("utf-8", errors="replace")
    if len(text) > MAX_VALUE_CHARS:
        return text[:MAX_VALUE_CHARS] + "\n…"
    return text
