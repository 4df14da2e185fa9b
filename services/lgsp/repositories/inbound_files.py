"""Attachments of documents sent in, stored by content (SHA-256) and found by ``_id``.

They live in their own content store, apart from the files fetched from the documents
service, so the claim-check route for the documents service serves only these.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.content import ContentStore
from shared.kit.types import Doc

# Bytes handed to the store per write, so a large attachment is hashed and stored in steps.
STEP = 256 * 1024


class InboundFileRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.content = ContentStore(db, "inbound_files")

    async def store(self, data: bytes, sha256: str, media_type: str) -> None:
        """Keep ``data`` under ``sha256`` (the caller's hash of it) unless already there."""
        if await self.content.exists(sha256):
            return
        upload = self.content.upload()
        try:
            view = memoryview(data)
            for start in range(0, len(view), STEP):
                await upload.write(bytes(view[start : start + STEP]))
        except BaseException:
            await upload.abort()
            raise
        await upload.commit(sha256, media_type)

    async def info(self, sha256: str) -> Doc | None:
        return await self.content.info(sha256)

    def stream(self, info: Doc) -> AsyncIterator[bytes]:
        return self.content.stream(info)
