"""Everything the LGSP's routers, consumers and background jobs share, built once MongoDB
is open: repositories (indexes ensured), use cases and jobs."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from services.lgsp.domain.deliveries import retention_horizon_s
from services.lgsp.domain.limits import Limits
from services.lgsp.domain.message_log import BodyPolicy
from services.lgsp.repositories import (
    ApiKeyRepository,
    DeliveryRepository,
    DocumentRepository,
    EventRepository,
    FileRepository,
    IdempotencyRepository,
    PartnerLimitRepository,
    PartnerRepository,
    SubscriptionRepository,
)
from services.lgsp.repositories.edxml_documents import EdxmlDocumentRepository
from services.lgsp.repositories.inbound import InboundRepository
from services.lgsp.repositories.inbound_files import InboundFileRepository
from services.lgsp.repositories.message_log import (
    ADMIN_AUDIT,
    MESSAGE_LOG,
    ChainRepository,
    LogKeyRepository,
)
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.repositories.partners import CertificateRepository
from services.lgsp.repositories.replays import ReplayRepository
from services.lgsp.services.admin_audit import AdminAudit
from services.lgsp.services.deliveries import DeliveryService
from services.lgsp.services.delivery_listing import DeliveryListing
from services.lgsp.services.delivery_worker import DeliveryWorker
from services.lgsp.services.directory import PartnerDirectory
from services.lgsp.services.edxml_delivery import EdxmlMessages, PayloadRenderer
from services.lgsp.services.files import FileService
from services.lgsp.services.inbound import InboundService
from services.lgsp.services.inbound_edxml import EdxmlIntake
from services.lgsp.services.intake import IntakeService
from services.lgsp.services.limits import PartnerLimiter
from services.lgsp.services.log_keys import LogKeys
from services.lgsp.services.message_log import HashChain, MessageLog
from services.lgsp.services.migration import Migration
from services.lgsp.services.partners import PartnerService
from services.lgsp.services.replays import ReplayService
from services.lgsp.services.retention import RetentionSweeper
from services.lgsp.services.xml_signatures import XmlSigner, verify_signature
from services.lgsp.settings import Settings
from shared.http.rate_limit import RateLimit, RateLimiter, SharedWindowCounter
from shared.kit.types import Doc
from shared.messaging.outbox import OutboxRelay
from shared.runtime import Runtime


@dataclass
class LgspComponents:
    settings: Settings
    partners: PartnerService
    deliveries: DeliveryService
    files: FileService
    intake: IntakeService
    worker: DeliveryWorker
    retention: RetentionSweeper
    relay: OutboxRelay
    inbound: InboundService
    inbound_edxml: EdxmlIntake
    inbound_relay: OutboxRelay
    renderer: PayloadRenderer
    message_log: MessageLog
    admin_audit: AdminAudit
    partner_requests: RateLimiter
    replays: ReplayService
    delivery_list: DeliveryListing

    async def start(self) -> None:
        self.relay.start()
        self.inbound_relay.start()
        self.worker.start()
        self.retention.start()
        self.replays.start()

    async def stop(self) -> None:
        await self.replays.stop()
        await self.retention.stop()
        await self.worker.stop()
        await self.inbound_relay.stop()
        await self.relay.stop()


def build_logs(
    db: AsyncDatabase[Doc], settings: Settings, partners: PartnerRepository
) -> tuple[LogKeys, MessageLog, AdminAudit]:
    """The message log and the administrators' audit log (also what `egov lgsp verify-log`
    opens): two hash chains with one checkpoint key."""
    keys = LogKeys(
        LogKeyRepository(db),
        settings.log_signing_key_file,
        settings.log_signing_key_id,
        retired=settings.log_retired_public_keys,
        production=settings.environment == "production",
    )
    every = settings.message_log_checkpoint_every
    message_log = MessageLog(
        HashChain(ChainRepository(db, MESSAGE_LOG), keys, every),
        partners,
        bodies=BodyPolicy(settings.message_log_bodies),
        max_body_bytes=settings.message_log_max_body_bytes,
        retention_s=settings.message_log_retention_s,
    )
    return keys, message_log, AdminAudit(HashChain(ChainRepository(db, ADMIN_AUDIT), keys, every))


async def build(runtime: Runtime, settings: Settings) -> LgspComponents:
    """Repositories (indexes ensured, records of older versions migrated), use cases and
    jobs; nothing started."""
    db = runtime.db
    partner_repo = PartnerRepository(db)
    key_repo = ApiKeyRepository(db)
    subscription_repo = SubscriptionRepository(db)
    delivery_repo = DeliveryRepository(db)
    event_repo = EventRepository(db)
    document_repo = DocumentRepository(db)
    file_repo = FileRepository(db)
    limit_repo = PartnerLimitRepository(db)
    idempotency_repo = IdempotencyRepository(db)
    meta_repo = MetaRepository(db)
    inbound_repo = InboundRepository(db)
    for repo in (
        partner_repo,
        key_repo,
        subscription_repo,
        delivery_repo,
        event_repo,
        document_repo,
        limit_repo,
        idempotency_repo,
        meta_repo,
        inbound_repo,
    ):
        await repo.ensure_indexes()
    migration = Migration(
        delivery_repo, event_repo, document_repo, partner_repo, meta_repo, idempotency_repo
    )
    await migration.run_once()

    directory = PartnerDirectory(partner_repo, subscription_repo, meta_repo)
    relay = OutboxRelay(
        delivery_repo.collection,
        runtime.publisher,
        lease_s=settings.outbox_lease_s,
        sweep_interval_s=settings.outbox_sweep_interval_s,
    )
    deliveries = DeliveryService(delivery_repo, event_repo, runtime.publisher, relay, settings)
    files = FileService(
        file_repo,
        delivery_repo,
        event_repo,
        document_repo,
        documents_url=settings.documents_url,
        auth_headers=runtime.service_tokens.headers,
        timeout_s=settings.file_fetch_timeout_s,
        max_bytes=settings.max_file_bytes,
    )
    limiter = PartnerLimiter(
        limit_repo,
        Limits(
            concurrency=settings.partner_concurrency,
            rate_per_s=settings.rate_limit_per_s,
            burst=settings.rate_limit_burst,
            lease_s=settings.send_lease_s,
        ),
    )
    sent_as_edxml = EdxmlDocumentRepository(db)
    edxml = EdxmlMessages(
        files,
        file_repo,
        document_repo,
        sent_as_edxml,
        directory,
        XmlSigner(settings),
        settings,
    )
    renderer = PayloadRenderer(event_repo, delivery_repo, files, edxml)
    log_keys, message_log, admin_audit = build_logs(db, settings, partner_repo)
    await log_keys.signing_key()  # created once for all replicas, before the first append
    worker = DeliveryWorker(
        delivery_repo,
        partner_repo,
        directory,
        deliveries,
        files,
        limiter,
        settings,
        message_log=message_log,
        renderer=renderer,
    )
    partners = PartnerService(
        partner_repo,
        key_repo,
        subscription_repo,
        settings,
        idempotency=idempotency_repo,
        directory=directory,
        on_unparked=worker.unpark,
        certificates=CertificateRepository(db),
        audit=admin_audit,
    )
    retention = RetentionSweeper(
        delivery_repo,
        event_repo,
        key_repo,
        partner_repo,
        idempotency_repo,
        meta_repo,
        settings,
        message_log=message_log,
    )
    # Documents sent in publish through their own records' outbox (docs/architecture.md §11).
    inbound_relay = OutboxRelay(
        inbound_repo.collection,
        runtime.publisher,
        lease_s=settings.outbox_lease_s,
        sweep_interval_s=settings.outbox_sweep_interval_s,
    )
    inbound = InboundService(
        inbound_repo, InboundFileRepository(db), inbound_relay, runtime.publisher, settings
    )
    inbound_edxml = EdxmlIntake(
        inbound, deliveries, partners.certificate_pems, verify_signature, sent_as_edxml.document_for
    )
    intake = IntakeService(
        event_repo,
        document_repo,
        delivery_repo,
        partner_repo,
        partners,
        deliveries,
        settings,
        schedule=worker.add,
        inbound=inbound,
    )
    replays = ReplayService(
        ReplayRepository(db), event_repo, partner_repo, intake.dispatch, settings
    )
    return LgspComponents(
        settings=settings,
        replays=replays,
        partners=partners,
        deliveries=deliveries,
        delivery_list=DeliveryListing(
            delivery_repo,
            meta_repo,
            retention_horizon_s(settings.retention_delivered_s, settings.give_up_after_s),
        ),
        files=files,
        intake=intake,
        worker=worker,
        retention=retention,
        relay=relay,
        inbound=inbound,
        inbound_edxml=inbound_edxml,
        inbound_relay=inbound_relay,
        renderer=renderer,
        message_log=message_log,
        admin_audit=admin_audit,
        # Per partner across replicas: one counter document per partner (by _id).
        partner_requests=RateLimiter(
            SharedWindowCounter(db["partner_request_rates"]),
            RateLimit(settings.partner_requests_per_min),
        ),
    )


def components_of(runtime: Runtime) -> LgspComponents:
    components = runtime.components
    assert isinstance(components, LgspComponents)
    return components
