"""Replay jobs (``replays``, by _id) and the set of running ones (one ``replays_running``
document, changed by compare-and-set on its version).

The running set is what makes "no two overlapping replays at once" hold across replicas:
a replay joins it only by a compare-and-set of the one document, after checking the windows
already there, so two requests racing on two replicas cannot both get in. It holds only the
replays in progress (a few), never the history.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.types import Doc

RUNNING = "running"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ReplayRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.jobs = db["replays"]
        self.running = db["replays_running"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    # The running set ------------------------------------------------------------------------
    async def running_entries(self) -> tuple[list[Doc], int]:
        doc = await self.running.find_one({"_id": RUNNING})
        if doc is None:
            return [], 0
        return list(doc.get("entries") or []), int(doc.get("version", 0))

    async def join_running(
        self, entry: Doc, refusal: Callable[[list[Doc]], str | None], attempts: int = 20
    ) -> str | None:
        """Add ``entry`` to the running set unless ``refusal`` (given the entries there) says
        why not; returns that reason, or None once added."""
        for _ in range(attempts):
            entries, version = await self.running_entries()
            reason = refusal(entries)
            if reason is not None:
                return reason
            update = {"$push": {"entries": entry}, "$inc": {"version": 1}}
            if version == 0:
                try:
                    await self.running.insert_one(
                        {"_id": RUNNING, "entries": [entry], "version": 1}
                    )
                    return None
                except DuplicateKeyError:
                    continue
            result = await self.running.update_one({"_id": RUNNING, "version": version}, update)
            if result.modified_count == 1:
                return None
        return "replays are being started too fast; try again"

    async def leave_running(self, entry: Doc) -> None:
        await self.running.update_one(
            {"_id": RUNNING}, {"$pullAll": {"entries": [entry]}, "$inc": {"version": 1}}
        )

    # Jobs -----------------------------------------------------------------------------------
    async def insert(self, doc: Doc) -> None:
        await self.jobs.insert_one(doc)

    async def get(self, replay_id: str) -> Doc | None:
        return await self.jobs.find_one({"_id": replay_id})

    async def claim(self, replay_id: str, now: dt.datetime, lease_s: float) -> Doc | None:
        """Lease a running job nobody holds (or whose holder stopped renewing)."""
        return await self.jobs.find_one_and_update(
            {"_id": replay_id, "state": "running", "lease_until": {"$lt": now}},
            {
                "$set": {
                    "lease_until": now + dt.timedelta(seconds=lease_s),
                    "lease_token": uuid.uuid4().hex,
                }
            },
            return_document=ReturnDocument.AFTER,
        )

    async def advance(
        self,
        replay_id: str,
        lease_token: str,
        fields: dict[str, Any],
        counts: dict[str, int],
    ) -> Doc | None:
        """Record a batch done (cursor, counters, renewed lease); None if the lease was lost."""
        return await self.jobs.find_one_and_update(
            {"_id": replay_id, "lease_token": lease_token, "state": "running"},
            {"$set": fields, "$inc": counts},
            return_document=ReturnDocument.AFTER,
        )
