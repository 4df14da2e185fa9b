"""Inbound rate limits: a fixed number of requests per client (or partner) per window.

Two counters with one interface:

- ``SharedWindowCounter`` keeps one small document per client in MongoDB (``_id`` = the
  client's key, holding the current window and its count), so the limit holds across every
  replica; each request is one atomic ``$inc`` by ``_id``, a new window one upsert.
- ``LocalWindowCounter`` counts in this process only (a bounded map), for anonymous callers
  where a limit per replica is enough: with N replicas a client gets at most N times the limit.

A refused request becomes 429 with ``Retry-After`` (seconds to the next window) and a problem
body.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import Request
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.http.problems import ProblemError
from shared.kit.types import Doc


@dataclass(frozen=True)
class RateLimit:
    requests: int
    window_s: int = 60


class WindowCounter(Protocol):
    async def hit(self, key: str, window: int) -> int:
        """Count one request of ``key`` in ``window`` (its start, in seconds); the new count."""
        ...


class LocalWindowCounter:
    """Counts of this process; the least recently seen keys are forgotten past ``max_keys``."""

    def __init__(self, max_keys: int = 50_000) -> None:
        self.max_keys = max_keys
        self._counts: OrderedDict[str, tuple[int, int]] = OrderedDict()

    async def hit(self, key: str, window: int) -> int:
        seen_window, count = self._counts.pop(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._counts[key] = (window, count)
        while len(self._counts) > self.max_keys:
            self._counts.popitem(last=False)
        return count


class SharedWindowCounter:
    """One document per key, ``{_id: key, w: window start, n: count}``; only ``_id`` lookups."""

    def __init__(self, collection: AsyncCollection[Doc]) -> None:
        self.collection = collection

    async def hit(self, key: str, window: int) -> int:
        for _ in range(3):
            doc = await self.collection.find_one_and_update(
                {"_id": key, "w": window},
                {"$inc": {"n": 1}},
                return_document=ReturnDocument.AFTER,
            )
            if doc is not None:
                return int(doc["n"])
            try:  # a new window (or a new key): start it at one
                await self.collection.update_one(
                    {"_id": key, "w": {"$ne": window}},
                    {"$set": {"w": window, "n": 1}},
                    upsert=True,
                )
                return 1
            except DuplicateKeyError:
                continue  # another replica started this window first: count in it
        return 1


class RateLimiter:
    def __init__(
        self,
        counter: WindowCounter,
        limit: RateLimit,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.counter = counter
        self.limit = limit
        self._clock = clock

    async def check(self, key: str) -> None:
        """Count one request of ``key``; raise a 429 problem when it is over the limit."""
        now = self._clock()
        window = int(now // self.limit.window_s) * self.limit.window_s
        count = await self.counter.hit(key, window)
        if count > self.limit.requests:
            retry_after = max(1, math.ceil(window + self.limit.window_s - now))
            raise ProblemError(
                429,
                f"more than {self.limit.requests} requests in {self.limit.window_s} s; "
                f"try again in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
                retry_after_s=retry_after,
            )


def client_key(host: str | None) -> str:
    """The key of an anonymous client: its address (the proxy in front sets the peer)."""
    return f"client|{host or 'unknown'}"


def client_rate_limit(state_name: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency counting the caller's address on the app's ``state.<state_name>`` limiter."""

    async def _check(request: Request) -> None:
        limiter: RateLimiter = getattr(request.app.state, state_name)
        await limiter.check(client_key(request.client.host if request.client else None))

    return _check
