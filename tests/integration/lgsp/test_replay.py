"""Replay of a time window: bounded, a background job with its progress, never two
overlapping at once, resumed by another replica after a crash, nothing re-sent twice."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI

from services.lgsp.app import create_app
from services.lgsp.components import LgspComponents, components_of
from services.lgsp.settings import Settings
from tests.integration.lgsp.support import ADMIN, deliveries, lgsp_settings, register
from tests.support.kafka import eventually, produce_event
from tests.unit.lgsp.factories import dispatched

G22, H26 = "000.00.00.G22", "000.00.00.H26"
PROBLEM = "application/problem+json"


@contextlib.asynccontextmanager
async def replica(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, LgspComponents]]:
    """One running replica (its lifespan, an HTTP client to it and its components)."""
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, components_of(app.state.runtime)


def window(minutes_before: float, minutes_after: float, **extra: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {
        "from": (now - dt.timedelta(minutes=minutes_before)).isoformat(),
        "to": (now + dt.timedelta(minutes=minutes_after)).isoformat(),
        **extra,
    }


async def _acked_deliveries(client: httpx.AsyncClient, key: str, count: int) -> None:
    """Wait for ``count`` inbox jobs and acknowledge them all (they are then finished)."""

    async def arrived() -> bool:
        return len(await deliveries(client)) == count

    await eventually(arrived, timeout=30)
    for job in await deliveries(client):
        acked = await client.post(f"/api/v1/inbox/{job['id']}/ack", headers={"X-API-Key": key})
        assert acked.status_code == 200, acked.text


async def test_a_700_year_window_is_refused_at_once_with_a_clear_problem(
    topic_suffix: str,
) -> None:
    async with replica(lgsp_settings(topic_suffix)) as (client, _):
        started = time.monotonic()
        answer = await client.post(
            "/api/v1/deliveries/replay",
            json={"from": "1177-07-01T18:35:26Z", "to": "4906-10-14T00:00:00Z"},
            headers=ADMIN,
        )
        assert time.monotonic() - started < 2.0
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        detail = answer.json()["detail"]
        assert "at most 7 days" in detail and "1,362,0" in detail  # the span it was asked
        # The far edges of the calendar do not break the arithmetic either.
        edge = await client.post(
            "/api/v1/deliveries/replay",
            json={"from": "9999-12-31T00:00:00Z", "to": "9999-12-31T23:59:59.999999Z"},
            headers=ADMIN,
        )
        assert edge.status_code == 202, edge.text
        assert edge.json()["state"] == "done" and edge.json()["minutes_total"] == 0


async def test_overlapping_replays_are_refused_and_progress_is_visible(topic_suffix: str) -> None:
    async with replica(lgsp_settings(topic_suffix)) as (client, components):
        g, key, _ = await register(client, G22)
        h, _, _ = await register(client, H26)
        for _ in range(3):
            await produce_event(dispatched([G22]), topic_suffix)
        await _acked_deliveries(client, key, 3)
        await components.replays.stop()  # this replica's loop is held: the job waits

        first = await client.post("/api/v1/deliveries/replay", json=window(10, 1), headers=ADMIN)
        assert first.status_code == 202, first.text
        job = first.json()
        assert first.headers["Location"] == f"/api/v1/replays/{job['id']}"
        assert job["state"] == "running" and job["progress"] == 0.0
        assert job["minutes_total"] == 11 and job["from"] < job["to"]

        # Same window, a window inside it, or one partner of it: each overlaps.
        for body in (window(10, 1), window(3, 0), window(5, 5, partner_id=g)):
            again = await client.post("/api/v1/deliveries/replay", json=body, headers=ADMIN)
            assert again.status_code == 409, again.text
            assert again.headers["content-type"].startswith(PROBLEM)
            assert again.json()["running_replay_id"] == job["id"]
            assert job["id"] in again.json()["detail"]

        # An earlier window does not overlap: it runs beside the first.
        earlier = await client.post(
            "/api/v1/deliveries/replay", json=window(60, -30, partner_id=h), headers=ADMIN
        )
        assert earlier.status_code == 202, earlier.text

        assert await components.replays.run_once() == 2
        done = (await client.get(first.headers["Location"], headers=ADMIN)).json()
        assert done["state"] == "done" and done["progress"] == 1.0
        assert (done["events"], done["created"], done["requeued"]) == (3, 0, 3)
        assert done["minutes_done"] == done["minutes_total"] and done["finished_at"]
        # Once it is done, the same window may be replayed again.
        later = await client.post("/api/v1/deliveries/replay", json=window(10, 1), headers=ADMIN)
        assert later.status_code == 202, later.text
        missing = await client.get("/api/v1/replays/r-nothing", headers=ADMIN)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith(PROBLEM)


async def test_another_replica_resumes_a_crashed_replay_and_sends_nothing_twice(
    topic_suffix: str,
) -> None:
    settings = lgsp_settings(topic_suffix, replay_batch_events=2, replay_lease_s=1.0)
    async with (
        replica(settings) as (client, a),
        replica(settings) as (_, b),
    ):
        _, key, _ = await register(client, G22)
        for _ in range(5):
            await produce_event(dispatched([G22]), topic_suffix)
        await _acked_deliveries(client, key, 5)
        await a.replays.stop()
        await b.replays.stop()

        class Crash(Exception):
            pass

        batches: list[str] = []

        def crash_after_first_batch() -> None:
            batches.append("a")
            raise Crash

        a.replays.on_batch = crash_after_first_batch
        started = await client.post("/api/v1/deliveries/replay", json=window(10, 1), headers=ADMIN)
        assert started.status_code == 202, started.text
        url = started.headers["Location"]
        with contextlib.suppress(Crash):
            await a.replays.run_once()  # replica A walks one batch of two events, then dies
        halfway = (await client.get(url, headers=ADMIN)).json()
        assert halfway["state"] == "running" and halfway["events"] == 2
        assert 0.0 <= halfway["progress"] < 1.0

        b.replays.on_batch = lambda: batches.append("b")
        assert await b.replays.run_once() == 0  # A's lease still holds: B leaves it alone
        await asyncio.sleep(1.2)
        assert await b.replays.run_once() == 1  # the lease ran out: B resumes at the cursor
        assert batches == ["a", "b", "b"]  # 5 events, 2 a batch; none walked twice

        done = (await client.get(url, headers=ADMIN)).json()
        assert done["state"] == "done"
        assert (done["events"], done["requeued"]) == (5, 5)
        jobs = await deliveries(client)
        assert len(jobs) == 5 and all(j["state"] in ("pending", "delivered") for j in jobs)
        # A batch walked again (a crash before its progress was saved) re-sends nothing:
        # each job is requeued at most once per replay.
        event = await b.intake.events.get(jobs[0]["event_id"])
        assert event is not None
        await b.intake.deliveries.collection.update_one(
            {"_id": jobs[0]["id"]}, {"$set": {"state": "delivered"}}
        )
        again = await b.intake.dispatch(event, requeue=True, replay_id=done["id"])
        assert again == (0, 0)
        other = await b.intake.dispatch(event, requeue=True, replay_id="r-another")
        assert other == (0, 1)
