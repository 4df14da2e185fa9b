"""Kafka consumers: parse (the shared consumer does it), store the jobs, move on.

Nothing slow runs here: webhook calls belong to the delivery worker.
"""

from __future__ import annotations

from typing import Any

from services.lgsp.components import components_of
from services.lgsp.domain.routing import ADDRESSED_EVENTS, FEED_EVENTS
from services.lgsp.settings import Settings
from shared.contracts import topics
from shared.contracts.events import EventData
from shared.messaging.consumer import Handler, subscribe
from shared.messaging.envelope import CloudEventMeta
from shared.runtime import Runtime


def register_consumers(runtime: Runtime, settings: Settings) -> None:
    async def handle(data: Any, meta: CloudEventMeta) -> None:
        assert isinstance(data, EventData)
        await components_of(runtime).intake.receive(data, meta)

    handler: Handler = handle
    common: dict[str, Any] = {
        "group_id": settings.group_id(),
        "consumer": settings.service_name,
        "max_retries": settings.consumer_max_retries,
        "backoff_s": settings.consumer_retry_backoff_s,
    }
    subscribe(
        runtime.broker,
        runtime.publisher,
        topics.DOCUMENTS_PUBLIC,
        dict.fromkeys(FEED_EVENTS, handler),
        **common,
    )
    subscribe(
        runtime.broker,
        runtime.publisher,
        topics.DOCUMENTS_EXCHANGE,
        dict.fromkeys(ADDRESSED_EVENTS, handler),
        **common,
    )
