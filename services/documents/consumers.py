"""The documents service's Kafka handlers: parse (done by ``subscribe``) → call the service."""

from __future__ import annotations

from services.documents.components import components_of
from services.documents.settings import Settings
from shared.contracts.events import DeliveryStatusChanged, InboundRecallRequested, InboundReceived
from shared.contracts.topics import LGSP_INBOUND, LGSP_STATUS
from shared.logging import get_logger
from shared.messaging.consumer import subscribe
from shared.messaging.envelope import CloudEventMeta
from shared.runtime import Runtime

log = get_logger(__name__)


def register_consumers(runtime: Runtime, settings: Settings) -> None:
    async def on_status(data: DeliveryStatusChanged, meta: CloudEventMeta) -> None:
        applied = await components_of(runtime).deliveries.record(data, meta.id)
        log.info(
            "delivery.status_recorded",
            document_id=data.document_id,
            recipient_code=data.recipient_code,
            version=data.delivery_version,
            applied=applied,
        )

    subscribe(
        runtime.broker,
        runtime.publisher,
        LGSP_STATUS,
        {DeliveryStatusChanged: on_status},
        group_id=settings.group_id(),
        consumer="documents",
        max_retries=settings.consumer_max_retries,
        backoff_s=settings.consumer_retry_backoff_s,
    )

    async def on_received(data: InboundReceived, meta: CloudEventMeta) -> None:
        created = await components_of(runtime).inbound.intake.received(data)
        log.info(
            "incoming.received",
            inbound_id=data.inbound_id,
            sender_code=data.sender_code,
            created=created,
        )

    async def on_recall(data: InboundRecallRequested, meta: CloudEventMeta) -> None:
        recorded = await components_of(runtime).inbound.intake.recall_requested(data)
        log.info("incoming.recall_requested", inbound_id=data.inbound_id, recorded=recorded)

    subscribe(
        runtime.broker,
        runtime.publisher,
        LGSP_INBOUND,
        {InboundReceived: on_received, InboundRecallRequested: on_recall},
        group_id=settings.group_id(),
        consumer="documents",
        max_retries=settings.consumer_max_retries,
        backoff_s=settings.consumer_retry_backoff_s,
    )
