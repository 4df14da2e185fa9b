"""The shared request counter holds its limit across replicas (two limiters, one database)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.http.problems import ProblemError
from shared.http.rate_limit import RateLimit, RateLimiter, SharedWindowCounter

pytestmark = pytest.mark.integration


async def test_two_replicas_share_one_limit_per_partner(db: Any) -> None:
    now = [6000.0]
    replicas = [
        RateLimiter(SharedWindowCounter(db["rates"]), RateLimit(10, 60), clock=lambda: now[0])
        for _ in range(2)
    ]

    async def attempt(i: int) -> bool:
        try:
            await replicas[i % 2].check("partner|p1")
            return True
        except ProblemError as exc:
            assert exc.status == 429
            assert int(exc.headers["Retry-After"]) == 60
            return False

    admitted = await asyncio.gather(*(attempt(i) for i in range(30)))
    assert sum(admitted) == 10  # not 10 per replica
    await replicas[0].check("partner|p2")  # another partner counts apart
    now[0] = 6060.0  # the next window starts afresh, on both replicas
    await replicas[1].check("partner|p1")
    await replicas[0].check("partner|p1")
    docs = await db["rates"].find({"_id": {"$in": ["partner|p1", "partner|p2"]}}).to_list(None)
    assert {d["_id"]: d["n"] for d in docs} == {"partner|p1": 2, "partner|p2": 1}
