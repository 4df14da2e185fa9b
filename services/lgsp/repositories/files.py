"""Attachment bytes fetched by claim check, kept under their SHA-256 (found by ``_id``)."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.content import ContentStore
from shared.kit.types import Doc


class FileRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.content = ContentStore(db, "files")

    async def read(self, sha256: str) -> tuple[bytes, str] | None:
        info = await self.content.info(sha256)
        data = await self.content.get(sha256) if info is not None else None
        if info is None or data is None:
            return None
        return data, str(info.get("media_type") or "application/octet-stream")
