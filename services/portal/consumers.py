"""The portal's Kafka handlers: parse (done by ``subscribe``) → call the projection."""

from __future__ import annotations

from services.portal.components import PortalComponents
from services.portal.domain.page import Refused
from shared.contracts.events import DocumentPublished, DocumentReplaced, DocumentRevoked
from shared.contracts.topics import DOCUMENTS_PUBLIC
from shared.logging import get_logger
from shared.messaging.consumer import RejectEvent, subscribe
from shared.messaging.envelope import CloudEventMeta

log = get_logger(__name__)


def register_consumers(ctx: PortalComponents) -> None:
    async def on_published(data: DocumentPublished, meta: CloudEventMeta) -> None:
        try:
            applied = await ctx.projection.published(data, meta.id)
        except Refused as exc:
            raise RejectEvent(str(exc)) from exc
        log.info("page.published", document_id=data.document_id, applied=applied)

    async def on_revoked(data: DocumentRevoked, meta: CloudEventMeta) -> None:
        applied = await ctx.projection.revoked(data, meta.id)
        log.info("page.revoked", document_id=data.document_id, applied=applied)

    async def on_replaced(data: DocumentReplaced, meta: CloudEventMeta) -> None:
        applied = await ctx.projection.replaced(data, meta.id)
        log.info("page.replaced", document_id=data.document_id, applied=applied)

    s = ctx.settings
    subscribe(
        ctx.runtime.broker,
        ctx.runtime.publisher,
        DOCUMENTS_PUBLIC,
        {
            DocumentPublished: on_published,
            DocumentRevoked: on_revoked,
            DocumentReplaced: on_replaced,
        },
        group_id=s.group_id(),
        consumer="portal",
        max_retries=s.consumer_max_retries,
        backoff_s=s.consumer_retry_backoff_s,
    )
