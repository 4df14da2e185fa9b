"""Everything the LGSP's routers, consumers and background jobs share, built once MongoDB
is open: repositories (indexes ensured), use cases and jobs."""

from __future__ import annotations

from dataclasses import dataclass

from services.lgsp.domain.limits import Limits
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
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.services.deliveries import DeliveryService
from services.lgsp.services.delivery_worker import DeliveryWorker
from services.lgsp.services.directory import PartnerDirectory
from services.lgsp.services.files import FileService
from services.lgsp.services.intake import IntakeService
from services.lgsp.services.limits import PartnerLimiter
from services.lgsp.services.migration import Migration
from services.lgsp.services.partners import PartnerService
from services.lgsp.services.retention import RetentionSweeper
from services.lgsp.settings import Settings
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

    async def start(self) -> None:
        self.relay.start()
        self.worker.start()
        self.retention.start()

    async def stop(self) -> None:
        await self.retention.stop()
        await self.worker.stop()
        await self.relay.stop()


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
    worker = DeliveryWorker(
        delivery_repo, partner_repo, directory, deliveries, files, limiter, settings
    )
    partners = PartnerService(
        partner_repo,
        key_repo,
        subscription_repo,
        settings,
        idempotency=idempotency_repo,
        directory=directory,
        on_unparked=worker.unpark,
    )
    retention = RetentionSweeper(
        delivery_repo, event_repo, key_repo, partner_repo, idempotency_repo, meta_repo, settings
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
    )
    return LgspComponents(
        settings=settings,
        partners=partners,
        deliveries=deliveries,
        files=files,
        intake=intake,
        worker=worker,
        retention=retention,
        relay=relay,
    )


def components_of(runtime: Runtime) -> LgspComponents:
    components = runtime.components
    assert isinstance(components, LgspComponents)
    return components
