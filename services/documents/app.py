"""Composition root of the documents service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

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
from services.documents.settings import Settings
from services.documents.signing_keys import KeyRing
from shared.asyncapi import declare_publishers
from shared.logging import get_logger
from shared.messaging.outbox import OutboxRelay
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"
log = get_logger(__name__)


async def _recovery_loop(cases: UseCases, interval_s: float, grace_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            touched = await cases.recover(grace_s)
            if touched:
                log.info("issuance.recovered", documents=touched)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("issuance.recovery_failed")


async def _idempotency_sweep_loop(
    keys: IdempotencyRepository, ttl_s: float, interval_s: float
) -> None:
    """Expire Idempotency-Key records (FerretDB has no TTL indexes). Safe on every replica:
    deleting what another replica already deleted is a no-op."""
    while True:
        try:
            cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=ttl_s)
            deleted = await keys.expire(cutoff)
            if deleted:
                log.info("idempotency.expired", keys=deleted)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("idempotency.sweep_failed")
        await asyncio.sleep(interval_s)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    register_consumers(settings, ConsumerContext(runtime))
    tasks: list[asyncio.Task[None]] = []

    async def on_start(rt: Runtime) -> None:
        db = rt.db
        document_repo = DocumentRepository(db)
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
        app.state.use_cases = cases
        # Finish what a crash of any replica left behind before serving.
        await cases.recover(settings.recovery_grace_s)
        deps.relay.start()
        tasks.append(
            asyncio.create_task(
                _recovery_loop(cases, settings.recovery_interval_s, settings.recovery_grace_s),
                name="documents:recovery",
            )
        )
        tasks.append(
            asyncio.create_task(
                _idempotency_sweep_loop(
                    deps.idempotency,
                    settings.idempotency_ttl_s,
                    settings.idempotency_sweep_interval_s,
                ),
                name="documents:idempotency-sweep",
            )
        )

    async def on_stop(_: Runtime) -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        tasks.clear()
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
