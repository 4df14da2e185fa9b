"""Everything the routers, consumers and jobs of the documents service share, built once."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.documents.domain.organisation import Organisation
from services.documents.repositories.aggregates import AggregateStore
from services.documents.repositories.audit import AuditRepository
from services.documents.repositories.counters import CounterRepository
from services.documents.repositories.deliveries import DeliveryStatusRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.files import FileStore
from services.documents.repositories.incoming import IncomingRepository
from services.documents.repositories.incoming_fetches import FetchQueue
from services.documents.repositories.keys import SigningKeyRepository
from services.documents.repositories.migrations import MigrationMarkers
from services.documents.services.attachments import AttachmentService
from services.documents.services.audit import AuditTrail
from services.documents.services.deliveries import DeliveryStatusService
from services.documents.services.drafting import DraftingService
from services.documents.services.incoming import IncomingService
from services.documents.services.incoming_changes import IncomingWriter
from services.documents.services.incoming_fetching import AttachmentFetcher
from services.documents.services.incoming_intake import IntakeService
from services.documents.services.incoming_recovery import IncomingRecovery
from services.documents.services.incoming_registration import ArrivalRegistration
from services.documents.services.issuance import IssuanceService
from services.documents.services.migration import Migration
from services.documents.services.recall import RecallService
from services.documents.services.recovery import KeyExpiry, RecoveryService
from services.documents.services.registers import RegisterService
from services.documents.services.reservations import RegisterReservations
from services.documents.services.revocation import RevocationService
from services.documents.services.signing_keys import KeyRing
from services.documents.services.unit_of_work import UnitOfWork
from services.documents.services.verification import VerificationService
from services.documents.settings import Settings
from shared.background import BackgroundLoop
from shared.kit.content import ContentStore
from shared.kit.idempotency import IdempotencyKeys
from shared.messaging.outbox import OutboxRelay
from shared.runtime import Runtime


@dataclass
class IncomingComponents:
    """Documents sent in by partner agencies (văn bản đến), with their own outbox relay."""

    repository: IncomingRepository
    relay: OutboxRelay
    service: IncomingService
    intake: IntakeService
    registration: ArrivalRegistration
    fetcher: AttachmentFetcher
    recovery: IncomingRecovery


@dataclass
class DocumentsComponents:
    settings: Settings
    documents: DocumentRepository
    counters: CounterRepository
    relay: OutboxRelay
    trail: AuditTrail
    drafting: DraftingService
    issuance: IssuanceService
    revocation: RevocationService
    recall: RecallService
    attachments: AttachmentService
    registers: RegisterService
    verification: VerificationService
    deliveries: DeliveryStatusService
    recovery: RecoveryService
    key_expiry: KeyExpiry
    inbound: IncomingComponents
    _loops: list[BackgroundLoop] = field(default_factory=list)

    @property
    def incoming(self) -> IncomingService:
        return self.inbound.service

    async def start(self) -> None:
        settings = self.settings
        # Finish what a crash of any replica left behind before serving.
        await self.recovery.recover(settings.recovery_grace_s)
        self.relay.start()
        self.inbound.relay.start()
        fetches = BackgroundLoop(
            "documents:incoming-fetches",
            self.inbound.fetcher.run_once,
            settings.incoming_fetch_interval_s,
        )
        self.inbound.intake.on_fetch_queued(fetches.wake)
        self._loops = [
            fetches,
            BackgroundLoop(
                "documents:recovery",
                lambda: self.recovery.recover_reservations(settings.recovery_grace_s),
                settings.recovery_interval_s,
            ),
            BackgroundLoop(
                "documents:idempotency-sweep",
                self.key_expiry.expire_once,
                settings.idempotency_sweep_interval_s,
            ),
        ]
        for loop in self._loops:
            loop.start()

    async def stop(self) -> None:
        for loop in self._loops:
            await loop.stop()
        self._loops.clear()
        await self.inbound.relay.stop()
        await self.relay.stop()


async def build(runtime: Runtime, settings: Settings) -> DocumentsComponents:
    """Repositories (indexes ensured, records of older versions migrated), use cases and
    jobs; nothing started."""
    db = runtime.db
    documents = DocumentRepository(db, lease_s=settings.outbox_lease_s)
    audit = AuditRepository(db)
    counters = CounterRepository(db)
    files = FileStore(db)
    idempotency = IdempotencyKeys(db)
    keys = KeyRing(
        SigningKeyRepository(db),
        settings.issuer_code,
        settings.signing_key_file,
        settings.signing_key_id,
    )
    await audit.ensure_indexes()
    await keys.load()
    await Migration(documents, MigrationMarkers(db)).run_once()
    relay = outbox_relay(runtime, settings, documents)
    org = Organisation(settings.issuer_code, settings.issuer_name, dict(settings.units))
    trail = AuditTrail(documents, audit)
    # Every write also keeps the open set (documents not yet issued) in step.
    uow = UnitOfWork(documents, trail, relay, runtime.publisher, after_write=documents.sync_open)
    reservations = RegisterReservations(counters, dict(settings.register_starts))
    issuance = IssuanceService(documents, counters, reservations, keys, trail, uow, org)
    revocation = RevocationService(documents, uow)
    statuses = DeliveryStatusRepository(db)
    inbound = build_incoming(runtime, settings, documents, counters, reservations, audit, org)
    recovery = RecoveryService(
        issuance, revocation, trail, relay, inbound.recovery, inbound.relay, documents=documents
    )
    relay.set_follow_up(recovery.follow_up)
    return DocumentsComponents(
        settings=settings,
        documents=documents,
        counters=counters,
        relay=relay,
        trail=trail,
        drafting=DraftingService(documents, idempotency, trail, uow, org),
        issuance=issuance,
        revocation=revocation,
        recall=RecallService(documents, statuses, uow),
        attachments=AttachmentService(documents, files, trail, uow, settings.max_attachment_bytes),
        registers=RegisterService(documents, counters, org, inbound.repository),
        verification=VerificationService(documents, files, keys),
        deliveries=DeliveryStatusService(statuses, documents),
        recovery=recovery,
        key_expiry=KeyExpiry(idempotency, settings.idempotency_ttl_s),
        inbound=inbound,
    )


def outbox_relay(runtime: Runtime, settings: Settings, aggregates: AggregateStore) -> OutboxRelay:
    """The relay of one aggregate store; the two of the service run alike."""
    return OutboxRelay(
        aggregates.collection,
        runtime.publisher,
        lease_s=settings.outbox_lease_s,
        sweep_interval_s=settings.outbox_sweep_interval_s,
        settle_s=settings.recovery_grace_s,
    )


def build_incoming(
    runtime: Runtime,
    settings: Settings,
    documents: DocumentRepository,
    counters: CounterRepository,
    reservations: RegisterReservations,
    audit: AuditRepository,
    org: Organisation,
) -> IncomingComponents:
    db = runtime.db
    repository = IncomingRepository(db, lease_s=settings.outbox_lease_s)
    fetches = FetchQueue(db)
    # A store of their own: the bytes of documents sent in are never named by a claim check
    # of ours, so they never leave the service, and the clean-up of outgoing attachments
    # (which deletes bytes no outgoing document refers to) never reaches them.
    content = ContentStore(db, "incoming_attachments")
    relay = outbox_relay(runtime, settings, repository)
    writer = IncomingWriter(repository, audit, relay, runtime.publisher)
    registration = ArrivalRegistration(
        repository, counters, reservations, writer, settings.issuer_code
    )
    recovery = IncomingRecovery(repository, fetches, writer, registration)
    relay.set_follow_up(recovery.follow_up)
    return IncomingComponents(
        repository=repository,
        relay=relay,
        service=IncomingService(repository, documents, audit, writer, registration, content, org),
        intake=IntakeService(
            repository,
            fetches,
            writer,
            organisation_code=settings.organisation_code,
            max_attachment_bytes=settings.max_attachment_bytes,
        ),
        registration=registration,
        fetcher=AttachmentFetcher(
            repository,
            fetches,
            writer,
            content,
            lgsp_url=settings.lgsp_url,
            auth_headers=runtime.service_tokens.headers,
            timeout_s=settings.incoming_fetch_timeout_s,
            max_bytes=settings.max_attachment_bytes,
            give_up_s=settings.incoming_fetch_give_up_s,
        ),
        recovery=recovery,
    )


def components_of(runtime: Runtime) -> DocumentsComponents:
    components = runtime.components
    assert isinstance(components, DocumentsComponents)
    return components
