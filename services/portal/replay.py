"""The public topic read from given offsets to given ends, in batches, without a consumer
group (a rebuild commits nothing and never disturbs the live consumers' offsets)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.portal.services.rebuild import Positions, Replayed
from services.portal.settings import Settings
from shared.contracts.topics import DOCUMENTS_PUBLIC, physical
from shared.logging import get_logger
from shared.messaging.envelope import EnvelopeError, parse_record
from shared.messaging.kafka_security import client_options

log = get_logger(__name__)
POLL_MS = 1000
# The first batch is small and each next one twice as large, up to the full size: the
# store starts writing at once, and each write lasts about as long as the next fold.
FIRST_BATCH = 100


class KafkaReplaySource:
    def __init__(self, settings: Settings, *, batch: int = 1000, first: int = FIRST_BATCH) -> None:
        self._topic = physical(DOCUMENTS_PUBLIC, settings.topic_suffix)
        self._batch = batch
        self._first = min(first, batch)
        self._bootstrap = settings.kafka_bootstrap_servers
        self._options = client_options(settings)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=batch,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
            **self._options,
        )
        self._partitions: list[TopicPartition] = []
        self.skipped = 0  # records the live consumer dead-lettered too

    async def __aenter__(self) -> KafkaReplaySource:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, **self._options)
        await admin.start()
        try:
            described = await admin.describe_topics([self._topic])
        finally:
            await admin.close()
        numbers = {
            int(p["partition"])
            for topic in described
            if topic.get("topic") == self._topic and not topic.get("error_code")
            for p in topic.get("partitions", [])
        }
        await self._consumer.start()
        if not numbers:
            await self._consumer.stop()
            raise RuntimeError(f"topic {self._topic} does not exist")
        self._partitions = [TopicPartition(self._topic, p) for p in sorted(numbers)]
        self._consumer.assign(self._partitions)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._consumer.stop()

    async def start_offsets(self) -> Positions:
        found = await self._consumer.beginning_offsets(self._partitions)
        return {tp.partition: offset for tp, offset in found.items()}

    async def end_offsets(self) -> Positions:
        found = await self._consumer.end_offsets(self._partitions)
        return {tp.partition: offset for tp, offset in found.items()}

    async def batches(self, since: Positions, until: Positions) -> AsyncIterator[list[Replayed]]:
        """Parsed events from ``since`` up to ``until`` (exclusive), partition order kept."""
        left: dict[TopicPartition, int] = {}
        for tp in self._partitions:
            start, end = since.get(tp.partition, 0), until.get(tp.partition, 0)
            if start < end:
                self._consumer.seek(tp, start)
                left[tp] = end
        paused = [tp for tp in self._partitions if tp not in left]
        self._consumer.pause(*paused)
        try:
            batch: list[Replayed] = []
            size = self._first
            while left:
                fetched = await self._consumer.getmany(
                    *left, timeout_ms=POLL_MS, max_records=size - len(batch)
                )
                for tp, records in fetched.items():
                    end = left.get(tp, 0)
                    for record in records:
                        if record.offset >= end:
                            break
                        replayed = self._parse(record)
                        if replayed is not None:
                            batch.append(replayed)
                for tp, end in list(left.items()):
                    if await self._consumer.position(tp) >= end:
                        del left[tp]
                        self._consumer.pause(tp)
                if batch and (len(batch) >= size or not left):
                    yield batch
                    batch, size = [], min(self._batch, size * 2)
        finally:
            self._consumer.resume(*self._partitions)

    def _parse(self, record: Any) -> Replayed | None:
        try:
            envelope = parse_record(record.headers or (), record.value)
        except EnvelopeError as exc:
            self.skipped += 1
            log.info("rebuild.record_skipped", offset=record.offset, why=str(exc))
            return None
        return Replayed(envelope.data, envelope.meta.id)
