"""Delivery isolation: a partner that is down, slow, misconfigured or flooded never delays
another; a partner that cannot be sent to is parked (not retried) until it is fixed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.lgsp.app import create_app
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.settings import Settings
from tests.integration.lgsp.support import (
    ADMIN,
    deliveries,
    lgsp_settings,
    partner_server,
    register,
)
from tests.support.infra import mongo_url
from tests.support.kafka import eventually, produce_event
from tests.support.services import running_app
from tests.unit.lgsp.factories import dispatched

HEALTHY, DOWN, SLOW = "000.00.00.G22", "000.00.00.H26", "000.00.00.C01"
UNSIGNED, NO_DNS = "000.00.00.D02", "000.00.00.E03"


@contextlib.asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url(), tz_aware=True)
    try:
        yield client[settings.database_name()]
    finally:
        await client.close()


async def strip_secrets(db: AsyncDatabase[dict[str, Any]], partner_id: str) -> None:
    """A partner from before secrets were generated at creation: a URL and no secret."""
    await db["partners"].update_one({"_id": partner_id}, {"$set": {"secrets": []}})
    await MetaRepository(db).bump_registry()


async def view(client: httpx.AsyncClient, partner_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/partners/{partner_id}", headers=ADMIN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def patch(client: httpx.AsyncClient, partner_id: str, body: dict[str, Any]) -> Any:
    etag = (await client.get(f"/api/v1/partners/{partner_id}", headers=ADMIN)).headers["ETag"]
    response = await client.patch(
        f"/api/v1/partners/{partner_id}", json=body, headers={**ADMIN, "If-Match": etag}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_down_slow_unsigned_unresolvable_and_flooded_partners_never_delay_a_healthy_one(
    topic_suffix: str,
) -> None:
    arrived = asyncio.Event()

    async def healthy(_: int) -> tuple[int, dict[str, str]]:
        arrived.set()
        return 200, {}

    async def down(_: int) -> tuple[int, dict[str, str]]:
        return 503, {}

    async def slow(_: int) -> tuple[int, dict[str, str]]:
        await asyncio.sleep(3.0)
        return 200, {}

    settings = lgsp_settings(
        topic_suffix, worker_concurrency=6, partner_concurrency=2, webhook_timeout_s=5.0
    )
    async with (
        partner_server() as srv,
        running_app(create_app, settings) as client,
        database(settings) as db,
    ):
        srv.behaviours.update({"healthy": healthy, "down": down, "slow": slow})
        await register(client, HEALTHY, webhook_url=srv.url("healthy"))
        await register(client, DOWN, webhook_url=srv.url("down"))
        await register(client, SLOW, webhook_url=srv.url("slow"))
        unsigned, _, _ = await register(client, UNSIGNED, webhook_url=srv.url("unsigned"))
        await register(client, NO_DNS, webhook_url="http://no-such-host.invalid/hook")
        await strip_secrets(db, unsigned)

        bad = [DOWN, SLOW, UNSIGNED, NO_DNS]
        for _ in range(8):
            await produce_event(dispatched(bad), topic_suffix)

        async def flooded() -> bool:
            jobs = await deliveries(client, state="retrying")
            return sum(1 for j in jobs if j["partner_code"] == DOWN) >= 8

        await eventually(flooded, timeout=60, interval=1.0)
        started = time.monotonic()
        await produce_event(dispatched([HEALTHY]), topic_suffix)
        await asyncio.wait_for(arrived.wait(), timeout=10)
        assert time.monotonic() - started < 3.0

        # The unsigned partner is parked: visible to administrators, never attempted.
        parked = await view(client, unsigned)
        assert "signing secret" in (parked["parked_reason"] or "")
        jobs = [j for j in await deliveries(client) if j["partner_id"] == unsigned]
        assert len(jobs) == 8 and all(j["attempts"] == 0 for j in jobs)
        assert srv.receipts and not [r for r in srv.receipts if r.name == "unsigned"]


async def test_a_parked_partners_jobs_wait_untouched_and_go_once_it_is_fixed(
    topic_suffix: str,
) -> None:
    settings = lgsp_settings(topic_suffix)
    async with (
        partner_server() as srv,
        running_app(create_app, settings) as client,
        database(settings) as db,
    ):
        pid, _, _ = await register(client, HEALTHY, webhook_url=srv.url("a"))
        await strip_secrets(db, pid)
        for _ in range(3):
            await produce_event(dispatched([HEALTHY]), topic_suffix)

        async def three_jobs() -> list[dict[str, Any]]:
            jobs = await deliveries(client, state="pending")
            return jobs if len(jobs) == 3 else []

        await eventually(three_jobs, timeout=20)
        assert "signing secret" in (await view(client, pid))["parked_reason"]
        # Parked jobs are not claimed: no attempt, no lease, nothing sent.
        await asyncio.sleep(1.0)
        stored = [doc async for doc in db["deliveries"].find({"partner_id": pid})]
        assert all(d["attempts"] == 0 and d["lease_token"] is None for d in stored)
        assert srv.receipts == []

        # The fix: a new secret. The parked jobs go at once, signed with it.
        rotated = await client.post(f"/api/v1/partners/{pid}/secrets", headers=ADMIN)
        secret = rotated.json()["secret"]
        await eventually(lambda: _true(len(srv.delivered("a")) == 3), timeout=15)
        assert len(srv.verified("a", secret)) == 3
        assert (await view(client, pid))["parked_reason"] is None

        # Suspended is parked too; resuming sends what waited.
        await patch(client, pid, {"state": "suspended"})
        assert "suspended" in (await view(client, pid))["parked_reason"]
        await produce_event(dispatched([HEALTHY]), topic_suffix)
        await eventually(lambda: _pending_of(client, pid, 1), timeout=20)
        await patch(client, pid, {"state": "active"})
        await eventually(lambda: _true(len(srv.delivered("a")) == 4), timeout=15)


async def test_a_webhook_secret_is_generated_at_creation_and_shown_once(
    topic_suffix: str,
) -> None:
    async with running_app(create_app, lgsp_settings(topic_suffix)) as client:
        created = await client.post(
            "/api/v1/partners",
            json={"code": HEALTHY, "name": "A", "webhook_url": "http://127.0.0.1:9/h"},
            headers=ADMIN,
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["webhook_secret"].startswith("whsec_") and len(body["webhook_secret"]) > 40
        assert len(body["secrets"]) == 1 and body["parked_reason"] is None
        got = await client.get(f"/api/v1/partners/{body['id']}", headers=ADMIN)
        assert "webhook_secret" not in got.json() and body["webhook_secret"] not in got.text
        listed = await client.get("/api/v1/partners", headers=ADMIN)
        assert body["webhook_secret"] not in listed.text

        # An inbox partner gets one when it is given a webhook URL, once.
        inbox = await client.post(
            "/api/v1/partners", json={"code": DOWN, "name": "B"}, headers=ADMIN
        )
        assert "webhook_secret" not in inbox.json() and inbox.json()["secrets"] == []
        pid = inbox.json()["id"]
        first = await patch(client, pid, {"webhook_url": "http://127.0.0.1:9/b"})
        assert first["webhook_secret"].startswith("whsec_")
        second = await patch(client, pid, {"webhook_url": "http://127.0.0.1:9/c"})
        assert "webhook_secret" not in second and len(second["secrets"]) == 1

        # Found by code through its own record.
        by_code = await client.get("/api/v1/partners", params={"code": DOWN}, headers=ADMIN)
        assert [p["id"] for p in by_code.json()["items"]] == [pid]
        renamed = await patch(client, pid, {"code": SLOW})
        assert renamed["code"] == SLOW
        old = await client.get("/api/v1/partners", params={"code": DOWN}, headers=ADMIN)
        assert old.json()["items"] == []
        taken = await client.post(
            "/api/v1/partners", json={"code": SLOW, "name": "C"}, headers=ADMIN
        )
        assert taken.status_code == 409
        again = await client.post(
            "/api/v1/partners", json={"code": DOWN, "name": "D"}, headers=ADMIN
        )
        assert again.status_code == 201


async def test_finished_jobs_leave_the_active_set(topic_suffix: str) -> None:
    settings = lgsp_settings(topic_suffix)
    async with (
        partner_server() as srv,
        running_app(create_app, settings) as client,
        database(settings) as db,
    ):
        hook, _, _ = await register(client, HEALTHY, webhook_url=srv.url("a"))
        pull, key, _ = await register(client, DOWN)
        to_both = dispatched([HEALTHY, DOWN])
        await produce_event(to_both, topic_suffix)

        async def inbox_item() -> list[dict[str, Any]]:
            return [d async for d in db["delivery_inbox"].find({"partner_id": pull})]

        [item] = await eventually(inbox_item, timeout=20)
        await eventually(lambda: _true(len(srv.delivered("a")) == 1), timeout=15)

        async def queue_empty() -> bool:
            return await db["delivery_queue"].count_documents({}) == 0

        await eventually(queue_empty, timeout=5)
        [delivered] = await deliveries(client, partner_id=hook)
        assert delivered["state"] == "delivered"

        # The inbox item stays active until acknowledged, then leaves.
        headers = {"X-API-Key": key}
        listed = (await client.get("/api/v1/inbox", headers=headers)).json()["items"]
        assert [i["delivery_id"] for i in listed] == [item["_id"]]
        acked = await client.post(f"/api/v1/inbox/{item['_id']}/ack", headers=headers)
        assert acked.json()["state"] == "delivered"
        assert await db["delivery_inbox"].count_documents({}) == 0
        # Reporting a status by document goes through the lookup record.
        reported = await client.post(
            "/api/v1/statuses",
            json={"document_id": to_both.document_id, "status": "03"},
            headers=headers,
        )
        assert reported.status_code == 200 and reported.json()["id"] == item["_id"]
        # Both jobs are in the finished bucket the retention sweep reads.
        buckets = [b async for b in db["time_buckets"].find({"_id": {"$regex": "^finished:"}})]
        assert {i for b in buckets for i in b["ids"]} == {delivered["id"], item["_id"]}


async def _true(value: bool) -> bool:
    return value


async def _pending_of(client: httpx.AsyncClient, partner_id: str, count: int) -> bool:
    jobs = await deliveries(client, state="pending", partner_id=partner_id)
    return len(jobs) == count
