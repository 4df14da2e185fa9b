"""Attachment bytes, addressed by their SHA-256 (one copy per content), and which documents
refer to each content, both found by ``_id`` only."""

from __future__ import annotations

import contextlib

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.content import ContentStore
from shared.kit.types import Doc

# More documents than this naming one content is not a real case; the cap bounds a lookup.
MAX_REFERRERS = 500


class FileStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._content = ContentStore(db, "attachments")
        self._refs = db["attachment_refs"]

    async def put(self, sha256: str, data: bytes, media_type: str) -> bool:
        """Store the bytes unless that content is already stored; True if newly stored."""
        return await self._content.put(sha256, data, media_type)

    async def delete(self, sha256: str) -> None:
        await self._content.delete(sha256)

    async def get(self, sha256: str) -> bytes | None:
        return await self._content.get(sha256)

    async def add_referrer(self, sha256: str, document_id: str) -> None:
        """Recorded before the document names the file, so the list is never short."""
        for _ in range(2):  # two first referrers racing: the loser's upsert collides once
            with contextlib.suppress(DuplicateKeyError):
                await self._refs.update_one(
                    {"_id": sha256}, {"$addToSet": {"documents": document_id}}, upsert=True
                )
                return

    async def referrers(self, sha256: str) -> list[str]:
        found = await self._refs.find_one({"_id": sha256})
        return [str(d) for d in (found or {}).get("documents", [])][:MAX_REFERRERS]
