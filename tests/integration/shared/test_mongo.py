"""The MongoDB-wire server does what the services rely on."""

from __future__ import annotations

import asyncio
import hashlib
import os
from typing import Any

import pytest
from gridfs import AsyncGridFSBucket
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


async def test_documents_are_created_read_updated_and_deleted(db: AsyncDatabase[Any]) -> None:
    await db.things.insert_one({"_id": "a", "title": "Quyết định", "n": 1})
    assert (await db.things.find_one({"_id": "a"}))["title"] == "Quyết định"
    await db.things.update_one({"_id": "a"}, {"$inc": {"n": 1}, "$set": {"ok": True}})
    assert (await db.things.find_one({"_id": "a"}))["n"] == 2
    await db.things.delete_one({"_id": "a"})
    assert await db.things.find_one({"_id": "a"}) is None


async def test_a_unique_index_rejects_a_duplicate(db: AsyncDatabase[Any]) -> None:
    await db.registers.create_index([("book", 1), ("number", 1)], unique=True)
    await db.registers.insert_one({"book": "outgoing", "number": 1})
    with pytest.raises(DuplicateKeyError):
        await db.registers.insert_one({"book": "outgoing", "number": 1})
    await db.registers.insert_one({"book": "secret", "number": 1})


async def test_find_one_and_update_upserts_and_returns_the_new_document(
    db: AsyncDatabase[Any],
) -> None:
    first = await db.counters.find_one_and_update(
        {"_id": "BNG:outgoing:2025"},
        {"$inc": {"value": 1}, "$setOnInsert": {"start": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    second = await db.counters.find_one_and_update(
        {"_id": "BNG:outgoing:2025"}, {"$inc": {"value": 1}}, return_document=ReturnDocument.AFTER
    )
    assert (first["value"], second["value"]) == (1, 2)


async def test_a_20_megabyte_file_is_written_to_gridfs_and_read_back(
    db: AsyncDatabase[Any],
) -> None:
    data = os.urandom(20 * 1024 * 1024)
    bucket = AsyncGridFSBucket(db)
    file_id = await bucket.upload_from_stream("big.pdf", data, metadata={"sha256": "x"})
    stream = await bucket.open_download_stream(file_id)
    back = await stream.read()
    assert hashlib.sha256(back).digest() == hashlib.sha256(data).digest()


async def _update_by_id_ms(db: AsyncDatabase[Any], size: int, samples: int = 150) -> float:
    """Median time of a conditional update by _id in a collection of ``size`` documents."""
    import statistics
    import time

    have = await db.flat.estimated_document_count()
    for start in range(have, size, 5000):
        batch = [
            {"_id": f"d{i:08d}", "state": "x", "n": 0}
            for i in range(start, min(size, start + 5000))
        ]
        await db.flat.insert_many(batch)
    times = []
    for i in range(samples):
        key = f"d{(i * 7919) % size:08d}"
        began = time.perf_counter()
        await db.flat.update_one({"_id": key, "state": "x"}, {"$inc": {"n": 1}})
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


async def test_an_update_by_id_stays_flat_from_1k_to_50k_documents(db: AsyncDatabase[Any]) -> None:
    """The store must use its _id index (the FerretDB build is patched for it): a scan would
    make the 50k update ~40x slower than the 1k one."""
    small = await _update_by_id_ms(db, 1_000)
    large = await _update_by_id_ms(db, 50_000)
    assert large < 4 * small + 1.0, f"update by _id: {small:.2f} ms at 1k, {large:.2f} ms at 50k"


async def test_a_lookup_of_ids_in_a_list_is_answered_by_the_index(db: AsyncDatabase[Any]) -> None:
    await db.flat.insert_many([{"_id": f"k{i}", "n": i} for i in range(50)])
    found = await db.flat.find({"_id": {"$in": ["k3", "k7", "missing"]}, "n": {"$gt": 3}}).to_list()
    assert [doc["_id"] for doc in found] == ["k7"]


async def test_one_command_of_many_updates_of_existing_documents_completes(
    db: AsyncDatabase[Any],
) -> None:
    """Every update of a command used to keep its query open until the command ended; past
    the store's 100 connections the command waited forever for one more."""
    await db.many.insert_many([{"_id": f"m{i}", "tags": []} for i in range(300)])
    ops = [
        UpdateOne({"_id": f"m{i}"}, {"$addToSet": {"tags": "x"}}, upsert=True) for i in range(300)
    ]
    result = await asyncio.wait_for(db.many.bulk_write(ops, ordered=False), 30)
    assert result.modified_count == 300
