"""The background worker that sends delivery jobs to partners' webhooks.

It claims due jobs (most urgent first) under a lease so that two replicas never send the
same job at once, runs several sends concurrently, caps the sends in flight per partner and
rate-limits each partner, both across all replicas (``services.limits``), so a slow partner
never delays the others. The Kafka consumers
only store jobs; nothing here runs inside a consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import httpx

from services.lgsp.domain.backoff import Outcome, OutcomeKind, classify, parse_retry_after
from services.lgsp.domain.deliveries import Mode
from services.lgsp.domain.partners import PartnerState
from services.lgsp.domain.signing import webhook_headers
from services.lgsp.domain.webhook_url import UnsafeWebhookUrl, check_addresses, parse_webhook_url
from services.lgsp.repositories import DeliveryRepository, PartnerRepository
from services.lgsp.repositories.common import Doc, now
from services.lgsp.services.deliveries import DeliveryService
from services.lgsp.services.files import FileFetchError, FileService
from services.lgsp.services.limits import PartnerLimiter
from services.lgsp.services.partners import active_secrets, resolve_host
from services.lgsp.settings import Settings
from shared.logging import get_logger

log = get_logger(__name__)
USER_AGENT = "egov-lgsp/0.1 (Standard Webhooks)"


class DeliveryWorker:
    def __init__(
        self,
        deliveries: DeliveryRepository,
        partners: PartnerRepository,
        service: DeliveryService,
        files: FileService,
        limiter: PartnerLimiter,
        settings: Settings,
    ) -> None:
        self.deliveries = deliveries
        self.partners = partners
        self.service = service
        self.files = files
        self.limiter = limiter
        self.settings = settings
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        # This replica's own sends per partner: a fast path that never asks the database
        # for a slot this replica alone already fills (it is a subset of the global count).
        self._per_partner: dict[str, int] = {}
        self._throttled_until: dict[str, float] = {}
        self._client: httpx.AsyncClient | None = None

    # Lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._client = httpx.AsyncClient(
                timeout=self.settings.webhook_timeout_s,
                follow_redirects=False,
                headers={"user-agent": USER_AGENT},
            )
            self._task = asyncio.create_task(self._run(), name="lgsp-delivery-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._inflight):
            task.cancel()
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def wake(self) -> None:
        self._wake.set()

    # The loop -------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            try:
                launched = await self._fill()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("worker.claim_failed")
                launched = 0
            if launched == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.worker_poll_interval_s)

    def _excluded(self) -> list[str]:
        mono = time.monotonic()
        full = [p for p, n in self._per_partner.items() if n >= self.settings.partner_concurrency]
        throttled = [p for p, until in self._throttled_until.items() if until > mono]
        return sorted(set(full) | set(throttled))

    async def _fill(self) -> int:
        launched = 0
        lease_s = self.settings.send_lease_s
        while len(self._inflight) < self.settings.worker_concurrency:
            job = await self.deliveries.claim(now(), lease_s, self._excluded())
            if job is None:
                break
            partner_id = job["partner_id"]
            grant = await self.limiter.acquire(partner_id)
            if grant.slot_id is None:
                # Full or out of tokens cluster-wide: leave the partner alone for a moment.
                pause = min(max(grant.retry_in_s, 0.01), self.settings.worker_poll_interval_s)
                self._throttled_until[partner_id] = time.monotonic() + pause
                await self.service.release(job)
                continue
            self._per_partner[partner_id] = self._per_partner.get(partner_id, 0) + 1
            task = asyncio.create_task(self._guarded(job, grant.slot_id))
            self._inflight.add(task)
            launched += 1
        return launched

    async def _guarded(self, job: Doc, slot_id: str) -> None:
        try:
            await self._process(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Never crash the worker: the lease expires and the job is tried again.
            log.exception("worker.job_failed", delivery_id=job["_id"])
        finally:
            partner_id = job["partner_id"]
            try:
                await self.limiter.release(partner_id, slot_id)
            except Exception:  # the slot's lease expires on its own
                log.exception("worker.slot_release_failed", partner_id=partner_id)
            self._per_partner[partner_id] = self._per_partner.get(partner_id, 1) - 1
            if self._per_partner[partner_id] <= 0:
                self._per_partner.pop(partner_id, None)
            task = asyncio.current_task()
            if task is not None:
                self._inflight.discard(task)
            self._wake.set()

    # One job --------------------------------------------------------------------------
    async def _process(self, job: Doc) -> None:
        partner = await self.partners.get(job["partner_id"])
        if partner is None or partner["state"] == PartnerState.DISABLED.value:
            await self.service.fail(job, "the partner is disabled")
            return
        if partner["state"] == PartnerState.SUSPENDED.value:
            await self.service.postpone(job, self.settings.backoff_max_s)
            return
        if not partner.get("webhook_url"):
            await self.service.postpone(job, 0, mode=Mode.INBOX)
            return
        if not partner.get("webhook_enabled", True):
            await self.service.fail(job, "the partner's endpoint is disabled (HTTP 410)")
            return
        refusal = await self._unsafe_target(partner["webhook_url"])
        if refusal is not None:
            await self.service.fail(job, refusal)
            return
        secrets = active_secrets(partner, now())
        if not secrets:
            await self.service.postpone(job, self.settings.backoff_base_s)
            log.warning("worker.no_secret", partner=partner["code"])
            return
        payload = await self.service.payload(job)
        outcome = await self._send(job, partner, secrets, payload)
        done = await self.service.record_outcome(job, outcome)
        if done is not None and outcome.kind is OutcomeKind.GONE:
            await self._disable(partner, outcome.detail)

    async def _send(
        self, job: Doc, partner: Doc, secrets: list[str], payload: dict[str, Any]
    ) -> Outcome:
        event_data = await self.service.events.get(job["event_id"])
        try:
            await self.files.ensure_all((event_data or {}).get("data") or {})
        except FileFetchError as exc:
            return classify(None, f"attachment not available: {exc}", None)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = webhook_headers(secrets, payload["id"], int(time.time()), body)
        assert self._client is not None
        try:
            response = await self._client.post(
                partner["webhook_url"], content=body, headers=headers
            )
        except httpx.TimeoutException:
            return classify(None, "timed out", None)
        except httpx.HTTPError as exc:
            return classify(None, f"{type(exc).__name__}: {exc}"[:300], None)
        retry_after = parse_retry_after(response.headers.get("retry-after"), now())
        return classify(response.status_code, None, retry_after)

    async def _unsafe_target(self, url: str) -> str | None:
        """The SSRF guard again at send time: a host may have been re-pointed since."""
        if self.settings.allow_private_webhooks:
            return None
        try:
            host = parse_webhook_url(url)
            check_addresses(host, await resolve_host(host))
        except UnsafeWebhookUrl as exc:
            return str(exc)
        return None

    async def _disable(self, partner: Doc, reason: str) -> None:
        await self.partners.update(
            partner["_id"], {"$set": {"webhook_enabled": False, "webhook_disabled_reason": reason}}
        )
        log.warning("worker.endpoint_disabled", partner=partner["code"])
