"""Delivery jobs: one per (event, partner); their states and the status codes partners send."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.contracts.vocabulary import DeliveryState


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
