"""The per-partner limits every replica shares: in-flight slots under a lease, a token bucket.

The state lives in one small document per partner; this module only decides, from that
state and the current time, whether one more send may start and what the state becomes.
Times are unix seconds (wall clock), so every replica reads the same lease expiries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.lgsp.domain.backoff import TokenBucket


@dataclass(frozen=True)
class Limits:
    concurrency: int
    rate_per_s: float
    burst: int
    lease_s: float


@dataclass(frozen=True)
class LimitState:
    """Slots (slot id -> lease expiry) and the bucket (tokens, time of the last refill)."""

    slots: dict[str, float] = field(default_factory=dict)
    tokens: float = -1.0  # below zero: a new bucket, full
    refilled_at: float = 0.0


@dataclass(frozen=True)
class Admission:
    admitted: bool
    state: LimitState
    retry_in_s: float  # when refused: how long until another try may succeed


def admit(state: LimitState, now: float, slot_id: str, limits: Limits) -> Admission:
    """One more send: a live slot is free and a token is there, or how long to wait.

    Expired slots (a crashed replica's) are dropped here, so they free themselves.
    """
    live = {sid: until for sid, until in state.slots.items() if until > now}
    if len(live) >= limits.concurrency:
        wait = max(0.0, min(live.values()) - now)
        return Admission(False, LimitState(live, state.tokens, state.refilled_at), wait)
    bucket = TokenBucket(limits.rate_per_s, float(limits.burst), state.tokens, state.refilled_at)
    # Another replica's clock may run a little ahead: never refill backwards.
    if not bucket.take(max(now, bucket.updated)):
        wait = (1.0 - bucket.tokens) / limits.rate_per_s
        return Admission(False, LimitState(live, bucket.tokens, bucket.updated), wait)
    live[slot_id] = now + limits.lease_s
    return Admission(True, LimitState(live, bucket.tokens, bucket.updated), 0.0)
