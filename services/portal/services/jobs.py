"""Background jobs: attachment fetches with backoff, signature checks against the JWKS and
search indexing, each reading only its collection of work in flight.

They run beside the Kafka consumer, never inside it: a slow documents service delays a
file or a badge, never the projection of the next event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.portal.domain.page import (
    FileStatus,
    SignatureStatus,
    signature_of,
    signature_verdict,
)
from services.portal.repositories import FileRepository, PageRepository, PendingWork
from services.portal.services.files import ClaimCheckFetcher, DeadLetterReporter
from services.portal.services.keys import JwksCache, JwksUnavailable
from services.portal.services.search import SearchIndexJobs
from services.portal.settings import Settings
from shared.background import BackgroundLoop
from shared.contracts.models import DocumentSignature
from shared.kit.backoff import Backoff
from shared.logging import get_logger

log = get_logger(__name__)
SIGNATURE_LEASE_S = 30.0


class FileJobs:
    def __init__(
        self,
        files: FileRepository,
        fetcher: ClaimCheckFetcher,
        reporter: DeadLetterReporter,
        settings: Settings,
    ) -> None:
        self._files = files
        self._fetcher = fetcher
        self._reporter = reporter
        self._settings = settings
        self._backoff = Backoff(settings.fetch_retry_base_s, settings.fetch_retry_max_s)

    async def run_due(self, max_jobs: int = 20) -> int:
        done = 0
        while done < max_jobs:
            job = await self._files.claim_due(self._settings.fetch_lease_s)
            if job is None:
                break
            await self._run(job)
            done += 1
        return done

    async def _run(self, job: dict[str, Any]) -> None:
        result = await self._fetcher.fetch(job)
        if result.status == FileStatus.OK:
            await self._files.mark_ok(job["sha256"])
            log.info("files.stored", sha256=job["sha256"], document_id=job.get("document_id"))
            return
        attempts = int(job.get("attempts", 0)) + 1
        status = result.status
        reason = result.reason
        if attempts >= self._settings.fetch_max_attempts and status != FileStatus.FAILED:
            status = FileStatus.FAILED
            reason = f"gave up after {attempts} attempts: {reason}"
        first_mismatch = status == FileStatus.MISMATCH and not job.get("mismatch_reported")
        if first_mismatch or status == FileStatus.FAILED:
            await self._reporter.report(job, reason)
        await self._files.mark_retry(
            job["sha256"],
            status=status,
            attempts=attempts,
            delay_s=self._backoff.delay(attempts),
            error=reason,
        )
        log.warning("files.fetch_failed", sha256=job["sha256"], status=status, error=reason)


class SignatureJobs:
    """Checks the signatures of pages queued by the projection (work in flight only): the
    JWS when the signature carries one, else its original form (docs/architecture.md §10)."""

    def __init__(self, pages: PageRepository, queue: PendingWork, keys: JwksCache) -> None:
        self._pages = pages
        self._queue = queue
        self._keys = keys

    async def run_pending(self, batch: int = 50) -> int:
        checked = 0
        while checked < batch:
            record = await self._queue.claim(SIGNATURE_LEASE_S)
            if record is None:
                break
            page = await self._pages.get(str(record["_id"]))
            if page is None or page.get("signature_status") != str(SignatureStatus.PENDING):
                await self._queue.done(record)
                continue
            signature = DocumentSignature.model_validate(signature_of(page))
            try:
                jwks = await self._keys.for_kid(signature.kid)
            except JwksUnavailable:
                await self._queue.release(str(record["_id"]))
                return checked  # not yet checked: try again on the next round
            status = signature_verdict(page, signature, jwks)
            await self._pages.set_signature_status(str(page["_id"]), page["version"], status)
            await self._queue.done(record)
            checked += 1
        return checked


class Worker:
    """One loop per process; woken at once by the projection, else polls every interval."""

    def __init__(
        self,
        files: FileJobs,
        signatures: SignatureJobs,
        indexing: SearchIndexJobs,
        interval_s: float,
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._files = files
        self._signatures = signatures
        self._indexing = indexing
        self._changed = changed
        self._loop = BackgroundLoop("portal-worker", self._round, interval_s)

    def wake(self) -> None:
        self._loop.wake()

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def _round(self) -> None:
        done = await self._signatures.run_pending()
        done += await self._indexing.run_pending()
        done += await self._files.run_due()
        if done:
            self._changed()
