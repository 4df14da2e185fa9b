"""Composition root of the documents service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import datetime as dt
import functools

from fastapi import FastAPI
from starlette.middleware import Middleware

from services.documents.api import attachments, deliveries, documents, registers, signatures
from services.documents.api.upload_limit import UploadLimitMiddleware
from services.documents.consumers import ConsumerContext, register_consumers
from services.documents.domain.organisation import Organisation
from services.documents.repositories.audit import AuditRepository
from services.documents.repositories.counters import CounterRepository
from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.files import FileStore
from services.documents.repositories.idempotency import IdempotencyRepository
from services.documents.repositories.keys import SigningKeyRepository
from services.documents.services.common import Deps
from services.documents.services.facade import UseCases
from services.documents.services.signing_keys import KeyRing
from services.documents.settings import Settings
from shared.asyncapi import declare_publishers
from shared.background import BackgroundLoop
from shared.logging import get_logger
from shared.messaging.outbox import OutboxRelay
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"
log = get_logger(__name__)


async def _recover(cases: UseCases, grace_s: float) -> None:
    # Reservations only: the relay's sweep finishes documents through their pending markers.
    touched = await cases.issuance.recover(grace_s)
    if touched:
        log.info("issuance.recovered", documents=touched)


async def _expire_idempotency_keys(keys: IdempotencyRepository, ttl_s: float) -> None:
    """Expire Idempotency-Key records (FerretDB has no TTL indexes). Safe on every replica:
    deleting what another replica already deleted is a no-op."""
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=ttl_s)
    deleted = await keys.expire(cutoff)
    if deleted:
        log.info("idempotency.expired", keys=deleted)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    register_consumers(settings, ConsumerContext(runtime))
    loops: list[BackgroundLoop] = []

    async def on_start(rt: Runtime) -> None:
        db = rt.db
        document_repo = DocumentRepository(db, lease_s=settings.outbox_lease_s)
        deps = Deps(
            documents=document_repo,
            audit=AuditRepository(db),
            counters=CounterRepository(db),
            idempotency=IdempotencyRepository(db),
            files=FileStore(db),
            keys=KeyRing(
                SigningKeyRepository(db),
                settings.issuer_code,
                settings.signing_key_file,
                settings.signing_key_id,
            ),
            publisher=rt.publisher,
            relay=OutboxRelay(
                document_repo.collection,
                rt.publisher,
                lease_s=settings.outbox_lease_s,
                sweep_interval_s=settings.outbox_sweep_interval_s,
                settle_s=settings.recovery_grace_s,
            ),
            org=Organisation(settings.issuer_code, settings.issuer_name, dict(settings.units)),
            register_starts=dict(settings.register_starts),
            max_attachment_bytes=settings.max_attachment_bytes,
        )
        await deps.documents.ensure_indexes()
        await deps.audit.ensure_indexes()
        await deps.files.ensure_indexes()
        await deps.keys.load()
        cases = UseCases.build(deps)
        deps.relay.set_follow_up(cases.follow_up)
        app.state.use_cases = cases
        # Finish what a crash of any replica left behind before serving.
        await cases.recover(settings.recovery_grace_s)
        deps.relay.start()
        loops.extend(
            [
                BackgroundLoop(
                    "documents:recovery",
                    functools.partial(_recover, cases, settings.recovery_grace_s),
                    settings.recovery_interval_s,
                ),
                BackgroundLoop(
                    "documents:idempotency-sweep",
                    functools.partial(
                        _expire_idempotency_keys, deps.idempotency, settings.idempotency_ttl_s
                    ),
                    settings.idempotency_sweep_interval_s,
                ),
            ]
        )
        for loop in loops:
            loop.start()

    async def on_stop(_: Runtime) -> None:
        for loop in loops:
            await loop.stop()
        loops.clear()
        cases: UseCases | None = getattr(app.state, "use_cases", None)
        if cases is not None:
            await cases.deps.relay.stop()

    app = create_service_app(
        runtime,
        title="egov documents",
        version=VERSION,
        routers=[
            documents.router,
            attachments.router,
            deliveries.router,
            registers.router,
            signatures.router,
        ],
        on_start=on_start,
        on_stop=on_stop,
    )
    # Innermost, so refused uploads still get a correlation id and request metrics.
    app.user_middleware.append(
        Middleware(
            UploadLimitMiddleware,
            max_file_bytes=settings.max_attachment_bytes,
            overhead_bytes=settings.upload_overhead_bytes,
        )
    )
    return app
