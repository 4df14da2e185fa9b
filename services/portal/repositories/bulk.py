"""Unordered bulk upserts that survive two replicas creating the same record at once."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.kit.types import Doc

DUPLICATE_KEY = 11000
CHUNK = 500


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
