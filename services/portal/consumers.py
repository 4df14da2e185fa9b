"""The portal's Kafka handlers: parse (done by ``subscribe``) → call the projection.

A refused event (``PageRefused``, a domain error) is dead-lettered by ``subscribe``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.portal.components import components_of
from services.portal.services.documents import Projection
from services.portal.settings import Settings
from shared.contracts.events import (
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
)
from shared.contracts.topics import DOCUMENTS_PUBLIC
from shared.logging import get_logger
from shared.messaging.consumer import Handler, subscribe
from shared.messaging.envelope import CloudEventMeta
from shared.runtime import Runtime

log = get_logger(__name__)
E = TypeVar("E", DocumentPublished, DocumentRevoked, DocumentReplaced, DocumentUnpublished)


def register_consumers(runtime: Runtime, settings: Settings) -> None:
    def projecting(name: str, apply: Callable[[Projection, E, str], Awaitable[bool]]) -> Handler:
        """The handler that applies one kind of event to the pages, and logs what it did."""

        async def handle(data: E, meta: CloudEventMeta) -> None:
            applied = await apply(components_of(runtime).projection, data, meta.id)
            log.info(name, document_id=data.document_id, applied=applied)

        return handle

    subscribe(
        runtime.broker,
        runtime.publisher,
        DOCUMENTS_PUBLIC,
        {
            DocumentPublished: projecting("page.published", Projection.published),
            DocumentRevoked: projecting("page.revoked", Projection.revoked),
            DocumentReplaced: projecting("page.replaced", Projection.replaced),
            DocumentUnpublished: projecting("page.unpublished", Projection.unpublished),
        },
        group_id=settings.group_id(),
        consumer="portal",
        max_retries=settings.consumer_max_retries,
        backoff_s=settings.consumer_retry_backoff_s,
    )
