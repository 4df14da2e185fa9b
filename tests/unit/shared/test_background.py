"""A background loop survives a failing step, runs at once when woken, and stops cleanly."""

from __future__ import annotations

import asyncio

from shared.background import BackgroundLoop


async def test_a_failing_step_is_retried_on_the_next_round() -> None:
    calls: list[int] = []

    async def step() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("transient")

    loop = BackgroundLoop("test", step, interval_s=0.01)
    loop.start()
    async with asyncio.timeout(5):
        while len(calls) < 3:
            await asyncio.sleep(0.01)
    await loop.stop()
    settled = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == settled  # stopped means stopped


async def test_waking_runs_the_next_round_before_the_interval_ends() -> None:
    rounds = asyncio.Queue[None]()

    async def step() -> None:
        await rounds.put(None)

    loop = BackgroundLoop("test", step, interval_s=60)
    loop.start()
    await asyncio.wait_for(rounds.get(), 5)  # the first round runs at start
    loop.wake()
    await asyncio.wait_for(rounds.get(), 5)  # and the wake-up did not wait 60 s
    await loop.stop()


async def test_a_stop_that_lands_as_the_loop_is_woken_still_stops() -> None:
    # The wake-up and the cancel can reach the loop's wait in the same turn; a wait that
    # kept the wake-up and dropped the cancel would leave the stop waiting forever.
    async def step() -> None:
        return None

    for turns in range(4):
        for _ in range(20):
            loop = BackgroundLoop("test", step, interval_s=60)
            loop.start()
            await asyncio.sleep(0.001)  # the loop now waits for its interval or a wake-up
            loop.wake()
            for _ in range(turns):
                await asyncio.sleep(0)
            async with asyncio.timeout(5):
                await loop.stop()
