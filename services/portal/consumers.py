"""The portal's Kafka handlers: parse (done by ``subscribe``) → call the projection.

A refused event (``PageRefused``, a domain error) is dead-lettered by ``subscribe``."""

from __future__ import annotations

from services.portal.components import components_of
from services.portal.settings import Settings
from shared.contracts.events import (
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
)
from shared.contracts.topics import DOCUMENTS_PUBLIC
from shared.logging import get_logger
from shared.messaging.consumer import subscribe
from shared.messaging.envelope import CloudEventMeta
from shared.runtime import Runtime

log = get_logger(__name__)


def register_consumers(runtime: Runtime, settings: Settings) -> None:
    async def on_published(data: DocumentPublished, meta: CloudEventMeta) -> None:
        applied = await components_of(runtime).projection.published(data, meta.id)
        log.info("page.published", document_id=data.document_id, applied=applied)

    async def on_revoked(data: DocumentRevoked, meta: CloudEventMeta) -> None:
        applied = await components_of(runtime).projection.revoked(data, meta.id)
        log.info("page.revoked", document_id=data.document_id, applied=applied)

    async def on_replaced(data: DocumentReplaced, meta: CloudEventMeta) -> None:
        applied = await components_of(runtime).projection.replaced(data, meta.id)
        log.info("page.replaced", document_id=data.document_id, applied=applied)

    async def on_unpublished(data: DocumentUnpublished, meta: CloudEventMeta) -> None:
        applied = await components_of(runtime).projection.unpublished(data, meta.id)
        log.info("page.unpublished", document_id=data.document_id, applied=applied)

    subscribe(
        runtime.broker,
        runtime.publisher,
        DOCUMENTS_PUBLIC,
        {
            DocumentPublished: on_published,
            DocumentRevoked: on_revoked,
            DocumentReplaced: on_replaced,
            DocumentUnpublished: on_unpublished,
        },
        group_id=settings.group_id(),
        consumer="portal",
        max_retries=settings.consumer_max_retries,
        backoff_s=settings.consumer_retry_backoff_s,
    )
