"""Incoming documents (văn bản đến): their states, the steps between them and the status
each step reports to the sender (docs/architecture.md §5, "Incoming documents")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from shared.contracts.events import IncomingStatusChanged
from shared.contracts.vocabulary import URGENCY_RANK, IncomingStatus, Urgency

# The register book of arrival numbers (sổ đăng ký văn bản đến), one per issuer and year.
INCOMING_BOOK = "incoming"
# The audit chain of an incoming document is kept apart from those of outgoing ones.
AUDIT_PREFIX = "incoming:"


class IncomingState(StrEnum):
    RECEIVING = "receiving"  # its attachments are being fetched from the LGSP
    NEEDS_ATTENTION = "needs_attention"  # held: the reason says why
    AWAITING_REGISTRATION = "awaiting_registration"
    REGISTERING = "registering"  # transient: the arrival number is being reserved
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the sender recalled it and a clerk accepted the recall


class IncomingAction(StrEnum):
    READ = "read"
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    PROGRESS = "progress"
    COMPLETE = "complete"
    RECALL_ANSWER = "recall-answer"


class RecallStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


S = IncomingState
# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[IncomingAction, tuple[frozenset[IncomingState], IncomingState]] = {
    IncomingAction.ACCEPT: (frozenset({S.AWAITING_REGISTRATION}), S.REGISTERING),
    IncomingAction.REJECT: (frozenset({S.AWAITING_REGISTRATION, S.NEEDS_ATTENTION}), S.REJECTED),
    IncomingAction.ASSIGN: (frozenset({S.ACCEPTED}), S.ASSIGNED),
    IncomingAction.PROGRESS: (frozenset({S.ASSIGNED}), S.IN_PROGRESS),
    IncomingAction.COMPLETE: (frozenset({S.IN_PROGRESS}), S.COMPLETED),
}

# What each step tells the sender.
STATUS_OF: dict[IncomingAction, IncomingStatus] = {
    IncomingAction.REJECT: IncomingStatus.REJECTED,
    IncomingAction.ACCEPT: IncomingStatus.ACCEPTED,
    IncomingAction.ASSIGN: IncomingStatus.ASSIGNED,
    IncomingAction.PROGRESS: IncomingStatus.IN_PROGRESS,
    IncomingAction.COMPLETE: IncomingStatus.COMPLETED,
}

CLOSED_STATES = frozenset({S.COMPLETED, S.REJECTED, S.WITHDRAWN})
OPEN_STATES = frozenset(IncomingState) - CLOSED_STATES
# States in which the document carries an arrival number.
REGISTERED_STATES = frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED})


def audit_subject(inbound_id: str) -> str:
    return AUDIT_PREFIX + inbound_id


def state_of(doc: Mapping[str, Any]) -> IncomingState:
    return IncomingState(doc["state"])


def recall_pending(doc: Mapping[str, Any]) -> bool:
    return (doc.get("recall") or {}).get("status") == RecallStatus.PENDING.value


def is_open(doc: Mapping[str, Any]) -> bool:
    """Work in flight: listed from the open set until it is closed and no recall waits."""
    return state_of(doc) in OPEN_STATES or recall_pending(doc)


def urgency_rank(doc: Mapping[str, Any]) -> int:
    return URGENCY_RANK[Urgency(doc.get("urgency") or Urgency.THUONG.value)]


def is_urgent(doc: Mapping[str, Any]) -> bool:
    """Khẩn and above."""
    return urgency_rank(doc) >= URGENCY_RANK[Urgency.KHAN]


def deadline_of(doc: Mapping[str, Any]) -> dt.date | None:
    """The handling deadline: the assignment's, else the sender's due date."""
    raw = (doc.get("assignment") or {}).get("deadline") or doc.get("due_date")
    return dt.date.fromisoformat(str(raw)) if raw else None


def is_overdue(doc: Mapping[str, Any], today: dt.date) -> bool:
    deadline = deadline_of(doc)
    return state_of(doc) in OPEN_STATES and deadline is not None and deadline < today


def sender_notation(doc: Mapping[str, Any]) -> str:
    """245/BNV-CQĐT: the sender's number and notation."""
    return f"{doc['code_number']}/{doc['code_notation']}"


def handling_units(doc: Mapping[str, Any]) -> frozenset[str]:
    assignment = doc.get("assignment") or {}
    units = [assignment.get("lead_unit"), *(assignment.get("supporting_units") or [])]
    return frozenset(str(u) for u in units if u)


class StepRefused(Exception):
    """The document's state (or a pending recall) does not allow the step."""


def check_step(action: IncomingAction, doc: Mapping[str, Any]) -> IncomingState:
    """The state ``action`` leads to, or StepRefused (a 409) with the reason."""
    state = state_of(doc)
    if action == IncomingAction.RECALL_ANSWER:
        if not recall_pending(doc):
            raise StepRefused("no recall of the sender waits for an answer")
        if state == S.REGISTERING:
            raise StepRefused("the document is being registered; try again")
        return state
    if recall_pending(doc):
        raise StepRefused("the sender asked to recall this document: answer the recall first")
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise StepRefused(f"cannot {action} a document that is {state}")
    return target


def status_changed(
    doc: Mapping[str, Any],
    version: int,
    status: IncomingStatus,
    note: str,
    at: dt.datetime,
) -> IncomingStatusChanged:
    """What the sender is told; it carries no content of the document, only its status."""
    return IncomingStatusChanged(
        inbound_id=str(doc["_id"]),
        incoming_version=version,
        sender_code=str(doc["sender_code"]),
        sender_document_id=str(doc["sender_document_id"]),
        sender_notation=sender_notation(doc)[:130],
        promulgation_date=dt.date.fromisoformat(str(doc["promulgation_date"])),
        status=status.value,
        note=note[:2000],
        changed_at=at,
    )
