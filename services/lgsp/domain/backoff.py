"""When to try a failed delivery again: the kit's backoff, or the partner's Retry-After."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from dataclasses import dataclass
from enum import StrEnum

from shared.kit.backoff import Backoff


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class OutcomeKind(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GONE = "gone"


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    detail: str
    retry_after_s: float | None = None


def classify(status: int | None, error: str | None, retry_after_s: float | None) -> Outcome:
    """Standard Webhooks: 2xx only is success, 410 disables, everything else is retried."""
    if status is None:
        return Outcome(OutcomeKind.RETRY, error or "no response")
    if 200 <= status < 300:
        return Outcome(OutcomeKind.DELIVERED, f"HTTP {status}")
    if status == 410:
        return Outcome(OutcomeKind.GONE, "HTTP 410: the endpoint is gone")
    if 300 <= status < 400:
        return Outcome(OutcomeKind.RETRY, f"HTTP {status}: redirects are not followed")
    honoured = retry_after_s if status in (429, 503) else None
    return Outcome(OutcomeKind.RETRY, f"HTTP {status}", honoured)


def next_attempt_at(
    now: dt.datetime,
    attempt: int,
    outcome: Outcome,
    backoff: Backoff,
    rng: random.Random | None = None,
) -> dt.datetime:
    if outcome.retry_after_s is not None:
        wait = outcome.retry_after_s  # the partner knows best; the give-up horizon still applies
    else:
        wait = backoff.delay(attempt, rng)
    return now + dt.timedelta(seconds=wait)


@dataclass
class TokenBucket:
    """A per-partner rate limit: ``rate`` tokens per second, at most ``burst`` saved."""

    rate: float
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
