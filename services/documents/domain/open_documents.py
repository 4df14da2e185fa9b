"""Outgoing documents not yet issued (work in flight): what the open set keeps of each, and
the order a listing of an open state shows them in.

A draft, a submitted and an approved document wait for someone (a drafter, an approver, a
clerk); once issued (or while being issued) it waits for no one and leaves the set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from services.documents.domain.lifecycle import State
from shared.contracts.vocabulary import URGENCY_RANK, Urgency
from shared.kit.clock import as_utc

OPEN_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.APPROVED})
_OPEN_VALUES = frozenset(s.value for s in OPEN_STATES)

# What the open set keeps of each document: enough to check visibility, filter and rank
# without reading the document (see ``services.queries.list_predicate``).
OPEN_ENTRY_FIELDS = (
    "_id",
    "version",
    "state",
    "drafting_unit",
    "confidentiality",
    "doc_type",
    "urgency",
    "updated_at",
    "created_by",
)
RETURNED = "returned"


def is_open(doc: Mapping[str, Any]) -> bool:
    return doc.get("state") in _OPEN_VALUES


def returned(doc: Mapping[str, Any]) -> bool:
    """A draft its approver sent back (with a reason) and not yet submitted again; an open
    entry keeps only this flag, a document its reason."""
    if doc.get("state") != State.DRAFT.value:
        return False
    flag = doc.get(RETURNED)
    return bool(doc.get("return_reason") if flag is None else flag)


def open_entry(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {**{k: doc.get(k) for k in OPEN_ENTRY_FIELDS}, RETURNED: returned(doc)}


def _urgency_rank(doc: Mapping[str, Any]) -> int:
    try:
        return URGENCY_RANK[Urgency(doc.get("urgency") or Urgency.THUONG.value)]
    except ValueError:
        return 0


def _stamp(at: object) -> str:
    if not isinstance(at, dt.datetime):
        return ""
    return as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%f")


def open_rank(doc: Mapping[str, Any]) -> str:
    """Urgent first, then the longest waiting (least recently changed) first, then by id:
    one sortable string, which is also the cursor of the next page."""
    return f"{9 - _urgency_rank(doc)}|{_stamp(doc.get('updated_at'))}|{doc['_id']}"
