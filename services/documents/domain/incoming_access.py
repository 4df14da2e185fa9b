"""Who may see and act on an incoming document (docs/architecture.md §6 applied to văn bản đến).

Clerks register (accept, reject) and answer recalls; an approver — the leader of the unit
that will lead the handling — assigns; the handler named at assignment, a drafter of the
lead unit, moves it to in progress and completed; records officers and admins read all.
Always within clearance: an incoming document marked above a user's clearance does not
exist for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from services.documents.domain.incoming import IncomingAction, IncomingState, handling_units
from services.documents.domain.permissions import Actor, cleared
from shared.contracts.vocabulary import Confidentiality, Role

# Who reads everything (within clearance): those who keep the registers.
READ_ALL = frozenset({Role.CLERK, Role.RECORDS_OFFICER, Role.ADMIN})
REGISTRY_ACTIONS = frozenset(
    {IncomingAction.ACCEPT, IncomingAction.REJECT, IncomingAction.RECALL_ANSWER}
)
HANDLER_ACTIONS = frozenset({IncomingAction.PROGRESS, IncomingAction.COMPLETE})


class Person(Actor, Protocol):
    """An actor with a user id: handlers are named by it."""

    @property
    def user(self) -> str: ...


def _has(principal: Actor, role: Role) -> bool:
    return role.value in principal.roles


def level_of(doc: Mapping[str, Any]) -> Confidentiality:
    return Confidentiality(doc.get("confidentiality") or Confidentiality.THUONG.value)


def can_see_incoming(principal: Actor, doc: Mapping[str, Any]) -> bool:
    if not cleared(principal, level_of(doc)):
        return False
    if any(_has(principal, role) for role in READ_ALL):
        return True
    units = handling_units(doc)
    mine = principal.unit is not None and principal.unit in units
    if _has(principal, Role.APPROVER):
        # Leaders see what awaits assignment, then what their unit handles.
        if doc.get("state") == IncomingState.ACCEPTED.value and not units:
            return True
        if mine:
            return True
    return _has(principal, Role.DRAFTER) and mine


def may_act(principal: Person, action: IncomingAction, doc: Mapping[str, Any]) -> bool:
    """May ``principal`` take ``action`` on a document it can see (state aside)?

    Assignment names its lead unit in the request: see ``may_assign_to``.
    """
    if not cleared(principal, level_of(doc)):
        return False
    if _has(principal, Role.ADMIN):
        return True
    if action == IncomingAction.READ:
        return can_see_incoming(principal, doc)
    if action in REGISTRY_ACTIONS:
        return _has(principal, Role.CLERK)
    if action == IncomingAction.ASSIGN:
        return _has(principal, Role.APPROVER)
    if action in HANDLER_ACTIONS:
        assignment = doc.get("assignment") or {}
        return (
            _has(principal, Role.DRAFTER)
            and principal.unit == assignment.get("lead_unit")
            and assignment.get("handler") == principal.user
        )
    return False


def may_assign_to(principal: Actor, lead_unit: str) -> bool:
    """An approver assigns to the unit it leads; an admin to any unit."""
    return _has(principal, Role.ADMIN) or (
        _has(principal, Role.APPROVER) and principal.unit == lead_unit
    )
