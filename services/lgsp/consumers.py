"""Kafka consumers: parse (the shared consumer does it), store the jobs, move on.

Nothing slow runs here: webhook calls belong to the delivery worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.lgsp.services.intake import IntakeService
from services.lgsp.settings import Settings
from shared.contracts import topics
from shared.contracts.events import (
    DocumentDispatched,
    DocumentPublished,
    DocumentRecalled,
    DocumentReplaced,
    DocumentRevoked,
    EventData,
    IncomingStatusChanged,
)
from shared.messaging.consumer import Handler, subscribe
from shared.messaging.envelope import CloudEventMeta
from shared.runtime import Runtime


def register_consumers(
    runtime: Runtime, settings: Settings, intake: Callable[[], Awaitable[IntakeService]]
) -> None:
    """``intake`` is looked up per event: the service exists once Mongo is open."""

    async def handle(data: Any, meta: CloudEventMeta) -> None:
        assert isinstance(data, EventData)
        await (await intake()).receive(data, meta)

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
        {DocumentPublished: handler, DocumentRevoked: handler, DocumentReplaced: handler},
        **common,
    )
    subscribe(
        runtime.broker,
        runtime.publisher,
        topics.DOCUMENTS_EXCHANGE,
        {DocumentDispatched: handler, DocumentRecalled: handler, IncomingStatusChanged: handler},
        **common,
    )
