"""Delivery statuses of an issued document, per recipient agency, as the LGSP reports them.

Three concerns travel on one topic and are guarded separately: the LGSP's own delivery
state (delivered, retrying, failed, dead), the receiving agency's handling status (01–06) and
its answer to a recall (15 accepted, 16 refused). One event may carry a delivery state and a
status; each concern is applied only if the event's version is newer than the one held for
it, so duplicates and late arrivals never regress what staff see. Recall answers have a
concern of their own: the request (13) comes from this service, and a later handling status
must neither hide an answer nor be hidden by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.contracts.events import DeliveryStatusChanged
from shared.contracts.vocabulary import IncomingStatus
from shared.kit.clock import as_utc
from shared.kit.types import Doc

DELIVERY = "delivery"
RECEIVER = "receiver"
RECALL = "recall"

RECALL_ANSWERS = frozenset({IncomingStatus.RECALL_ACCEPTED, IncomingStatus.RECALL_REFUSED})


def delivery_key(document_id: str, recipient_code: str) -> str:
    """One small record per (document, recipient); codes contain dots, so they stay values."""
    return f"{document_id}:{recipient_code}"


@dataclass(frozen=True)
class ConcernUpdate:
    concern: str
    fields: Doc


def concern_updates(event: DeliveryStatusChanged) -> list[ConcernUpdate]:
    """What the event changes, per concern (empty when it carries neither)."""
    common: Doc = {
        "document_id": event.document_id,
        "recipient_code": event.recipient_code,
    }
    updates: list[ConcernUpdate] = []
    if event.delivery_state is not None:
        fields = {
            **common,
            "delivery_id": event.delivery_id,
            "delivery_state": event.delivery_state.value,
            "delivery_note": event.note,
            "delivery_changed_at": event.changed_at,
        }
        updates.append(ConcernUpdate(DELIVERY, fields))
    if event.receiver_status in RECALL_ANSWERS:
        fields = {
            **common,
            "recall_status": event.receiver_status.value,
            "recall_note": event.note,
            "recall_changed_at": event.changed_at,
        }
        updates.append(ConcernUpdate(RECALL, fields))
    elif event.receiver_status is not None:
        fields = {
            **common,
            "receiver_status": event.receiver_status.value,
            "receiver_note": event.note,
            "receiver_changed_at": event.changed_at,
        }
        updates.append(ConcernUpdate(RECEIVER, fields))
    return updates


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None


# Shown to staff while the LGSP has not reported on a document that was sent: the LGSP
# publishes no event for a job that is only waiting its turn.
PENDING = "pending"


def delivery_view(code: str, record: Doc | None, *, sent: bool = True) -> Doc:
    """One recipient's line for staff. Until the LGSP reports, the delivery of a document
    that was sent (issued) is ``pending``; one not sent yet has no delivery state."""
    record = record or {}
    latest = RECEIVER
    delivery_at, receiver_at = record.get("delivery_changed_at"), record.get("receiver_changed_at")
    if receiver_at is None or (delivery_at is not None and delivery_at > receiver_at):
        latest = DELIVERY
    updated_at = record.get(f"{latest}_changed_at")
    return {
        "recipient_code": code,
        "delivery_state": record.get("delivery_state") or (PENDING if sent else None),
        "receiver_status": record.get("receiver_status"),
        "note": record.get(f"{latest}_note", ""),
        "updated_at": _iso(updated_at),
    }


class RecallOutcome(StrEnum):
    """Where a recall stands: asked until every recipient answered, then the verdict."""

    REQUESTED = "requested"
    ACCEPTED_BY_ALL = "accepted_by_all"
    REFUSED_BY_SOME = "refused_by_some"


def recall_line(recall: Mapping[str, Any], code: str, record: Doc | None) -> Doc:
    """One recipient's recall: its answer (15, 16) with note and time, else the request (13)."""
    answer = (record or {}).get("recall_status")
    answered_at, asked_at = (record or {}).get("recall_changed_at"), recall.get("requested_at")
    # An answer older than the request answers nothing (a receiver's stray status).
    if answer is not None and not (
        isinstance(answered_at, dt.datetime)
        and isinstance(asked_at, dt.datetime)
        and as_utc(answered_at) < as_utc(asked_at)
    ):
        return {
            "status": answer,
            "note": (record or {}).get("recall_note", ""),
            "updated_at": _iso((record or {}).get("recall_changed_at")),
        }
    return {
        "status": IncomingStatus.RECALL_REQUESTED.value,
        "note": str(recall.get("reason", "")),
        "updated_at": _iso(recall.get("requested_at")),
    }


def recall_summary(recall: Mapping[str, Any], records: Mapping[str, Doc]) -> Doc:
    """The recall request with where it stands, from the answers of its recipients."""
    codes = [str(code) for code in recall.get("recipients", ())]
    answers = [recall_line(recall, code, records.get(code))["status"] for code in codes]
    accepted = answers.count(IncomingStatus.RECALL_ACCEPTED.value)
    refused = answers.count(IncomingStatus.RECALL_REFUSED.value)
    pending = len(answers) - accepted - refused
    if pending:
        outcome = RecallOutcome.REQUESTED
    elif refused:
        outcome = RecallOutcome.REFUSED_BY_SOME
    else:
        outcome = RecallOutcome.ACCEPTED_BY_ALL
    return {
        **recall,
        "status": outcome.value,
        "pending": pending,
        "accepted": accepted,
        "refused": refused,
    }


def already_recalled(summary: Mapping[str, Any]) -> str:
    """Why a second recall is refused, in the words a clerk needs."""
    requested_at = _iso(summary.get("requested_at")) or "an earlier date"
    if summary.get("status") == RecallOutcome.REQUESTED.value:
        waiting = summary.get("pending", 0)
        total = len(summary.get("recipients", ()))
        return (
            f"a recall of this document is already pending since {requested_at}: "
            f"{waiting} of {total} recipients have not answered yet"
        )
    verdict = (
        "every recipient accepted it"
        if summary.get("status") == RecallOutcome.ACCEPTED_BY_ALL.value
        else f"{summary.get('refused', 0)} recipient(s) refused it"
    )
    return f"this document was already recalled on {requested_at}, and {verdict}"
