"""Per-partner concurrency and rate limits that hold across every replica.

Each acquire is a compare-and-swap on the partner's limit document (``_id = partner_id``):
read (or reuse the last version this replica saw), decide with ``domain.limits.admit``,
write only if the version is unchanged, retry a few times on a conflict. A release is one
atomic update that also returns the new document, so a replica working alone needs one
write per acquire and one per release. A crashed replica's slots expire with their lease.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from services.lgsp.domain.limits import Limits, admit
from services.lgsp.repositories import PartnerLimitRepository
from services.lgsp.repositories.limits import state_of
from shared.kit.types import Doc

CONFLICT_RETRIES = 5


@dataclass(frozen=True)
class Grant:
    slot_id: str | None  # None: refused
    retry_in_s: float


class PartnerLimiter:
    def __init__(
        self,
        repo: PartnerLimitRepository,
        limits: Limits,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.repo = repo
        self.limits = limits
        self._clock = clock
        self._seen: dict[str, Doc] = {}  # the last version of each partner's document

    async def acquire(self, partner_id: str) -> Grant:
        slot_id = uuid.uuid4().hex
        doc = self._seen.get(partner_id)
        cached = doc is not None
        for _ in range(CONFLICT_RETRIES):
            if not cached:
                doc = await self.repo.get(partner_id)
            decision = admit(state_of(doc), self._clock(), slot_id, self.limits)
            if not decision.admitted:
                if cached:  # perhaps stale: another replica may have released since
                    cached = False
                    continue
                if doc is not None:
                    self._seen[partner_id] = doc
                return Grant(None, decision.retry_in_s)
            if doc is None:
                written = await self.repo.create(partner_id, decision.state)
            else:
                written = await self.repo.swap(partner_id, int(doc["version"]), decision.state)
            if written is not None:
                self._seen[partner_id] = written
                return Grant(slot_id, 0.0)
            cached = False  # lost the race: read again
            self._seen.pop(partner_id, None)
        return Grant(None, 0.05)

    async def release(self, partner_id: str, slot_id: str) -> None:
        doc = await self.repo.release(partner_id, slot_id)
        if doc is None:
            self._seen.pop(partner_id, None)
        else:
            self._seen[partner_id] = doc
