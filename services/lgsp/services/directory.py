"""Every partner and subscription in memory, reloaded only when the registry changes.

Partners are few (configuration, not history); routing each event and scheduling each job
read them here. Checking for a change is one read of the registry version by _id; every
partner or subscription write on any replica bumps it.
"""

from __future__ import annotations

import asyncio

from services.lgsp.domain.partners import PartnerState
from services.lgsp.domain.routing import PartnerRoute, filter_from_lists
from services.lgsp.repositories import PartnerRepository, SubscriptionRepository
from services.lgsp.repositories.meta import MetaRepository
from shared.kit.types import Doc


class PartnerDirectory:
    def __init__(
        self,
        partners: PartnerRepository,
        subscriptions: SubscriptionRepository,
        meta: MetaRepository,
    ) -> None:
        self._partners_repo = partners
        self._subscriptions_repo = subscriptions
        self._meta = meta
        self._version: int | None = None
        self._partners: dict[str, Doc] = {}
        self._routes: list[PartnerRoute] = []
        self._lock = asyncio.Lock()

    async def refresh(self) -> bool:
        """Reload if the registry moved since the last load; True when it did."""
        async with self._lock:
            version = await self._meta.registry_version()  # read before loading
            if version == self._version:
                return False
            partners = await self._partners_repo.all()
            subs: dict[str, list[Doc]] = {}
            for sub in await self._subscriptions_repo.all():
                subs.setdefault(sub["partner_id"], []).append(sub)
            self._partners = {p["_id"]: p for p in partners}
            self._routes = [_route(p, subs.get(p["_id"], [])) for p in partners]
            self._version = version
            return True

    def invalidate(self) -> None:
        self._version = None

    def partner(self, partner_id: str) -> Doc | None:
        return self._partners.get(partner_id)

    def partners(self) -> list[Doc]:
        return list(self._partners.values())

    async def routes(self) -> list[PartnerRoute]:
        await self.refresh()
        return [r for r in self._routes if r.state is not PartnerState.DISABLED]


def _route(partner: Doc, subscriptions: list[Doc]) -> PartnerRoute:
    return PartnerRoute(
        partner_id=partner["_id"],
        code=partner["code"],
        state=PartnerState(partner.get("state", PartnerState.ACTIVE.value)),
        grants=frozenset(partner.get("grants") or []),
        subscriptions=tuple(
            filter_from_lists(
                s.get("event_types") or [],
                s.get("doc_types") or [],
                s.get("issuers") or [],
                s.get("fields") or [],
            )
            for s in subscriptions
        ),
    )
