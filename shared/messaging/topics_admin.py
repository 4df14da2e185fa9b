"""Explicit, idempotent topic creation (the broker never auto-creates topics)."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.contracts.topics import TOPICS, dlq_topic, physical

TOPIC_ALREADY_EXISTS = 36


def planned_topics(suffix: str = "", partitions: int = 6, replication: int = 1) -> list[NewTopic]:
    planned: list[NewTopic] = []
    for spec in TOPICS:
        config = {"retention.ms": "-1", "retention.bytes": "-1"} if spec.unlimited_retention else {}
        planned.append(
            NewTopic(physical(spec.name, suffix), partitions, replication, topic_configs=config)
        )
        # Dead letters are kept too: they are the evidence an operator needs.
        planned.append(
            NewTopic(
                dlq_topic(physical(spec.name, suffix)),
                1,
                replication,
                topic_configs={"retention.ms": "-1"},
            )
        )
    return planned


async def ensure_topics(
    bootstrap_servers: str, *, suffix: str = "", partitions: int = 6, replication: int = 1
) -> list[str]:
    """Create every topic that does not exist yet; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            t for t in planned_topics(suffix, partitions, replication) if t.name not in existing
        ]
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
