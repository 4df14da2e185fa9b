"""Unordered bulk upserts that survive two replicas creating the same record at once, and
bulk inserts of records built in memory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from services.portal.domain.index import merged_record
from shared.kit.types import Doc

DUPLICATE_KEY = 11000
CHUNK = 500
LOOKUP = 500


async def bulk_update(collection: AsyncCollection[Doc], ops: Sequence[UpdateOne]) -> None:
    """Run ``ops`` unordered; an upsert that lost a creation race to another writer is run
    again, and then updates the record the other writer created."""
    for start in range(0, len(ops), CHUNK):
        chunk = list(ops[start : start + CHUNK])
        for _ in range(3):
            try:
                await collection.bulk_write(chunk, ordered=False)
                break
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(e.get("code") != DUPLICATE_KEY for e in errors):
                    raise
                chunk = [chunk[e["index"]] for e in errors]
        else:
            raise RuntimeError("bulk update kept colliding on duplicate keys")


async def insert_new(collection: AsyncCollection[Doc], docs: Sequence[Doc]) -> None:
    """Insert records that belong to one page each; a record already there is kept (a
    rerun, or a page the other writer stored first)."""
    if not docs:
        return
    try:
        await collection.insert_many(list(docs), ordered=False)
    except BulkWriteError as exc:
        if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
            raise


async def insert_or_merge(collection: AsyncCollection[Doc], docs: Sequence[Doc]) -> None:
    """Insert records of many pages; merge the ones that already exist (``merged_record``).

    Merged in memory and written back whole: ``$addToSet`` with thousands of values into an
    array of thousands costs the store their product. Only for collections nobody else
    writes meanwhile (a fresh read model, a preload with the services stopped).
    """
    if not docs:
        return
    try:
        await collection.insert_many(list(docs), ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        existing = [docs[e["index"]] for e in errors]
        stored: dict[Any, Doc] = {}
        for first in range(0, len(existing), LOOKUP):  # `_id $in` is indexed up to 1,000
            ids = [e["_id"] for e in existing[first : first + LOOKUP]]
            stored.update({d["_id"]: d async for d in collection.find({"_id": {"$in": ids}})})
        merges = []
        for doc in existing:
            before = stored.get(doc["_id"], {})
            merged = merged_record(before, doc)
            merges.append(UpdateOne({"_id": doc["_id"]}, {"$set": merged}, upsert=True))
        await bulk_update(collection, merges)
