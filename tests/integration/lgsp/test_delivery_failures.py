"""Delivery when partners misbehave: down, throttling, gone, hanging, slow."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter

from services.lgsp.app import create_app
from shared.contracts.topics import LGSP_STATUS
from tests.integration.lgsp.support import (
    ADMIN,
    deliveries,
    lgsp_settings,
    partner_server,
    raw_server,
    register,
)
from tests.support.kafka import TopicReader, eventually, produce_event
from tests.support.services import running_app
from tests.unit.lgsp.factories import dispatched

G22, H26 = "000.00.00.G22", "000.00.00.H26"


async def _true(value: bool) -> bool:
    return value


async def test_a_partner_down_for_a_while_gets_everything_once_it_is_back(
    topic_suffix: str,
) -> None:
    up = asyncio.Event()

    async def flaky(_: int) -> tuple[int, dict[str, str]]:
        return (200, {}) if up.is_set() else (503, {})

    async with partner_server() as srv:
        srv.behaviours["a"] = flaky
        async with running_app(create_app, lgsp_settings(topic_suffix)) as client:
            _, _, secret = await register(client, G22, webhook_url=srv.url("a"))
            sent = [await produce_event(dispatched([G22]), topic_suffix) for _ in range(5)]

            async def all_tried() -> bool:
                jobs = await deliveries(client)
                return len(jobs) == 5 and all(j["attempts"] >= 1 for j in jobs)

            await eventually(all_tried, timeout=20)
            up.set()
            await eventually(lambda: _true(len(srv.delivered("a")) >= 5), timeout=30)
            await asyncio.sleep(1.0)  # nothing more arrives once delivered
            assert secret is not None
            ids = Counter(p["id"] for p in srv.verified("a", secret))
            assert ids == Counter(sent)
            failed = [r for r in srv.receipts if r.status == 503]
            assert failed and {r.headers["webhook-id"] for r in failed} <= set(sent)
            jobs = await deliveries(client)
            assert all(j["state"] == "delivered" and j["attempts"] >= 2 for j in jobs)
            async with TopicReader(LGSP_STATUS + topic_suffix) as reader:
                await reader.wait_for(10, timeout=15)
                states = Counter(json.loads(r.value)["delivery_state"] for r in reader.records)
            assert states["delivered"] == 5 and states["retrying"] >= 5


async def test_retry_after_is_honoured_410_disables_and_the_horizon_kills(
    topic_suffix: str,
) -> None:
    async def throttled(attempt: int) -> tuple[int, dict[str, str]]:
        return (429, {"Retry-After": "2"}) if attempt == 1 else (200, {})

    async def gone(_: int) -> tuple[int, dict[str, str]]:
        return 410, {}

    async def broken(_: int) -> tuple[int, dict[str, str]]:
        return 500, {}

    async with partner_server() as srv:
        srv.behaviours.update({"t": throttled, "g": gone, "x": broken})
        settings = lgsp_settings(topic_suffix, give_up_after_s=4.0)
        async with running_app(create_app, settings) as client:
            t, _, _ = await register(client, G22, webhook_url=srv.url("t"))
            g, _, g_secret = await register(client, H26, webhook_url=srv.url("g"))
            x, _, _ = await register(client, "000.00.00.X01", webhook_url=srv.url("x"))
            await produce_event(dispatched([G22, H26, "000.00.00.X01"]), topic_suffix)

            await eventually(lambda: _true(len(srv.delivered("t")) == 1), timeout=20)
            t_hits = [r for r in srv.receipts if r.name == "t"]
            gap = float(t_hits[1].headers["webhook-timestamp"]) - float(
                t_hits[0].headers["webhook-timestamp"]
            )
            assert gap >= 1.5  # the backoff alone would retry within 0.1-0.2 s

            async def states() -> dict[str, str]:
                return {j["partner_id"]: j["state"] for j in await deliveries(client)}

            await eventually(
                lambda: _states_are(states, {t: "delivered", g: "failed", x: "dead"}), timeout=20
            )
            assert len([r for r in srv.receipts if r.name == "g"]) == 1
            partner = (await client.get(f"/api/v1/partners/{g}", headers=ADMIN)).json()
            assert partner["webhook_enabled"] is False

            # A new endpoint re-enables it; the administrator retries the failed job.
            srv.behaviours.pop("g")
            etag = (await client.get(f"/api/v1/partners/{g}", headers=ADMIN)).headers["ETag"]
            await client.patch(
                f"/api/v1/partners/{g}",
                json={"webhook_url": srv.url("g")},
                headers={**ADMIN, "If-Match": etag},
            )
            [failed] = await deliveries(client, partner_id=g)
            retried = await client.post(f"/api/v1/deliveries/{failed['id']}/retry", headers=ADMIN)
            assert retried.status_code == 202 and retried.json()["state"] == "pending"
            await eventually(lambda: _true(len(srv.delivered("g")) == 1), timeout=15)

            # Replay of a window re-sends finished jobs with the same webhook-id.
            window = {
                "from": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
                "to": (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat(),
                "partner_id": g,
            }
            replay = await client.post("/api/v1/deliveries/replay", json=window, headers=ADMIN)
            assert replay.status_code == 202, replay.text
            job_url = replay.headers["Location"]

            async def replay_done() -> bool:
                job = (await client.get(job_url, headers=ADMIN)).json()
                return bool(job["state"] == "done")

            await eventually(replay_done, timeout=15)
            job = (await client.get(job_url, headers=ADMIN)).json()
            assert (job["events"], job["created"], job["requeued"]) == (1, 0, 1)
            await eventually(lambda: _true(len(srv.delivered("g")) == 2), timeout=15)
            assert g_secret is not None
            ids = {p["id"] for p in srv.verified("g", g_secret)}
            assert len(ids) == 1
            bad = await client.post(
                "/api/v1/deliveries/replay",
                json={"from": window["to"], "to": window["from"]},
                headers=ADMIN,
            )
            assert bad.status_code == 422

            async with TopicReader(LGSP_STATUS + topic_suffix) as reader:
                await reader.wait_for(5, timeout=15)
                out = {(e["recipient_code"], e["delivery_state"]) for e in _values(reader)}
            assert {(H26, "failed"), ("000.00.00.X01", "dead"), (G22, "delivered")} <= out


async def test_an_endpoint_that_resets_answers_garbage_redirects_or_hangs_is_retried(
    topic_suffix: str,
) -> None:
    answers: list[bytes | float | None] = [
        None,
        b"this is not HTTP\r\n\r\n",
        b"HTTP/1.1 302 Found\r\nlocation: http://example.org/\r\ncontent-length: 0\r\n\r\n",
        3.0,
    ]
    async with (
        raw_server(answers) as (url, hits),
        running_app(create_app, lgsp_settings(topic_suffix)) as client,
    ):
        await register(client, G22, webhook_url=url)
        await produce_event(dispatched([G22]), topic_suffix)

        async def delivered() -> list[dict[str, object]]:
            return [j for j in await deliveries(client) if j["state"] == "delivered"]

        [job] = await eventually(delivered, timeout=30)
        assert len(hits) == 5
        details = [a["detail"] for a in job["attempt_log"]]
        assert any("302" in d for d in details)
        assert any("timed out" in d for d in details)
        assert job["attempts"] == 5


async def test_a_slow_partner_does_not_delay_a_fast_one(topic_suffix: str) -> None:
    async def slow(_: int) -> tuple[int, dict[str, str]]:
        await asyncio.sleep(1.5)
        return 200, {}

    async with partner_server() as srv:
        srv.behaviours["slow"] = slow
        settings = lgsp_settings(
            topic_suffix, partner_concurrency=1, worker_concurrency=4, webhook_timeout_s=3.0
        )
        async with running_app(create_app, settings) as client:
            await register(client, G22, webhook_url=srv.url("slow"))
            await register(client, H26, webhook_url=srv.url("fast"))
            for _ in range(6):
                await produce_event(dispatched([G22, H26]), topic_suffix)
            await eventually(lambda: _true(len(srv.delivered("fast")) == 6), timeout=20)
            assert len(srv.delivered("slow")) < 6

            async def only_the_slow_partner_waits() -> bool:
                # The fast partner's last job is marked delivered just after its answer.
                pending = await deliveries(client, state="pending")
                return bool(pending) and all(j["partner_code"] == G22 for j in pending)

            await eventually(only_the_slow_partner_waits, timeout=5)


async def _states_are(states: object, expected: dict[str, str]) -> bool:
    assert callable(states)
    current = await states()
    return bool(current == expected)


def _values(reader: TopicReader) -> list[dict[str, str]]:
    return [json.loads(r.value) for r in reader.records]
