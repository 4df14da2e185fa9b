"""Idempotent consumers: apply an event's effect at most once per aggregate and concern.

One transition can emit two events with the same version on two topics, so the guard is
kept per *concern* (for example "page" or "status"). Deduplication by ``ce_id`` follows:
a redelivered event has the same version and is refused by the same guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.kit.types import Doc


def _version_field(concern: str) -> str:
    return f"applied.{concern}.version"


async def apply_if_newer(
    collection: AsyncCollection[Doc],
    aggregate_id: str,
    *,
    concern: str,
    version: int,
    event_id: str,
    update: Mapping[str, Any],
) -> bool:
    """Apply ``update`` to the aggregate's read model only if ``version`` is newer.

    The guard and the effect are one atomic upsert; a duplicate or stale event matches
    nothing, the upsert then collides with the existing ``_id`` and nothing changes.
    Returns True when the effect was applied.
    """
    field = _version_field(concern)
    query = {"_id": aggregate_id, "$or": [{field: {"$lt": version}}, {field: {"$exists": False}}]}
    merged: dict[str, Any] = {k: dict(v) for k, v in update.items()}
    merged.setdefault("$set", {})[f"applied.{concern}"] = {"version": version, "event_id": event_id}
    try:
        result = await collection.update_one(query, merged, upsert=True)
    except DuplicateKeyError:
        return False
    return bool(result.modified_count or result.upserted_id is not None)
