"""Explicit, idempotent topic creation (the broker never auto-creates topics).

In production only the topic job creates topics (with its replication factor); the services
then start with ``EGOV_CREATE_TOPICS=false`` and wait until the topics exist.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.contracts.topics import TOPICS, dlq_topic, physical

TOPIC_ALREADY_EXISTS = 36


class TopicsMissingError(RuntimeError):
    """The topics the platform needs do not exist and this process may not create them."""


def planned_topics(
    suffix: str = "",
    partitions: int = 6,
    replication: int = 1,
    min_insync_replicas: int | None = None,
) -> list[NewTopic]:
    durability = {"min.insync.replicas": str(min_insync_replicas)} if min_insync_replicas else {}
    planned: list[NewTopic] = []
    for spec in TOPICS:
        config = {"retention.ms": "-1", "retention.bytes": "-1"} if spec.unlimited_retention else {}
        planned.append(
            NewTopic(
                physical(spec.name, suffix),
                partitions,
                replication,
                topic_configs={**config, **durability},
            )
        )
        # Dead letters are kept too: they are the evidence an operator needs.
        planned.append(
            NewTopic(
                dlq_topic(physical(spec.name, suffix)),
                1,
                replication,
                topic_configs={"retention.ms": "-1", **durability},
            )
        )
    return planned


def _admin(bootstrap_servers: str, security: Mapping[str, Any] | None) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=15_000, **(security or {})
    )


async def ensure_topics(
    bootstrap_servers: str,
    *,
    suffix: str = "",
    partitions: int = 6,
    replication: int = 1,
    min_insync_replicas: int | None = None,
    security: Mapping[str, Any] | None = None,
) -> list[str]:
    """Create every topic that does not exist yet; return the names created."""
    admin = _admin(bootstrap_servers, security)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        planned = planned_topics(suffix, partitions, replication, min_insync_replicas)
        missing = [t for t in planned if t.name not in existing]
        created: list[str] = []
        for topic in missing:
            response = await admin.create_topics([topic])
            # The admin client reports per-topic errors in the response instead of raising.
            for name, code, message in response.topic_errors:
                if code == 0:
                    created.append(name)
                elif code != TOPIC_ALREADY_EXISTS:  # another process created it first: fine
                    raise RuntimeError(f"creating topic {name} failed ({code}): {message}")
        return created
    finally:
        await admin.close()


async def missing_topics(
    bootstrap_servers: str, *, suffix: str = "", security: Mapping[str, Any] | None = None
) -> list[str]:
    """The platform's topics that do not exist (an empty list when all do)."""
    admin = _admin(bootstrap_servers, security)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    return [t.name for t in planned_topics(suffix) if t.name not in existing]


async def wait_for_topics(
    bootstrap_servers: str,
    *,
    suffix: str = "",
    timeout_s: float,
    poll_s: float = 2.0,
    security: Mapping[str, Any] | None = None,
) -> None:
    """Return once every topic exists; raise :class:`TopicsMissingError` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        missing = await missing_topics(bootstrap_servers, suffix=suffix, security=security)
        if not missing:
            return
        if time.monotonic() >= deadline:
            raise TopicsMissingError(
                f"{len(missing)} topics do not exist (e.g. {missing[0]}) and "
                "EGOV_CREATE_TOPICS=false: run `egov topics` (the topic job) first"
            )
        await asyncio.sleep(poll_s)
