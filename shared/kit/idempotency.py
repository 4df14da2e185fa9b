"""``Idempotency-Key`` records: the first request with a key decides what it created.

A key is scoped by its caller (two callers never share a key), bound to a canonical hash of
the request body (the same key with another body is a conflict), found by ``_id`` and
expired through hourly buckets (no TTL index, no sweep of the keys themselves).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.clock import utcnow
from shared.kit.errors import Invalid
from shared.kit.expiry import HourlyExpiry
from shared.kit.types import Doc


class IdempotencyConflict(Invalid):
    """The key was already used with a different body (422, whatever the service)."""

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was already used with a different body", "Idempotency-Key"
        )


def body_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 of the body as canonical JSON: key order and spacing do not matter."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Claimed:
    result_id: str  # what the first request with this key created (or is creating)
    fresh: bool  # True when this request is the first


class IdempotencyKeys:
    def __init__(
        self,
        db: AsyncDatabase[Doc],
        name: str = "idempotency_keys",
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.collection = db[name]
        self._expiry = HourlyExpiry(self.collection)
        self._clock = clock

    async def claim(self, caller: str, key: str, digest: str, result_id: str) -> Claimed:
        """Bind ``caller``'s ``key`` to ``result_id`` unless an earlier request did."""
        scoped = f"{caller}:{key}"
        while True:
            at = self._clock()
            await self._expiry.remember(scoped, at)
            record = {"_id": scoped, "body_hash": digest, "result_id": result_id, "at": at}
            try:
                await self.collection.insert_one(record)
                return Claimed(result_id, fresh=True)
            except DuplicateKeyError:
                existing = await self.collection.find_one({"_id": scoped})
            if existing is None:  # expired between the two calls: claim it again
                continue
            if existing["body_hash"] != digest:
                raise IdempotencyConflict()
            return Claimed(str(existing["result_id"]), fresh=False)

    async def expire(self, older_than: dt.datetime) -> int:
        return await self._expiry.expire(older_than)
