"""Two LGSP replicas on one database share each partner's concurrency and rate limit."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from services.lgsp.app import create_app
from tests.integration.lgsp.support import lgsp_settings, partner_server, register
from tests.support.kafka import eventually, produce_event
from tests.support.services import running_app
from tests.unit.lgsp.factories import dispatched

G22, H26 = "000.00.00.G22", "000.00.00.H26"
EVENTS = 10


async def test_two_replicas_never_exceed_a_partners_concurrency_or_rate_together(
    topic_suffix: str,
) -> None:
    in_flight = {"now": 0, "max": 0}
    paced_at: list[float] = []

    async def slow(_: int) -> tuple[int, dict[str, str]]:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        try:
            await asyncio.sleep(0.4)
        finally:
            in_flight["now"] -= 1
        return 200, {}

    async def paced(_: int) -> tuple[int, dict[str, str]]:
        paced_at.append(time.monotonic())
        return 200, {}

    rate, burst = 5.0, 2
    settings = lgsp_settings(
        topic_suffix,
        partner_concurrency=2,
        worker_concurrency=8,
        rate_limit_per_s=rate,
        rate_limit_burst=burst,
        webhook_timeout_s=3.0,
    )
    async with (
        partner_server() as srv,
        running_app(create_app, settings) as one,
        running_app(create_app, settings) as two,
    ):
        srv.behaviours.update({"slow": slow, "paced": paced})
        _, _, slow_secret = await register(one, G22, webhook_url=srv.url("slow"))
        _, _, paced_secret = await register(two, H26, webhook_url=srv.url("paced"))
        sent = [await produce_event(dispatched([G22, H26]), topic_suffix) for _ in range(EVENTS)]

        async def all_delivered() -> bool:
            return len(srv.delivered("slow")) >= EVENTS and len(srv.delivered("paced")) >= EVENTS

        await eventually(all_delivered, timeout=40)
        await asyncio.sleep(0.5)  # nothing more arrives
        assert slow_secret is not None and paced_secret is not None
        assert Counter(p["id"] for p in srv.verified("slow", slow_secret)) == Counter(sent)
        assert Counter(p["id"] for p in srv.verified("paced", paced_secret)) == Counter(sent)

        # Either replica alone could have sent two at once, so together up to four.
        assert 1 <= in_flight["max"] <= 2
        # The shared bucket: by any moment, at most the burst plus the rate since the first
        # send (one more for the time between taking a token and the request arriving).
        start = paced_at[0]
        for n, at in enumerate(paced_at, start=1):
            assert n <= burst + rate * (at - start) + 1, (n, at - start)
