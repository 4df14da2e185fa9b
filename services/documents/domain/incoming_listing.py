"""Which incoming documents a listing shows, and in which order.

Open documents (work in flight) are listed from the open set, urgent first, then oldest
first; closed ones are walked by their day of arrival, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.documents.domain.incoming import (
    IncomingState,
    handling_units,
    is_overdue,
    recall_pending,
    urgency_rank,
)
from services.documents.domain.numbering import VN_TZ, local_date
from shared.contracts.vocabulary import Urgency
from shared.kit.clock import as_utc

# What the open set keeps of each document: enough to filter, order and check visibility.
OPEN_ENTRY_FIELDS = (
    "_id",
    "version",
    "state",
    "urgency",
    "confidentiality",
    "sender_code",
    "received_at",
    "received_year",
    "due_date",
    "assignment",
    "recall",
)


@dataclass(frozen=True)
class IncomingFilters:
    state: IncomingState | None = None
    urgency: Urgency | None = None
    unit: str | None = None
    overdue: bool | None = None
    sender: str | None = None
    year: int | None = None


def open_entry(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in OPEN_ENTRY_FIELDS}


def matches(doc: Mapping[str, Any], filters: IncomingFilters, today: dt.date) -> bool:
    if filters.state is not None and doc.get("state") != filters.state.value:
        return False
    if filters.urgency is not None and doc.get("urgency") != filters.urgency.value:
        return False
    if filters.unit is not None and filters.unit not in handling_units(doc):
        return False
    if filters.overdue is not None and is_overdue(doc, today) != filters.overdue:
        return False
    if filters.sender is not None and doc.get("sender_code") != filters.sender:
        return False
    return filters.year is None or doc.get("received_year") == filters.year


def stamp(at: dt.datetime) -> str:
    """A sortable text form of an arrival time."""
    return as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%f")


def open_sort_key(doc: Mapping[str, Any]) -> list[Any]:
    """Urgent first, a waiting recall before the rest of its rank, then oldest first."""
    return [
        -urgency_rank(doc),
        0 if recall_pending(doc) else 1,
        stamp(doc["received_at"]),
        str(doc["_id"]),
    ]


def day_key(received_at: dt.datetime) -> str:
    """The day bucket of an arrival: the calendar date in Vietnam."""
    return local_date(as_utc(received_at)).isoformat()


def after_day(day: str) -> str:
    """A history cursor just after every arrival of the local ``day``: the walk goes on
    with that day and the ones before it."""
    next_day = dt.date.fromisoformat(day) + dt.timedelta(days=1)
    return stamp(dt.datetime.combine(next_day, dt.time(), tzinfo=VN_TZ))


def closed_sort_key(doc: Mapping[str, Any]) -> str:
    return f"{stamp(doc['received_at'])}|{doc['_id']}"
