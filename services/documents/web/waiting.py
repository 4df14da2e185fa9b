"""What waits for a staff member: the home page's lists, from the bounded listings only.

Documents come from the open set of ``DraftingService.list`` (every document not yet issued,
whatever its age, urgent first, then the longest waiting), incoming ones from the open set of
``IncomingService.listing``; both hold only work in flight (see docs/performance.md). Each
list shows urgent and overdue items first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.documents.components import DocumentsComponents
from services.documents.domain.incoming import IncomingState, deadline_of, is_overdue
from services.documents.domain.incoming_listing import IncomingFilters
from services.documents.domain.lifecycle import State
from services.documents.services.queries import ListFilters
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import URGENCY_RANK, Urgency
from shared.kit.types import Doc
from shared.web.times import local_today

LIMIT = 50  # per list: a home page, not a register


@dataclass
class WaitingList:
    key: str  # the label of its heading
    kind: str  # "document" or "incoming": which page its items link to
    items: list[Doc] = field(default_factory=list)


def _urgency(doc: Doc) -> int:
    try:
        return URGENCY_RANK[Urgency(doc.get("urgency") or Urgency.THUONG.value)]
    except ValueError:
        return 0


def _newest_first_urgent_first(docs: list[Doc]) -> list[Doc]:
    return sorted(docs, key=lambda d: (-_urgency(d), str(d.get("updated_at") or "")))


class WaitingForMe:
    def __init__(self, components: DocumentsComponents) -> None:
        self._components = components

    async def lists(self, principal: Principal) -> list[WaitingList]:
        everything = principal.has_role(Role.ADMIN)
        lists: list[WaitingList] = []
        if everything or principal.has_role(Role.DRAFTER):
            lists.append(await self._returned_drafts(principal))
        if everything or principal.has_role(Role.APPROVER):
            lists.append(await self._documents("to_approve", principal, State.SUBMITTED))
            lists.append(await self._incoming("to_assign", principal, [IncomingState.ACCEPTED]))
        if everything or principal.has_role(Role.CLERK):
            lists.append(await self._documents("to_issue", principal, State.APPROVED))
            lists.append(
                await self._incoming(
                    "to_register",
                    principal,
                    [IncomingState.AWAITING_REGISTRATION, IncomingState.NEEDS_ATTENTION],
                )
            )
        if everything or principal.has_role(Role.DRAFTER, Role.APPROVER):
            lists.append(await self._assignments(principal))
        return lists

    async def _documents(self, key: str, principal: Principal, state: State) -> WaitingList:
        docs, _ = await self._components.drafting.list(principal, ListFilters(state=state), LIMIT)
        return WaitingList(key, "document", _newest_first_urgent_first(docs))

    async def _returned_drafts(self, principal: Principal) -> WaitingList:
        docs, _ = await self._components.drafting.list(
            principal,
            ListFilters(state=State.DRAFT, created_by=principal.user, returned=True),
            LIMIT,
        )
        mine = [d for d in docs if d.get("created_by") == principal.user and d.get("return_reason")]
        return WaitingList("returned_drafts", "document", _newest_first_urgent_first(mine))

    async def _incoming(
        self, key: str, principal: Principal, states: list[IncomingState]
    ) -> WaitingList:
        found: list[Doc] = []
        for state in states:
            items, _ = await self._components.incoming.listing(
                principal, IncomingFilters(state=state), LIMIT
            )
            found.extend(items)
        day = local_today()
        # The open set's order (urgent first, oldest first), with overdue ones before the rest.
        found.sort(key=lambda d: (not is_overdue(d, day), -_urgency(d)))
        return WaitingList(key, "incoming", found[:LIMIT])

    async def _assignments(self, principal: Principal) -> WaitingList:
        found: list[Doc] = []
        unit = None if principal.has_role(Role.ADMIN) else principal.unit
        for state in (IncomingState.ASSIGNED, IncomingState.IN_PROGRESS):
            items, _ = await self._components.incoming.listing(
                principal, IncomingFilters(state=state, unit=unit), LIMIT
            )
            found.extend(items)
        if not principal.has_role(Role.ADMIN, Role.APPROVER):
            # A drafter's own assignments: those naming it as the handler.
            found = [
                d for d in found if (d.get("assignment") or {}).get("handler") == principal.user
            ]
        day = local_today()
        far = dt.date.max
        found.sort(key=lambda d: (not is_overdue(d, day), deadline_of(d) or far, -_urgency(d)))
        return WaitingList("assignments_due", "incoming", found[:LIMIT])
