"""The background worker that sends delivery jobs to partners' webhooks.

It keeps the due times of the open webhook jobs in memory (``domain.schedule``), learnt
from the jobs this replica creates or retries and from a rare rescan of the active set
(``delivery_queue``: only open jobs), and sleeps until the next one is due: an idle worker
costs nothing. A job is claimed by _id under a lease, so two replicas never send it twice.

Isolation: the next job is taken from the most urgent partner that may send now. A partner
whose slots are full (``services.limits``, across replicas), throttled or parked (it cannot
be sent to: ``domain.parking``) is skipped as a whole, so its jobs never stand in front of
another partner's. Parked jobs stay untouched until an administrator fixes the partner.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import structlog
from opentelemetry.trace import SpanKind

from services.lgsp.domain.backoff import Outcome, OutcomeKind, classify, parse_retry_after
from services.lgsp.domain.breaker import PartnerBreaker
from services.lgsp.domain.deliveries import OPEN_STATES, JobState, Mode
from services.lgsp.domain.message_log import Direction
from services.lgsp.domain.parking import parked_reason, signing_secrets
from services.lgsp.domain.partners import PartnerState
from services.lgsp.domain.schedule import Entry, Schedule
from services.lgsp.domain.signing import webhook_headers
from services.lgsp.domain.webhook_url import UnsafeWebhookUrl, check_addresses, parse_webhook_url
from services.lgsp.repositories import DeliveryRepository, PartnerRepository
from services.lgsp.services.deliveries import DeliveryService
from services.lgsp.services.directory import PartnerDirectory
from services.lgsp.services.edxml_delivery import MessageUnavailable, PayloadRenderer
from services.lgsp.services.files import FileFetchError, FileService
from services.lgsp.services.limits import PartnerLimiter
from services.lgsp.services.message_log import MessageLog
from services.lgsp.services.partners import resolve_host
from services.lgsp.services.pinned_transport import pinned_transport
from services.lgsp.settings import Settings
from shared.background import cancel_and_wait, wait_event
from shared.kit.backoff import Backoff
from shared.kit.clock import as_utc, utcnow
from shared.kit.types import Doc
from shared.logging import get_logger
from shared.metrics import DELIVERY_OLDEST_DUE, DELIVERY_QUEUE_DEPTH, PARTNER_PARKED
from shared.observability.tracing import span_in

log = get_logger(__name__)
USER_AGENT = "egov-lgsp/0.1 (Standard Webhooks)"


class DeliveryWorker:
    def __init__(
        self,
        deliveries: DeliveryRepository,
        partners: PartnerRepository,
        directory: PartnerDirectory,
        service: DeliveryService,
        files: FileService,
        limiter: PartnerLimiter,
        settings: Settings,
        message_log: MessageLog | None = None,
        *,
        renderer: PayloadRenderer,
    ) -> None:
        self.renderer = renderer
        self.message_log = message_log
        self.deliveries = deliveries
        self.partners = partners
        self.directory = directory
        self.service = service
        self.files = files
        self.limiter = limiter
        self.settings = settings
        self.schedule = Schedule()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._per_partner: dict[str, int] = {}  # this replica's sends in flight
        self._throttled_until: dict[str, float] = {}  # monotonic
        self._parked: dict[str, str] = {}  # partner -> reason, as last seen
        self._breaker = PartnerBreaker(Backoff(settings.backoff_base_s, settings.backoff_max_s))
        self._client: httpx.AsyncClient | None = None

    # Lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._client = httpx.AsyncClient(
                timeout=self.settings.webhook_timeout_s,
                follow_redirects=False,
                headers={"user-agent": USER_AGENT},
                # The SSRF guard also checks the address each connection really uses.
                transport=None
                if self.settings.allow_private_webhooks
                else pinned_transport(resolve_host),
            )
            self._task = asyncio.create_task(self._run(), name="lgsp-delivery-worker")

    async def stop(self) -> None:
        if self._task is not None:
            task, self._task = self._task, None
            await cancel_and_wait(task)
        for task in list(self._inflight):
            task.cancel()
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def wake(self) -> None:
        self._wake.set()

    def add(self, job: Doc) -> None:
        """A job just created, requeued or retried on this replica: schedule it."""
        if job["state"] in OPEN_STATES and job["mode"] == Mode.WEBHOOK.value:
            due = as_utc(job["due_at"]).timestamp()
            self.schedule.put(job["_id"], job["partner_id"], int(job["priority"]), due)
            self._wake.set()

    async def unpark(self, partner_id: str) -> None:
        """The partner was fixed here: its open jobs are due now, on every replica."""
        ids = await self.deliveries.active.queued_ids_of(partner_id)
        await self.deliveries.make_due(ids, utcnow())
        self.schedule.pull_forward(partner_id, time.time())
        self._wake.set()

    # The loop -------------------------------------------------------------------------
    async def _run(self) -> None:
        next_rescan = 0.0
        next_check = 0.0
        while True:
            self._wake.clear()  # a wake during the work below is kept for the wait
            try:
                mono = time.monotonic()
                if mono >= next_rescan:
                    await self._rescan()
                    next_rescan = mono + self.settings.worker_rescan_interval_s
                if mono >= next_check and len(self.schedule):
                    await self._refresh_partners()
                    next_check = mono + self.settings.worker_poll_interval_s
                await self._fill()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("worker.step_failed")
            timeout = self._sleep_for(next_rescan, next_check)
            await wait_event(self._wake, timeout)

    def _sleep_for(self, next_rescan: float, next_check: float) -> float:
        """Until the next job is due, a throttle ends, or a periodic check is owed."""
        mono, wall = time.monotonic(), time.time()
        marks = [next_rescan - mono]
        if len(self.schedule):
            marks.append(next_check - mono)
        due = self.schedule.next_due(skip=self._parked)
        if due is not None:
            marks.append(due - wall)
        for partner_id in self.schedule.ready_partners():
            if partner_id in self._parked:
                continue
            until = self._throttled_until.get(partner_id)
            if until is not None:
                marks.append(until - mono)
            probe = self._breaker.probe_at(partner_id)
            if probe is not None:
                marks.append(probe - mono)
        return max(0.005, min(marks))

    async def _rescan(self) -> None:
        """Adopt open jobs this replica does not know (another replica's, or left by a
        crash): one read of the active set, whose size is the work in flight."""
        queued = await self.deliveries.active.queued()
        for doc in queued:
            if doc["_id"] not in self.schedule:
                due = as_utc(doc["due_at"]).timestamp()
                self.schedule.put(doc["_id"], doc["partner_id"], int(doc["priority"]), due)
        await self._refresh_partners()
        self._report_queue(queued)

    def _partner_label(self, partner_id: str) -> str:
        partner = self.directory.partner(partner_id)
        return str(partner["code"]) if partner is not None else partner_id

    def _report_queue(self, queued: list[Doc]) -> None:
        """Depth and most overdue job per partner, from the read the rescan just made."""
        now = time.time()
        depth: dict[str, int] = {}
        overdue: dict[str, float] = {}
        for doc in queued:
            pid = doc["partner_id"]
            depth[pid] = depth.get(pid, 0) + 1
            late = max(0.0, now - as_utc(doc["due_at"]).timestamp())
            overdue[pid] = max(overdue.get(pid, 0.0), late)
        known = {str(p["_id"]) for p in self.directory.partners()}
        for pid in known | set(depth):
            label = self._partner_label(pid)
            DELIVERY_QUEUE_DEPTH.labels(label).set(depth.get(pid, 0))
            DELIVERY_OLDEST_DUE.labels(label).set(overdue.get(pid, 0.0))
            PARTNER_PARKED.labels(label).set(1 if pid in self._parked else 0)

    async def _refresh_partners(self) -> None:
        await self.directory.refresh()
        at, wall = utcnow(), time.time()
        parked: dict[str, str] = {}
        for partner in self.directory.partners():
            reason = parked_reason(partner, at)
            if reason is not None:
                parked[partner["_id"]] = reason
        for partner_id, reason in parked.items():
            if partner_id not in self._parked:
                log.warning("worker.partner_parked", partner_id=partner_id, reason=reason)
        for partner_id in set(self._parked) - set(parked):
            log.info("worker.partner_resumed", partner_id=partner_id)
            self.schedule.pull_forward(partner_id, wall)
            PARTNER_PARKED.labels(self._partner_label(partner_id)).set(0)
        for partner_id in parked:
            PARTNER_PARKED.labels(self._partner_label(partner_id)).set(1)
        self._parked = parked

    def _eligible(self, partner_id: str, mono: float) -> bool:
        in_flight = self._per_partner.get(partner_id, 0)
        return (
            partner_id not in self._parked
            and in_flight < self.settings.partner_concurrency
            and self._throttled_until.get(partner_id, 0.0) <= mono
            and self._breaker.allows(partner_id, mono, in_flight)
        )

    async def _fill(self) -> int:
        launched = 0
        lease_s = self.settings.send_lease_s
        while len(self._inflight) < self.settings.worker_concurrency:
            mono = time.monotonic()
            self.schedule.promote(time.time())
            ready = [p for p in self.schedule.ready_partners() if self._eligible(p, mono)]
            entry = self.schedule.best(ready)
            if entry is None:
                break
            partner_id = entry.partner_id
            grant = await self.limiter.acquire(partner_id)
            if grant.slot_id is None:
                # Full or out of tokens cluster-wide: leave this partner alone for a moment.
                pause = min(max(grant.retry_in_s, 0.01), self.settings.worker_poll_interval_s)
                self._throttled_until[partner_id] = mono + pause
                continue
            self.schedule.take(entry.job_id)
            job = await self.deliveries.claim(entry.job_id, utcnow(), lease_s)
            if job is None:
                await self._release_slot(partner_id, grant.slot_id)
                await self._reconsider(entry)
                continue
            self._per_partner[partner_id] = self._per_partner.get(partner_id, 0) + 1
            task = asyncio.create_task(self._guarded(job, grant.slot_id))
            self._inflight.add(task)
            launched += 1
        return launched

    async def _reconsider(self, entry: Entry) -> None:
        """A claim by id failed: learn why from the job and schedule it accordingly."""
        job = await self.deliveries.get(entry.job_id)
        if job is None:
            await self.deliveries.active.remove_stale(entry.job_id, None)
            return
        if job["state"] not in OPEN_STATES:
            await self.deliveries.active.remove_stale(entry.job_id, int(job["version"]))
            return
        if job["mode"] != Mode.WEBHOOK.value:
            return
        wall = time.time()
        lease = as_utc(job["lease_until"]).timestamp()
        due = as_utc(job["due_at"]).timestamp()
        later = max(due, lease + 0.05 if lease > wall else 0.0, wall + 0.05)
        self.schedule.put(entry.job_id, job["partner_id"], int(job["priority"]), later)

    async def _release_slot(self, partner_id: str, slot_id: str) -> None:
        try:
            await self.limiter.release(partner_id, slot_id)
        except Exception:  # the slot's lease expires on its own
            log.exception("worker.slot_release_failed", partner_id=partner_id)

    async def _guarded(self, job: Doc, slot_id: str) -> None:
        try:
            # The send continues the trace of the event that caused the job.
            with (
                span_in(
                    job.get("traceparent"),
                    "lgsp.deliver",
                    kind=SpanKind.PRODUCER,
                    attributes={"egov.delivery_id": job["_id"], "egov.partner": job["partner_id"]},
                ),
                structlog.contextvars.bound_contextvars(
                    delivery_id=job["_id"], document_id=job.get("document_id")
                ),
            ):
                await self._process(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Never crash the worker: the lease expires and the job is tried again.
            log.exception("worker.job_failed", delivery_id=job["_id"])
            lease = as_utc(job["lease_until"]).timestamp()
            self.schedule.put(job["_id"], job["partner_id"], int(job["priority"]), lease)
        finally:
            partner_id = job["partner_id"]
            await self._release_slot(partner_id, slot_id)
            self._per_partner[partner_id] = self._per_partner.get(partner_id, 1) - 1
            if self._per_partner[partner_id] <= 0:
                self._per_partner.pop(partner_id, None)
            task = asyncio.current_task()
            if task is not None:
                self._inflight.discard(task)
            self._wake.set()

    # One job --------------------------------------------------------------------------
    async def _process(self, job: Doc) -> None:
        partner = await self.partners.get(job["partner_id"])  # fresh, not the cache
        if partner is None or partner["state"] == PartnerState.DISABLED.value:
            await self.service.fail(job, "the partner is disabled")
            return
        if not partner.get("webhook_url"):
            await self.service.postpone(job, 0, mode=Mode.INBOX)
            return
        if parked_reason(partner, utcnow()) is not None:
            await self._park_job(job)
            return
        url = partner["webhook_url"]
        refusal = await self._unsafe_target(url)
        if refusal is not None and refusal.startswith("unresolved:"):
            await self._record(job, partner, classify(None, refusal.split(":", 1)[1], None))
            return
        if refusal is not None:
            reason = f"the webhook URL is refused: {refusal}; set another webhook URL"
            await self.partners.park(partner["_id"], reason, utcnow())
            await self._park_job(job)
            return
        payload = await self.service.payload(job)
        try:
            outcome = await self._send(job, partner, signing_secrets(partner, utcnow()), payload)
        except MessageUnavailable as exc:  # retrying cannot help
            await self.service.fail(job, str(exc))
            return
        await self._record(job, partner, outcome)

    async def _record(self, job: Doc, partner: Doc, outcome: Outcome) -> None:
        partner_id = str(partner["_id"])
        if outcome.kind is OutcomeKind.DELIVERED:
            if self._breaker.succeeded(partner_id):
                log.info("worker.partner_recovered", partner_id=partner_id)
                self.schedule.pull_forward(partner_id, time.time())
        elif outcome.kind is OutcomeKind.RETRY:
            was_open = self._breaker.is_open(partner_id)
            self._breaker.failed(partner_id, time.monotonic())
            if self._breaker.is_open(partner_id) and not was_open:
                log.warning("worker.partner_failing", partner_id=partner_id, reason=outcome.detail)
        done = await self.service.record_outcome(job, outcome)
        if done is None:
            return
        if done["state"] == JobState.RETRYING.value:
            self.add(done)
        if outcome.kind is OutcomeKind.GONE:
            await self._disable(partner, outcome.detail)

    async def _park_job(self, job: Doc) -> None:
        """Give the job back untouched; the partner is skipped until it is fixed."""
        await self.service.release(job)
        self.directory.invalidate()
        await self._refresh_partners()
        self.schedule.put(job["_id"], job["partner_id"], int(job["priority"]), time.time())

    async def _send(
        self, job: Doc, partner: Doc, secrets: list[str], payload: dict[str, Any]
    ) -> Outcome:
        try:  # JSON or signed edXML, by the partner's format
            rendered = await self.renderer.render(partner, job, payload)
        except FileFetchError as exc:
            return classify(None, f"attachment not available: {exc}", None)
        body = rendered.body
        headers = webhook_headers(secrets, payload["id"], int(time.time()), body)
        headers["content-type"] = rendered.content_type
        assert self._client is not None
        try:
            response = await self._client.post(
                partner["webhook_url"], content=body, headers=headers
            )
        except httpx.TimeoutException:
            outcome = classify(None, "timed out", None)
        except httpx.HTTPError as exc:
            outcome = classify(None, f"{type(exc).__name__}: {exc}"[:300], None)
        else:
            retry_after = parse_retry_after(response.headers.get("retry-after"), utcnow())
            outcome = classify(response.status_code, None, retry_after)
        await self._log_sent(job, partner, headers, body, outcome)
        return outcome

    async def _log_sent(
        self, job: Doc, partner: Doc, headers: dict[str, str], body: bytes, outcome: Outcome
    ) -> None:
        """The message log's entry of this attempt, before the job records its outcome: if
        the log cannot be written the job is not marked delivered, its lease expires and it
        is sent again (same webhook-id, which receivers deduplicate)."""
        if self.message_log is None:
            return
        await self.message_log.append(
            partner_id=str(partner["_id"]),
            partner_code=str(partner["code"]),
            direction=Direction.OUT,
            kind=str(job["event_type"]),
            headers=headers,
            payload=body,
            outcome=f"{outcome.kind.value}: {outcome.detail}",
            ref=str(job["_id"]),
        )

    async def _unsafe_target(self, url: str) -> str | None:
        """The SSRF guard again at send time: a host may have been re-pointed since.

        "unresolved:..." when the host does not resolve now (retried like any failure);
        any other text when it points somewhere it must not (the partner is parked).
        """
        if self.settings.allow_private_webhooks:
            return None
        try:
            host = parse_webhook_url(url)
            addresses = await asyncio.wait_for(resolve_host(host), self.settings.webhook_timeout_s)
        except UnsafeWebhookUrl as exc:
            return str(exc)
        except TimeoutError:
            return "unresolved:the webhook host did not resolve in time"
        if not addresses:
            return f"unresolved:the webhook host {host} does not resolve"
        try:
            check_addresses(host, addresses)
        except UnsafeWebhookUrl as exc:
            return str(exc)
        return None

    async def _disable(self, partner: Doc, reason: str) -> None:
        await self.partners.disable_webhook(partner["_id"], reason)
        self.directory.invalidate()
        log.warning("worker.endpoint_disabled", partner=partner["code"])
