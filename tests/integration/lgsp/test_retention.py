"""The retention sweep deletes old finished records and never what is still needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import AsyncMongoClient

from services.lgsp.app import create_app
from services.lgsp.repositories import (
    ApiKeyRepository,
    DeliveryRepository,
    DocumentRepository,
    EventRepository,
    IdempotencyRepository,
    PartnerRepository,
)
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.services.migration import Migration
from services.lgsp.services.retention import RetentionSweeper
from tests.integration.lgsp.support import ADMIN, lgsp_settings
from tests.support.infra import mongo_url, unique
from tests.support.kafka import eventually
from tests.support.services import running_app


def _job(job_id: str, state: str, event_id: str, old: dt.datetime, **fields: Any) -> dict[str, Any]:
    return {
        "_id": job_id,
        "state": state,
        "event_id": event_id,
        "partner_id": "p1",
        "document_id": "d1",
        "mode": "webhook",
        "priority": 0,
        "due_at": old,
        "version": 1,
        "created_at": old,
        "finished_at": old if state in ("delivered", "failed", "dead") else None,
        "outbox": [],
        **fields,
    }


async def test_the_sweep_deletes_only_old_finished_records_and_is_idempotent(
    topic_suffix: str,
) -> None:
    NOW = dt.datetime.now(dt.UTC)
    OLD = NOW - dt.timedelta(seconds=30)
    settings = lgsp_settings(
        topic_suffix,
        retention_delivered_s=5.0,
        retention_events_s=5.0,
        retention_revoked_keys_s=5.0,
        idempotency_key_ttl_s=5.0,
    )
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url(), tz_aware=True)
    db = client[unique("t_lgsp_retention_")]
    try:
        deliveries, events = DeliveryRepository(db), EventRepository(db)
        keys, partners = ApiKeyRepository(db), PartnerRepository(db)
        idempotency = IdempotencyRepository(db)
        await deliveries.collection.insert_many(
            [
                _job("delivered-old", "delivered", "e-gone", OLD),
                _job("acked-inbox-old", "delivered", "e-gone", OLD, mode="inbox"),
                _job("dead-old", "dead", "e-gone", OLD),
                _job("failed-old", "failed", "e-gone", OLD),
                _job("legacy-old", "delivered", "e-gone", OLD, finished_at=None),
                _job("delivered-unpublished", "delivered", "e-kept-2", OLD, outbox=[{"id": "x"}]),
                _job("pending-old", "pending", "e-kept-1", OLD),
                _job("retrying-old", "retrying", "e-kept-1", OLD),
                _job("delivered-new", "delivered", "e-new", OLD, finished_at=NOW),
            ]
        )
        await events.collection.insert_many(
            [
                {"_id": "e-gone", "time": OLD},
                {"_id": "e-unused", "time": OLD},
                {"_id": "e-kept-1", "time": OLD},
                {"_id": "e-kept-2", "time": OLD},
                {"_id": "e-new", "time": NOW},
            ]
        )
        await keys.collection.insert_many(
            [
                {"_id": "k-revoked-old", "partner_id": "p1", "revoked_at": OLD},
                {"_id": "k-revoked-new", "partner_id": "p1", "revoked_at": NOW},
                {"_id": "k-active", "partner_id": "p1", "revoked_at": None, "created_at": OLD},
            ]
        )
        expired = {"secret_id": "s-old", "secret": "whsec_a", "expires_at": OLD}
        soon = NOW + dt.timedelta(hours=1)
        overlap = {"secret_id": "s-overlap", "secret": "whsec_b", "expires_at": soon}
        current = {"secret_id": "s-now", "secret": "whsec_c", "expires_at": None}
        await partners.collection.insert_one(
            {"_id": "p1", "code": "000.00.00.G22", "secrets": [expired, overlap, current]}
        )
        await idempotency.collection.insert_many(
            [{"_id": "old", "at": OLD}, {"_id": "new", "at": NOW}]
        )

        # Records stored before the buckets existed: the one-off migration files them.
        meta = MetaRepository(db)
        migration = Migration(
            deliveries, events, DocumentRepository(db), partners, meta, idempotency
        )
        assert await migration.run_once() is True
        assert await migration.run_once() is False
        queued = {d["_id"] async for d in deliveries.active.queue.find({})}
        assert queued == {"pending-old", "retrying-old"}
        sweeper = RetentionSweeper(deliveries, events, keys, partners, idempotency, meta, settings)
        assert await sweeper.sweep_once() == {
            "deliveries": 5,
            "events": 2,
            "revoked_keys": 1,
            "expired_secrets": 1,
            "idempotency_keys": 1,
            "message_log": 0,  # no message older than the log's retention here
        }
        left = {d["_id"] async for d in deliveries.collection.find({})}
        assert left == {"delivered-unpublished", "pending-old", "retrying-old", "delivered-new"}
        assert {d["_id"] async for d in events.collection.find({})} == {
            "e-kept-1",
            "e-kept-2",
            "e-new",
        }
        assert {d["_id"] async for d in keys.collection.find({})} == {"k-revoked-new", "k-active"}
        partner = await partners.get("p1")
        assert partner is not None
        assert [s["secret_id"] for s in partner["secrets"]] == ["s-overlap", "s-now"]
        assert {d["_id"] async for d in idempotency.collection.find({})} == {"new"}

        again = await sweeper.sweep_once()
        assert set(again.values()) == {0}

        # Once its status event is out, the held-back job goes too, and then its event.
        await deliveries.collection.update_one(
            {"_id": "delivered-unpublished"}, {"$set": {"outbox": []}}
        )
        third = await sweeper.sweep_once()
        assert (third["deliveries"], third["events"]) == (1, 1)
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_an_idempotent_partner_create_returns_the_first_result_until_the_key_expires(
    topic_suffix: str,
) -> None:
    settings = lgsp_settings(
        topic_suffix, idempotency_key_ttl_s=0.5, retention_sweep_interval_s=0.2
    )
    body = {"code": "000.00.00.G22", "name": "Agency G22"}
    key = {**ADMIN, "Idempotency-Key": "create-g22"}
    async with running_app(create_app, settings) as client:
        first = await client.post("/api/v1/partners", json=body, headers=key)
        assert first.status_code == 201, first.text
        again = await client.post("/api/v1/partners", json=body, headers=key)
        assert again.status_code == 200, again.text
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["ETag"] == first.headers["ETag"]

        other = await client.post(
            "/api/v1/partners", json={**body, "name": "Someone else"}, headers=key
        )
        assert other.status_code == 422
        assert other.headers["content-type"].startswith("application/problem+json")
        assert "Idempotency-Key" in other.json()["detail"]

        # Without the key, the same body is a second create: the code is taken.
        plain = await client.post("/api/v1/partners", json=body, headers=ADMIN)
        assert plain.status_code == 409

        # The retention job forgets the key; it may then be used for another partner.
        h26 = {"code": "000.00.00.H26", "name": "Agency H26"}

        async def reused() -> bool:
            response = await client.post("/api/v1/partners", json=h26, headers=key)
            return response.status_code == 201

        await eventually(reused, timeout=10, interval=0.3)
        listed = (await client.get("/api/v1/partners", headers=ADMIN)).json()["items"]
        assert sorted(p["code"] for p in listed) == ["000.00.00.G22", "000.00.00.H26"]
