"""Idempotency-Key records expire by a periodic sweep (FerretDB has no TTL indexes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import AsyncMongoClient

from services.documents.app import create_app
from shared.kit.idempotency import IdempotencyKeys
from tests.integration.documents import support
from tests.integration.documents.support import drafter
from tests.support.infra import unique
from tests.support.kafka import eventually
from tests.support.services import running_app


async def test_the_sweep_deletes_only_records_older_than_the_cutoff(
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    name = unique("t_documents_")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    await IdempotencyKeys(mongo[name], clock=lambda: long_ago).claim("u", "old", "h1", "doc-1")
    repo = IdempotencyKeys(mongo[name])
    try:
        await repo.claim("u", "new", "h2", "doc-2")
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(hours=24)
        assert await repo.expire(cutoff) == 1
        assert await repo.expire(cutoff) == 0
        remaining = [d["_id"] async for d in repo.collection.find({})]
        assert remaining == ["u:new"]
    finally:
        await mongo.drop_database(name)


async def test_an_expired_idempotency_key_no_longer_binds_its_first_body(
    topic_suffix: str,
) -> None:
    settings = support.settings(
        topic_suffix, idempotency_ttl_s=0.5, idempotency_sweep_interval_s=0.2
    )
    async with running_app(create_app, settings) as client:
        key = {**drafter(), "Idempotency-Key": "k-1"}
        first = await client.post("/api/v1/documents", json=support.body(), headers=key)
        assert first.status_code == 201, first.text
        keys = support.app_of(client).state.runtime.db["idempotency_keys"]

        async def swept() -> bool:
            return await keys.find_one({"_id": "drafter-CNTT:k-1"}) is None

        await eventually(swept, timeout=10)
        other = await client.post(
            "/api/v1/documents", json=support.body(subject="Khác"), headers=key
        )
        assert other.status_code == 201, other.text
        assert other.json()["id"] != first.json()["id"]
