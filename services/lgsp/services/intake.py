"""Events in: keep them (for replay and lookup), decide who gets them, store the jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from services.lgsp.domain.deliveries import TERMINAL_STATES, Mode, job_id
from services.lgsp.domain.partners import Service
from services.lgsp.domain.payload import attachment_hashes, partner_data
from services.lgsp.domain.routing import DocumentFacts, routable, route
from services.lgsp.errors import DocumentNotFound
from services.lgsp.repositories import (
    DeliveryRepository,
    DocumentRepository,
    EventRepository,
    PartnerRepository,
)
from services.lgsp.repositories.deliveries import new_job
from services.lgsp.services.deliveries import DeliveryService
from services.lgsp.services.inbound import InboundService
from services.lgsp.services.partners import PartnerService
from services.lgsp.settings import Settings
from shared.contracts.events import (
    EVENTS_BY_TYPE,
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
    EventData,
    IncomingStatusChanged,
)
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.messaging.envelope import CloudEventMeta
from shared.observability.tracing import current_traceparent


class IntakeService:
    def __init__(
        self,
        events: EventRepository,
        documents: DocumentRepository,
        deliveries: DeliveryRepository,
        partners: PartnerRepository,
        partner_service: PartnerService,
        delivery_service: DeliveryService,
        settings: Settings,
        schedule: Callable[[Doc], None] = lambda _: None,
        *,
        inbound: InboundService,
    ) -> None:
        self.events = events
        self.documents = documents
        self.deliveries = deliveries
        self.partners = partners
        self.partner_service = partner_service
        self.delivery_service = delivery_service
        self.settings = settings
        self.schedule = schedule  # hands new and requeued jobs to this replica's worker
        self.inbound = inbound

    async def receive(self, event: EventData, meta: CloudEventMeta) -> int:
        """Idempotent: a redelivered event finds its record and jobs already there."""
        stored: Doc = {
            "_id": meta.id,
            "ce_type": meta.type,
            "event_name": event.event_name,
            "time": meta.time,
            "subject": meta.subject,
            "data": event.model_dump(mode="json"),
            "received_at": utcnow(),
        }
        await self.events.store(stored)
        await self._keep_document(event, meta.id)
        if isinstance(event, IncomingStatusChanged):
            # The sender sees it in GET /inbound/{id}, and gets it below (webhook or inbox).
            await self.inbound.record_status(event)
        created, _ = await self.dispatch(stored, requeue=False)
        return created

    async def _keep_document(self, event: EventData, event_id: str) -> None:
        if isinstance(event, DocumentPublished):
            doc = event.document
            await self.documents.apply(
                event.document_id,
                event.document_version,
                event_id,
                {
                    "notation": doc.notation,
                    "year": doc.year,
                    "doc_type": str(doc.doc_type),
                    "issuer": doc.issuer.code,
                    "field": doc.field,
                    "status": "published",
                    "event": event.model_dump(mode="json"),
                },
            )
        elif isinstance(event, DocumentRevoked | DocumentReplaced):
            fields: dict[str, Any] = {
                "status": "revoked" if isinstance(event, DocumentRevoked) else "replaced",
                "reason": event.reason,
            }
            if isinstance(event, DocumentReplaced):
                fields["replaced_by_id"] = event.replaced_by_id
                fields["replaced_by_notation"] = event.replaced_by_notation
            await self.documents.apply(event.document_id, event.document_version, event_id, fields)
        elif isinstance(event, DocumentUnpublished):
            gone = {"status": "unpublished", "reason": event.explanation}
            await self.documents.apply(event.document_id, event.document_version, event_id, gone)

    async def _facts(self, document_id: str) -> DocumentFacts:
        doc = await self.documents.get(document_id)
        if doc is None:
            return DocumentFacts()
        return DocumentFacts(doc.get("doc_type"), doc.get("issuer"), doc.get("field"))

    async def dispatch(
        self,
        stored: Doc,
        *,
        requeue: bool,
        partner_id: str | None = None,
        replay_id: str | None = None,
    ) -> tuple[int, int]:
        """Create the jobs of one stored event; on replay, requeue finished ones too (each
        at most once per replay, so a replay resumed after a crash sends nothing twice)."""
        spec = EVENTS_BY_TYPE[stored["ce_type"]]
        event = spec.model.model_validate(stored["data"])
        target = routable(event, await self._facts(stored["subject"]))
        routes = await self.partner_service.routes()
        chosen = route(target, routes)
        if partner_id is not None:
            chosen = [p for p in chosen if p == partner_id]
        created = requeued = 0
        at = utcnow()
        give_up = at + dt.timedelta(seconds=self.settings.give_up_after_s)
        # Before the jobs: the retention sweep keeps an event while one of them exists.
        await self.events.add_jobs(stored["_id"], [job_id(stored["_id"], p) for p in chosen])
        for pid in chosen:
            partner = self.partner_service.directory.partner(pid)
            if partner is None:
                continue
            doc = new_job(
                delivery_id=job_id(stored["_id"], pid),
                event_id=stored["_id"],
                event_type=stored["event_name"],
                partner=partner,
                document_id=stored["subject"],
                priority=target.priority,
                attachments=attachment_hashes(stored["data"]),
                now=at,
                give_up_at=give_up,
                publish_status=not isinstance(event, IncomingStatusChanged),
                traceparent=current_traceparent(),
            )
            if await self.deliveries.insert(doc):
                created += 1
                self.schedule(doc)
            elif requeue:
                existing = await self.deliveries.get(doc["_id"])
                if (
                    existing is not None
                    and existing["state"] in TERMINAL_STATES
                    and (replay_id is None or existing.get("replay_id") != replay_id)
                ):
                    mode = Mode(doc["mode"])
                    self.schedule(
                        await self.delivery_service.requeue(existing, mode, replay_id=replay_id)
                    )
                    requeued += 1
        return created, requeued

    async def retry(self, delivery_id: str) -> Doc:
        """An administrator's retry: the job is due now, by webhook if the partner has one."""
        job = await self.delivery_service.get(delivery_id)
        partner = await self.partners.get(job["partner_id"])
        mode = Mode.WEBHOOK if partner and partner.get("webhook_url") else Mode.INBOX
        doc = await self.delivery_service.requeue(job, mode)
        self.schedule(doc)
        return doc

    async def lookup(self, partner: Doc, notation: str, year: int | None) -> dict[str, Any]:
        await self.partner_service.require_grant(partner, Service.DOCUMENT_LOOKUP)
        for doc in await self.documents.by_notation(notation, year):
            if "event" not in doc:
                continue
            data = partner_data(doc["event"], self.settings.public_url)
            return {"status": doc.get("status", "published"), **data}
        raise DocumentNotFound()
