"""Which documents a listing shows: need to know and clearance, then the user's own filters.

Listings of an open state (draft, submitted, approved) read the open set, whose entries carry
every field this predicate looks at; the others walk the day buckets newest-first
(``DocumentRepository.walk_newest_first``) and keep the documents it accepts. Either way a
page costs the work in flight or what it examines, never the history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.documents.domain.document import matches_search
from services.documents.domain.lifecycle import State
from services.documents.domain.open_documents import OPEN_STATES, returned
from services.documents.domain.permissions import CLERK_STATES, visible_levels
from shared.auth.principal import Principal, Role
from shared.kit.text import words
from shared.kit.types import Doc

Predicate = Callable[[Doc], bool]


@dataclass(frozen=True)
class ListFilters:
    state: State | None = None
    doc_type: str | None = None
    book: str | None = None
    year: int | None = None
    unit: str | None = None
    notation: str | None = None
    q: str | None = None
    created_by: str | None = None
    # Drafts sent back by their approver (True) or not (False).
    returned: bool | None = None
    # Where the next page starts: the last id shown (a walk) or the last rank (the open set).
    before_id: str | None = None


def reads_open_set(filters: ListFilters) -> bool:
    """An open state with no filter on what only issued documents have (book, year,
    notation) nor on the text: the open set answers it whole."""
    return (
        filters.state in OPEN_STATES
        and not filters.q
        and filters.book is None
        and filters.year is None
        and filters.notation is None
    )


def visibility(principal: Principal) -> Predicate | None:
    """What the principal may know exists; None when nothing."""
    levels = {str(level) for level in visible_levels(principal)}
    if principal.has_role(Role.ADMIN, Role.RECORDS_OFFICER):
        return lambda doc: str(doc.get("confidentiality")) in levels
    scopes: list[Predicate] = []
    unit = principal.unit
    if principal.has_role(Role.DRAFTER) and unit:
        scopes.append(lambda doc: doc.get("drafting_unit") == unit)
    if principal.has_role(Role.APPROVER) and unit:
        scopes.append(
            lambda doc: doc.get("drafting_unit") == unit and doc.get("state") != State.DRAFT.value
        )
    if principal.has_role(Role.CLERK):
        clerk_states = {s.value for s in CLERK_STATES}
        scopes.append(lambda doc: doc.get("state") in clerk_states)
    if not scopes:
        return None
    return lambda doc: str(doc.get("confidentiality")) in levels and any(s(doc) for s in scopes)


def list_predicate(principal: Principal, filters: ListFilters) -> Predicate | None:
    seen = visibility(principal)
    if seen is None:
        return None
    exact = {
        "state": filters.state.value if filters.state else None,
        "doc_type": filters.doc_type,
        "book": filters.book,
        "year": filters.year,
        "drafting_unit": filters.unit,
        "notation": filters.notation,
        "created_by": filters.created_by,
    }
    wanted = {k: v for k, v in exact.items() if v is not None}
    query = words(filters.q or "")
    if not query and (filters.q or "").strip():
        return None  # only punctuation: no word can start with it

    def accepts(doc: Doc) -> bool:
        if not seen(doc) or any(doc.get(k) != v for k, v in wanted.items()):
            return False
        if filters.returned is not None and returned(doc) != filters.returned:
            return False
        return not query or matches_search(str(doc.get("search") or ""), query)

    return accepts
