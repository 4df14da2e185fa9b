"""One-off migration markers (``documents_migrations``), each found by ``_id``: a step whose
marker exists has run to its end on this database and never runs again."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.types import Doc


class MigrationMarkers:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["documents_migrations"]

    async def done(self, step: str) -> bool:
        return await self.collection.find_one({"_id": step}) is not None

    async def mark_done(self, step: str, facts: dict[str, Any]) -> None:
        await self.collection.update_one({"_id": step}, {"$set": facts}, upsert=True)
