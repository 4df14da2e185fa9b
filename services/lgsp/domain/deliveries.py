"""Delivery jobs: one per (event, partner); their states and the status codes partners send."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.contracts.vocabulary import DeliveryState
from shared.kit.clock import as_utc


class JobState(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"


class Mode(StrEnum):
    WEBHOOK = "webhook"
    INBOX = "inbox"


OPEN_STATES = (JobState.PENDING.value, JobState.RETRYING.value)
TERMINAL_STATES = (JobState.DELIVERED.value, JobState.FAILED.value, JobState.DEAD.value)


@dataclass(frozen=True)
class DeliveryFilter:
    """What an administrator's list of jobs is narrowed to (each field: equal to)."""

    partner_id: str | None = None
    state: JobState | None = None
    document_id: str | None = None

    def fields(self) -> dict[str, str]:
        values = {
            "partner_id": self.partner_id,
            "state": self.state.value if self.state else None,
            "document_id": self.document_id,
        }
        return {k: v for k, v in values.items() if v}

    def matches(self, job: Mapping[str, Any]) -> bool:
        return all(job.get(k) == v for k, v in self.fields().items())

    def open_only(self) -> bool:
        """Whether the list is of open jobs (the active set) rather than the history."""
        return self.state is not None and self.state.value in OPEN_STATES


def job_id(event_id: str, partner_id: str) -> str:
    return f"{event_id}:{partner_id}"


def public_state(state: JobState) -> DeliveryState | None:
    """The state published on the status topic (pending is not an outcome)."""
    return {
        JobState.DELIVERED: DeliveryState.DELIVERED,
        JobState.RETRYING: DeliveryState.RETRYING,
        JobState.FAILED: DeliveryState.FAILED,
        JobState.DEAD: DeliveryState.DEAD,
    }.get(state)


class ListOrder(StrEnum):
    """The administrators' list of jobs: newest first (the default) or oldest first."""

    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class ListPosition:
    """Where a page of the administrators' list stopped.

    Finished jobs are walked by the minute they were created in (``key`` is that minute's
    bucket key); ``job_id`` is the last job looked at in it, or None when the walk stopped
    before the minute. Open jobs are sorted by creation (``key`` is ``creation_key``) and
    ``job_id`` is the last one listed.
    """

    key: str
    job_id: str | None = None


def creation_key(created_at: dt.datetime) -> str:
    """A sort key of a creation time that orders as text (fixed width, UTC)."""
    return as_utc(created_at).strftime("%Y%m%d%H%M%S%f")


def ids_after(ids: Iterable[str], order: ListOrder, after: str | None) -> list[str]:
    """A minute's job ids in list order, those up to ``after`` (inclusive) left out."""
    newest = order is ListOrder.NEWEST
    ordered = sorted(set(ids), reverse=newest)
    if after is None:
        return ordered
    return [i for i in ordered if (i < after if newest else i > after)]


def may_be_of_partner(delivery_id: str, partner_id: str) -> bool:
    """Whether a job id can belong to the partner (ids are ``job_id(event, partner)``)."""
    return delivery_id.endswith(f":{partner_id}")


def retention_horizon_s(retention_delivered_s: float, give_up_after_s: float) -> float:
    """How long a job's creation bucket is kept: a job ends within ``give_up_after_s`` of
    its creation (unless an administrator requeues it) and is kept ``retention_delivered_s``."""
    return retention_delivered_s + give_up_after_s
