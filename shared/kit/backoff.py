"""When to try again: exponential backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base_s: float
    max_s: float

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay after the ``attempt``-th failure (1-based): base·2^(n-1), capped, jittered.

        The jitter keeps between half and all of the exponential delay, so retries of many
        jobs spread out but the schedule still grows.
        """
        exponent = min(max(attempt, 1) - 1, 60)
        ceiling = min(self.max_s, self.base_s * 2.0**exponent)
        return ceiling * (0.5 + 0.5 * (rng or random).random())
