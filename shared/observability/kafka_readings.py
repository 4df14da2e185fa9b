"""Consumer lag and dead letters, read from the broker's offsets rather than from events.

Lag is the end offset of each partition minus the group's committed offset, so it grows
while a consumer stalls (the age of the last handled event would freeze instead). A
partition the group never committed counts from its first record, as the group starts at
the earliest offset. Dead letters held are the records in each ``<topic>.dlq``.

One reading is three broker requests (topic metadata, the group's committed offsets, the
first and end offsets), whatever the history: no record is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.contracts.topics import dlq_topic
from shared.logging import get_logger
from shared.metrics import CONSUMER_LAG, DEAD_LETTERS_HELD, KAFKA_METRICS_UP

log = get_logger(__name__)


@dataclass(frozen=True)
class Reading:
    lag: dict[tuple[str, int], int]  # (topic, partition) -> records behind
    dead_letters: dict[str, int]  # original topic -> records in its .dlq


def partition_lag(end: int, committed: int | None, beginning: int) -> int:
    """Records the group has not committed in one partition."""
    start = committed if committed is not None and committed >= 0 else beginning
    return max(0, end - start)


class KafkaReadings:
    """Reads the lag of one consumer group on its topics, and their dead-letter topics."""

    def __init__(
        self,
        bootstrap_servers: str,
        group_id: str,
        topics: Callable[[], Sequence[str]],
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._group = group_id
        self._topics = topics
        self._options = dict(client_options or {})
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._offsets is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self._bootstrap, request_timeout_ms=10_000, **self._options
            )
            offsets = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap,
                group_id=None,
                enable_auto_commit=False,
                request_timeout_ms=10_000,
                **self._options,
            )
            await admin.start()
            try:
                await offsets.start()
            except Exception:
                await admin.close()
                raise
            self._admin, self._offsets = admin, offsets
        return self._admin, self._offsets

    async def close(self) -> None:
        if self._offsets is not None:
            await self._offsets.stop()
        if self._admin is not None:
            await self._admin.close()
        self._admin = self._offsets = None

    async def read(self) -> Reading:
        admin, offsets = await self._clients()
        topics = sorted(set(self._topics()))
        dlqs = {dlq_topic(t): t for t in topics}
        described = await admin.describe_topics([*topics, *dlqs])
        partitions = [
            TopicPartition(d["topic"], p["partition"])
            for d in described
            if not d["error_code"]
            for p in d["partitions"]
        ]
        committed_raw = await admin.list_consumer_group_offsets(self._group)
        committed = {tp: meta.offset for tp, meta in committed_raw.items()}
        beginning = await offsets.beginning_offsets(partitions)
        end = await offsets.end_offsets(partitions)
        lag: dict[tuple[str, int], int] = {}
        held: dict[str, int] = {}
        for tp in partitions:
            if tp.topic in dlqs:
                original = dlqs[tp.topic]
                held[original] = held.get(original, 0) + max(0, end[tp] - beginning[tp])
            else:
                lag[(tp.topic, tp.partition)] = partition_lag(
                    end[tp], committed.get(tp), beginning[tp]
                )
        return Reading(lag, held)

    async def report(self) -> None:
        """Read and set the gauges; a failed reading clears ``egov_kafka_metrics_up``."""
        try:
            reading = await self.read()
        except Exception as exc:
            KAFKA_METRICS_UP.set(0)
            log.warning("metrics.kafka_unreadable", error=f"{type(exc).__name__}: {exc}")
            await self.close()  # reconnect on the next round
            return
        KAFKA_METRICS_UP.set(1)
        for (topic, partition), behind in reading.lag.items():
            CONSUMER_LAG.labels(self._group, topic, str(partition)).set(behind)
        for topic, count in reading.dead_letters.items():
            DEAD_LETTERS_HELD.labels(topic).set(count)
