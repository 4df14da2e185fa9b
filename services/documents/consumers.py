"""The documents service's Kafka handlers: parse (done by ``subscribe``) → call the service."""

from __future__ import annotations

from functools import cached_property

from services.documents.repositories.deliveries import DeliveryStatusRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.services.deliveries import DeliveryStatusService
from services.documents.settings import Settings
from shared.contracts.events import DeliveryStatusChanged
from shared.contracts.topics import LGSP_STATUS
from shared.logging import get_logger
from shared.messaging.consumer import subscribe
from shared.messaging.envelope import CloudEventMeta
from shared.runtime import Runtime

log = get_logger(__name__)


class ConsumerContext:
    """Built lazily: the broker starts (and may deliver) once MongoDB is open."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @cached_property
    def deliveries(self) -> DeliveryStatusService:
        db = self.runtime.db
        return DeliveryStatusService(DeliveryStatusRepository(db), DocumentRepository(db))


def register_consumers(settings: Settings, ctx: ConsumerContext) -> None:
    async def on_status(data: DeliveryStatusChanged, meta: CloudEventMeta) -> None:
        applied = await ctx.deliveries.record(data, meta.id)
        log.info(
            "delivery.status_recorded",
            document_id=data.document_id,
            recipient_code=data.recipient_code,
            version=data.delivery_version,
            applied=applied,
        )

    subscribe(
        ctx.runtime.broker,
        ctx.runtime.publisher,
        LGSP_STATUS,
        {DeliveryStatusChanged: on_status},
        group_id=settings.group_id(),
        consumer="documents",
        max_retries=settings.consumer_max_retries,
        backoff_s=settings.consumer_retry_backoff_s,
    )
