"""Topic names: constants, never strings scattered through the code."""

from __future__ import annotations

from dataclasses import dataclass

DOCUMENTS_PUBLIC = "egov.documents.public.v1"
DOCUMENTS_EXCHANGE = "egov.documents.exchange.v1"
LGSP_INBOUND = "egov.lgsp.inbound.v1"
LGSP_STATUS = "egov.lgsp.status.v1"
DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    producer: str
    consumers: tuple[str, ...]
    # The documents topics are the source from which read models are rebuilt: keep forever.
    unlimited_retention: bool = False


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(DOCUMENTS_PUBLIC, "documents", ("portal", "lgsp"), unlimited_retention=True),
    TopicSpec(DOCUMENTS_EXCHANGE, "documents", ("lgsp",), unlimited_retention=True),
    TopicSpec(LGSP_INBOUND, "lgsp", ("documents",)),
    TopicSpec(LGSP_STATUS, "lgsp", ("documents",)),
)


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def physical(topic: str, suffix: str = "") -> str:
    """The name on the broker: test runs add a suffix so they can share one Kafka."""
    return topic + suffix
