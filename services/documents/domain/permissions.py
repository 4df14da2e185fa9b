"""Who may do what (docs/architecture.md §6): roles, need to know by unit and state, and clearance.

The matrix says what a role may do to a document it can see; the lifecycle separately says
whether the document's state allows it (409), and visibility hides what a user may not know
exists (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from services.documents.domain.lifecycle import Action, State
from shared.contracts.vocabulary import CLEARANCE_RANK, Confidentiality, Role


class Actor(Protocol):
    """Who acts, as authorisation sees it: roles by name, unit and clearance."""

    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def unit(self) -> str | None: ...

    @property
    def clearance(self) -> Confidentiality: ...


@dataclass(frozen=True)
class DocumentFacts:
    """What authorisation looks at."""

    state: State
    drafting_unit: str
    confidentiality: Confidentiality


def facts(doc: Mapping[str, Any]) -> DocumentFacts:
    """The facts of a stored document."""
    return DocumentFacts(
        state=State(doc["state"]),
        drafting_unit=str(doc["drafting_unit"]),
        confidentiality=Confidentiality(doc["confidentiality"]),
    )


# Clerks (văn thư) handle documents from approval on: they number, issue and register them.
CLERK_STATES = frozenset(
    {State.APPROVED, State.ISSUING, State.ISSUED, State.REVOKED, State.REPLACED}
)

# role -> actions it may take on a document it can see (unit rules below)
MATRIX: dict[Role, frozenset[Action]] = {
    Role.DRAFTER: frozenset(
        {Action.CREATE, Action.READ, Action.EDIT, Action.ATTACH, Action.SUBMIT}
    ),
    Role.APPROVER: frozenset({Action.READ, Action.APPROVE, Action.RETURN}),
    Role.CLERK: frozenset({Action.READ, Action.ISSUE, Action.REVOKE, Action.REPLACE}),
    Role.RECORDS_OFFICER: frozenset({Action.READ}),
    Role.ADMIN: frozenset(Action),
}

# Roles whose need to know is limited to their own unit.
UNIT_BOUND = frozenset({Role.DRAFTER, Role.APPROVER})
REGISTER_ROLES = frozenset({Role.CLERK, Role.RECORDS_OFFICER, Role.ADMIN})


def _role(name: str) -> Role | None:
    try:
        return Role(name)
    except ValueError:
        return None  # a role of another service


def _roles(principal: Actor) -> frozenset[Role]:
    # Only the roles of this matrix: the others belong to other services.
    return frozenset(r for r in map(_role, principal.roles) if r in MATRIX)


def cleared(principal: Actor, level: Confidentiality) -> bool:
    return CLEARANCE_RANK[principal.clearance] >= CLEARANCE_RANK[level]


def _sees_as(role: Role, principal: Actor, doc: DocumentFacts) -> bool:
    if role in (Role.ADMIN, Role.RECORDS_OFFICER):
        return True
    if role == Role.DRAFTER:
        return principal.unit == doc.drafting_unit
    if role == Role.APPROVER:
        return principal.unit == doc.drafting_unit and doc.state != State.DRAFT
    if role == Role.CLERK:
        return doc.state in CLERK_STATES
    return False


def can_see(principal: Actor, doc: DocumentFacts) -> bool:
    if not cleared(principal, doc.confidentiality):
        return False
    return any(_sees_as(role, principal, doc) for role in _roles(principal))


def may(principal: Actor, action: Action, doc: DocumentFacts) -> bool:
    """May ``principal`` take ``action`` on ``doc`` (state aside)?"""
    if not cleared(principal, doc.confidentiality):
        return False
    for name in principal.roles:
        role = _role(name)
        if role is None or action not in MATRIX.get(role, frozenset()):
            continue
        if role in UNIT_BOUND and principal.unit != doc.drafting_unit:
            continue
        return True
    return False


def may_create(principal: Actor, drafting_unit: str, level: Confidentiality) -> bool:
    return may(principal, Action.CREATE, DocumentFacts(State.DRAFT, drafting_unit, level))


def may_recall(principal: Actor, doc: DocumentFacts) -> bool:
    """Asking recipients to give a dispatched document back is the clerk's (văn thư) act, as
    its revocation is: whoever may revoke it may recall it (clerks and admins)."""
    return may(principal, Action.REVOKE, doc)


def may_read_registers(principal: Actor) -> bool:
    return bool(_roles(principal) & REGISTER_ROLES)


def visible_levels(principal: Actor) -> list[str]:
    return [c.value for c in Confidentiality if cleared(principal, c)]
