"""Mongo filters for listing: need to know and clearance, then the user's own filters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from services.documents.domain.document import tokens
from services.documents.domain.lifecycle import State
from services.documents.domain.permissions import CLERK_STATES, visible_levels
from shared.auth.principal import Principal, Role

Query = dict[str, Any]


@dataclass(frozen=True)
class ListFilters:
    state: State | None = None
    doc_type: str | None = None
    book: str | None = None
    year: int | None = None
    unit: str | None = None
    notation: str | None = None
    q: str | None = None
    before_id: str | None = None


def visibility(principal: Principal) -> Query | None:
    """What the principal may know exists; None when nothing."""
    levels = {"confidentiality": {"$in": visible_levels(principal)}}
    if principal.has_role(Role.ADMIN, Role.RECORDS_OFFICER):
        return levels
    scopes: list[Query] = []
    if principal.has_role(Role.DRAFTER) and principal.unit:
        scopes.append({"drafting_unit": principal.unit})
    if principal.has_role(Role.APPROVER) and principal.unit:
        scopes.append({"drafting_unit": principal.unit, "state": {"$ne": State.DRAFT.value}})
    if principal.has_role(Role.CLERK):
        scopes.append({"state": {"$in": [s.value for s in CLERK_STATES]}})
    if not scopes:
        return None
    return {"$and": [levels, {"$or": scopes}]}


def list_query(principal: Principal, filters: ListFilters) -> Query | None:
    seen = visibility(principal)
    if seen is None:
        return None
    clauses: list[Query] = [seen]
    exact = {
        "state": filters.state.value if filters.state else None,
        "doc_type": filters.doc_type,
        "book": filters.book,
        "year": filters.year,
        "drafting_unit": filters.unit,
        "notation": filters.notation,
    }
    clauses.extend({k: v} for k, v in exact.items() if v is not None)
    for token in tokens(filters.q or ""):
        # Anchored at a word start and escaped: a token is never a pattern.
        clauses.append({"search": {"$regex": f"(^| ){re.escape(token)}"}})
    if filters.before_id:
        clauses.append({"_id": {"$lt": filters.before_id}})
    return {"$and": clauses}
