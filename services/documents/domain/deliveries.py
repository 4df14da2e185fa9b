"""Delivery statuses of an issued document, per recipient agency, as the LGSP reports them.

Two concerns travel on one topic and are guarded separately: the LGSP's own delivery state
(delivered, retrying, failed, dead) and the receiving agency's status code (01–06, 15, 16).
One event may carry either or both; each is applied only if its version is newer than the
one held for that concern, so duplicates and late arrivals never regress what staff see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.contracts.events import DeliveryStatusChanged

Doc = dict[str, Any]

DELIVERY = "delivery"
RECEIVER = "receiver"


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
    if event.receiver_status is not None:
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


def delivery_view(code: str, record: Doc | None) -> Doc:
    """One recipient's line for staff; a recipient nothing is known about yet has nulls."""
    record = record or {}
    latest = RECEIVER
    delivery_at, receiver_at = record.get("delivery_changed_at"), record.get("receiver_changed_at")
    if receiver_at is None or (delivery_at is not None and delivery_at > receiver_at):
        latest = DELIVERY
    updated_at = record.get(f"{latest}_changed_at")
    return {
        "recipient_code": code,
        "delivery_state": record.get("delivery_state"),
        "receiver_status": record.get("receiver_status"),
        "note": record.get(f"{latest}_note", ""),
        "updated_at": _iso(updated_at),
    }
