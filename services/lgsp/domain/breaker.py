"""Per-partner circuit breaker: a partner that keeps failing is probed, not hammered.

Each job has its own retry schedule, so a partner that is down with hundreds of open jobs
would be called hundreds of times per backoff round, each failure costing writes and a
status event. After ``threshold`` failures in a row the partner is *open*: one job at a time
probes it, after a delay that grows with every further failure (the jobs' backoff); the
other jobs wait in the schedule. The first success closes it and the backlog flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.kit.backoff import Backoff


@dataclass
class PartnerBreaker:
    backoff: Backoff
    threshold: int = 3
    _failures: dict[str, int] = field(default_factory=dict)
    _probe_at: dict[str, float] = field(default_factory=dict)  # monotonic seconds

    def is_open(self, partner_id: str) -> bool:
        return self._failures.get(partner_id, 0) >= self.threshold

    def allows(self, partner_id: str, now: float, in_flight: int) -> bool:
        """May a job of this partner be sent now (``in_flight``: this replica's sends)?"""
        if not self.is_open(partner_id):
            return True
        return in_flight == 0 and self._probe_at.get(partner_id, 0.0) <= now

    def probe_at(self, partner_id: str) -> float | None:
        return self._probe_at.get(partner_id) if self.is_open(partner_id) else None

    def failed(self, partner_id: str, now: float) -> None:
        failures = self._failures.get(partner_id, 0) + 1
        self._failures[partner_id] = failures
        if failures >= self.threshold:
            self._probe_at[partner_id] = now + self.backoff.delay(failures - self.threshold + 1)

    def succeeded(self, partner_id: str) -> bool:
        """Close the breaker; True if it was open (the partner's backlog may go now)."""
        was_open = self.is_open(partner_id)
        self._failures.pop(partner_id, None)
        self._probe_at.pop(partner_id, None)
        return was_open
