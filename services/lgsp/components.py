"""Everything the LGSP's routers, consumers and worker share, built once Mongo is open."""

from __future__ import annotations

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


class Components:
    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        db = runtime.db
        self.settings = settings
        self.partner_repo = PartnerRepository(db)
        self.key_repo = ApiKeyRepository(db)
        self.subscription_repo = SubscriptionRepository(db)
        self.delivery_repo = DeliveryRepository(db)
        self.event_repo = EventRepository(db)
        self.document_repo = DocumentRepository(db)
        self.file_repo = FileRepository(db)
        self.limit_repo = PartnerLimitRepository(db)
        self.idempotency_repo = IdempotencyRepository(db)
        self.meta_repo = MetaRepository(db)
        self.directory = PartnerDirectory(self.partner_repo, self.subscription_repo, self.meta_repo)
        self.relay = OutboxRelay(
            self.delivery_repo.collection,
            runtime.publisher,
            lease_s=settings.outbox_lease_s,
            sweep_interval_s=settings.outbox_sweep_interval_s,
        )
        self.partners = PartnerService(
            self.partner_repo,
            self.key_repo,
            self.subscription_repo,
            settings,
            idempotency=self.idempotency_repo,
            directory=self.directory,
            on_unparked=self._unparked,
        )
        self.deliveries = DeliveryService(
            self.delivery_repo, self.event_repo, runtime.publisher, self.relay, settings
        )
        self.files = FileService(
            self.file_repo,
            self.delivery_repo,
            self.event_repo,
            self.document_repo,
            documents_url=settings.documents_url,
            auth_headers=runtime.service_tokens.headers,
            timeout_s=settings.file_fetch_timeout_s,
        )
        self.limiter = PartnerLimiter(
            self.limit_repo,
            Limits(
                concurrency=settings.partner_concurrency,
                rate_per_s=settings.rate_limit_per_s,
                burst=settings.rate_limit_burst,
                lease_s=settings.send_lease_s,
            ),
        )
        self.worker = DeliveryWorker(
            self.delivery_repo,
            self.partner_repo,
            self.directory,
            self.deliveries,
            self.files,
            self.limiter,
            settings,
        )
        self.retention = RetentionSweeper(
            self.delivery_repo,
            self.event_repo,
            self.key_repo,
            self.partner_repo,
            self.idempotency_repo,
            self.meta_repo,
            settings,
        )
        self.migration = Migration(
            self.delivery_repo,
            self.event_repo,
            self.document_repo,
            self.partner_repo,
            self.meta_repo,
        )
        self.intake = IntakeService(
            self.event_repo,
            self.document_repo,
            self.delivery_repo,
            self.partner_repo,
            self.partners,
            self.deliveries,
            settings,
            schedule=self.worker.add,
        )

    async def _unparked(self, partner_id: str) -> None:
        await self.worker.unpark(partner_id)

    async def ensure_indexes(self) -> None:
        for repo in (
            self.partner_repo,
            self.key_repo,
            self.subscription_repo,
            self.delivery_repo,
            self.event_repo,
            self.document_repo,
            self.limit_repo,
            self.idempotency_repo,
            self.meta_repo,
        ):
            await repo.ensure_indexes()

    async def start(self) -> None:
        await self.ensure_indexes()
        await self.migration.run_once()
        self.relay.start()
        self.worker.start()
        self.retention.start()

    async def stop(self) -> None:
        await self.retention.stop()
        await self.worker.stop()
        await self.relay.stop()
