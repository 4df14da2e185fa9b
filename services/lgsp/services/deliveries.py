"""Delivery jobs: state transitions with their status events (outbox), inbox, reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.lgsp.domain.backoff import Outcome, OutcomeKind, next_attempt_at
from services.lgsp.domain.deliveries import (
    OPEN_STATES,
    JobState,
    Mode,
    public_state,
)
from services.lgsp.domain.payload import delivery_payload
from services.lgsp.errors import DeliveryConflict, DeliveryNotFound
from services.lgsp.repositories import DeliveryRepository, EventRepository
from services.lgsp.settings import Settings
from shared.contracts.events import DeliveryStatusChanged
from shared.contracts.vocabulary import IncomingStatus
from shared.kit.backoff import Backoff
from shared.kit.clock import as_utc, utcnow
from shared.kit.types import Doc
from shared.logging import get_logger
from shared.messaging.envelope import OutgoingRecord
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import EventPublisher

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
log = get_logger(__name__)


class DeliveryService:
    def __init__(
        self,
        deliveries: DeliveryRepository,
        events: EventRepository,
        publisher: EventPublisher,
        relay: OutboxRelay,
        settings: Settings,
    ) -> None:
        self.deliveries = deliveries
        self.events = events
        self.publisher = publisher
        self.relay = relay
        self.settings = settings
        self.backoff = Backoff(settings.backoff_base_s, settings.backoff_max_s)

    # Transitions ----------------------------------------------------------------------
    def _record(
        self,
        job: Doc,
        version: int,
        state: JobState | None,
        receiver_status: IncomingStatus | None = None,
        note: str = "",
    ) -> OutgoingRecord | None:
        if not job.get("publish_status"):
            return None
        delivery_state = public_state(state) if state is not None else None
        if delivery_state is None and receiver_status is None:
            return None
        event = DeliveryStatusChanged(
            document_id=job["document_id"],
            delivery_id=job["_id"],
            delivery_version=version,
            recipient_code=job["partner_code"],
            delivery_state=delivery_state,
            receiver_status=receiver_status,
            note=note[:2000],
            changed_at=utcnow(),
        )
        return self.publisher.record_for(event)

    async def _transition(
        self,
        job: Doc,
        fields: Doc,
        state: JobState | None,
        *,
        attempt: Doc | None = None,
        receiver_status: IncomingStatus | None = None,
        note: str = "",
        lease_token: str | None = None,
    ) -> Doc | None:
        """Set ``fields`` (and log ``attempt``) with the status event atomically; None if
        the lease was lost."""
        for _ in range(10):
            record = self._record(job, job["version"] + 1, state, receiver_status, note)
            records = [record] if record else []
            doc = await self.deliveries.transition(
                job["_id"],
                job["version"],
                fields,
                records,
                attempt=attempt,
                lease_token=lease_token,
            )
            if doc is not None:
                if records:
                    try:
                        await self.relay.publish_now(job["_id"])
                    except Exception:  # the sweeper publishes it later
                        log.exception("delivery.status_publish_deferred", delivery_id=job["_id"])
                return doc
            fresh = await self.deliveries.get(job["_id"])
            if fresh is None or (lease_token and fresh.get("lease_token") != lease_token):
                return None
            job = fresh
        raise DeliveryConflict("the delivery is changing too fast; try again")

    async def record_outcome(self, job: Doc, outcome: Outcome) -> Doc | None:
        """What one webhook attempt means for the job; published as a status event."""
        at = utcnow()
        attempts = int(job.get("attempts", 0)) + 1
        entry = {"at": at, "result": outcome.kind.value, "detail": outcome.detail[:500]}
        fields: Doc = {"attempts": attempts, "last_error": None, "lease_until": EPOCH}
        state: JobState
        if outcome.kind is OutcomeKind.DELIVERED:
            state = JobState.DELIVERED
            fields["delivered_at"] = at
        elif outcome.kind is OutcomeKind.GONE:
            state = JobState.FAILED
            fields["last_error"] = outcome.detail
        else:
            due = next_attempt_at(at, attempts, outcome, self.backoff)
            fields["last_error"] = outcome.detail
            if due > as_utc(job["give_up_at"]):
                state = JobState.DEAD
            else:
                state = JobState.RETRYING
                fields["due_at"] = due
        fields["state"] = state.value
        if state is not JobState.RETRYING:
            fields["finished_at"] = at
        return await self._transition(
            job,
            fields,
            state,
            attempt=entry,
            note=outcome.detail,
            lease_token=job.get("lease_token"),
        )

    async def fail(self, job: Doc, reason: str) -> Doc | None:
        update = {
            "state": JobState.FAILED.value,
            "last_error": reason,
            "lease_until": EPOCH,
            "finished_at": utcnow(),
        }
        return await self._transition(
            job, update, JobState.FAILED, note=reason, lease_token=job.get("lease_token")
        )

    async def postpone(self, job: Doc, seconds: float, mode: Mode | None = None) -> Doc | None:
        fields: dict[str, Any] = {"due_at": utcnow() + dt.timedelta(seconds=seconds)}
        if mode is not None:
            fields["mode"] = mode.value
        return await self.deliveries.reschedule(job["_id"], fields, job.get("lease_token"))

    async def release(self, job: Doc) -> None:
        await self.deliveries.release(job["_id"], job.get("lease_token"))

    async def requeue(self, job: Doc, mode: Mode, *, replay_id: str | None = None) -> Doc:
        """Administrator's retry (or a replay): back to pending, due now, a fresh horizon.
        A replay leaves its id on the job: it never requeues the same job twice."""
        at = utcnow()
        update: Doc = {
            "state": JobState.PENDING.value,
            "mode": mode.value,
            "due_at": at,
            "give_up_at": at + dt.timedelta(seconds=self.settings.give_up_after_s),
            "lease_until": EPOCH,
            "lease_token": None,
            "visible_at": EPOCH,
            "delivered_at": None,
            "finished_at": None,
        }
        if replay_id is not None:
            update["replay_id"] = replay_id
        doc = await self._transition(job, update, None)
        assert doc is not None
        return doc

    # Reads ----------------------------------------------------------------------------
    async def get(self, delivery_id: str) -> Doc:
        job = await self.deliveries.get(delivery_id)
        if job is None:
            raise DeliveryNotFound("no such delivery")
        return job

    async def payload(self, job: Doc) -> dict[str, Any]:
        event = await self.events.get(job["event_id"])
        if event is None:
            raise LookupError(f"event {job['event_id']} is not stored")
        return delivery_payload(
            event["_id"],
            event["ce_type"],
            as_utc(event["time"]),
            event["subject"],
            event["data"],
            self.settings.public_url,
        )

    # The pull inbox -------------------------------------------------------------------
    async def inbox(
        self, partner_id: str, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[tuple[Doc, dict[str, Any]]]:
        at = utcnow()
        items = await self.deliveries.active.inbox_page(partner_id, at, after, limit)
        found = {j["_id"]: j for j in await self.deliveries.get_many([i["_id"] for i in items])}
        jobs = [
            job
            for item in items
            if (job := found.get(item["_id"])) is not None
            and job["partner_id"] == partner_id
            and job["mode"] == Mode.INBOX.value
            and job["state"] in OPEN_STATES
        ]
        until = at + dt.timedelta(seconds=self.settings.inbox_visibility_s)
        await self.deliveries.active.hide([j["_id"] for j in jobs], until)
        return [(job, await self.payload(job)) for job in jobs]

    async def _owned(self, partner: Doc, delivery_id: str) -> Doc:
        job = await self.deliveries.get(delivery_id)
        if job is None or job["partner_id"] != partner["_id"]:
            raise DeliveryNotFound("no such delivery for you")
        return job

    async def ack(self, partner: Doc, delivery_id: str) -> Doc:
        job = await self._owned(partner, delivery_id)
        if job["state"] == JobState.DELIVERED.value:
            return job
        if job["mode"] != Mode.INBOX.value:
            raise DeliveryConflict("this delivery is sent by webhook", state=job["state"])
        at = utcnow()
        update = {"state": JobState.DELIVERED.value, "delivered_at": at, "finished_at": at}
        doc = await self._transition(job, update, JobState.DELIVERED, note="acknowledged")
        assert doc is not None
        return doc

    async def report_status(
        self, partner: Doc, delivery_id: str, status: IncomingStatus, note: str
    ) -> Doc:
        job = await self._owned(partner, delivery_id)
        if not job.get("publish_status"):
            raise DeliveryConflict("statuses are reported only for documents you received")
        update = {"receiver_status": status.value, "receiver_note": note, "receiver_at": utcnow()}
        doc = await self._transition(job, update, None, receiver_status=status, note=note)
        assert doc is not None
        return doc

    async def report_document_status(
        self, partner: Doc, document_id: str, status: IncomingStatus, note: str
    ) -> Doc:
        """A status of the latest delivery of this document to the partner."""
        delivery_id = await self.deliveries.lookups.latest_delivery(partner["_id"], document_id)
        if delivery_id is None:
            raise DeliveryNotFound("no delivery of this document to you")
        return await self.report_status(partner, delivery_id, status, note)
