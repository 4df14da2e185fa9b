"""Delivery jobs: one per (event, partner); their states and the status codes partners send."""

from __future__ import annotations

from enum import StrEnum

from shared.contracts.vocabulary import DeliveryState, IncomingStatus


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

# What a partner may report about a document it received (docs/architecture.md §11).
REPORTABLE = frozenset(
    {
        IncomingStatus.ARRIVED,
        IncomingStatus.REJECTED,
        IncomingStatus.ACCEPTED,
        IncomingStatus.ASSIGNED,
        IncomingStatus.IN_PROGRESS,
        IncomingStatus.COMPLETED,
        IncomingStatus.RECALL_ACCEPTED,
        IncomingStatus.RECALL_REFUSED,
    }
)


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
