"""Attachment bytes fetched by claim check, kept under their SHA-256 (found by ``_id``)."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from services.lgsp.repositories.common import Doc
from shared.kit.content import ContentStore


class FileRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._content = ContentStore(db, "files")

    async def exists(self, sha256: str) -> bool:
        return await self._content.exists(sha256)

    async def put(self, sha256: str, data: bytes, media_type: str) -> None:
        await self._content.put(sha256, data, media_type)

    async def read(self, sha256: str) -> tuple[bytes, str] | None:
        info = await self._content.info(sha256)
        data = await self._content.get(sha256) if info is not None else None
        if info is None or data is None:
            return None
        return data, str(info.get("media_type") or "application/octet-stream")
