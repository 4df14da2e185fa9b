"""Attachment bytes in GridFS, addressed by their SHA-256 (one copy per content)."""

from __future__ import annotations

from typing import Any

from gridfs import AsyncGridFSBucket
from pymongo.asynchronous.database import AsyncDatabase

Doc = dict[str, Any]


class FileStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name="attachments")
        self._files = db["attachments.files"]

    async def ensure_indexes(self) -> None:
        await self._files.create_index("metadata.sha256")

    async def _file_id(self, sha256: str) -> Any | None:
        found = await self._files.find_one({"metadata.sha256": sha256})
        return None if found is None else found["_id"]

    async def exists(self, sha256: str) -> bool:
        return await self._file_id(sha256) is not None

    async def put(self, sha256: str, data: bytes, media_type: str) -> bool:
        """Store the bytes unless that content is already stored; True if newly stored."""
        if await self.exists(sha256):
            return False
        await self._bucket.upload_from_stream(
            sha256, data, metadata={"sha256": sha256, "media_type": media_type}
        )
        return True

    async def delete(self, sha256: str) -> None:
        file_id = await self._file_id(sha256)
        if file_id is not None:
            await self._bucket.delete(file_id)

    async def get(self, sha256: str) -> bytes | None:
        file_id = await self._file_id(sha256)
        if file_id is None:
            return None
        stream = await self._bucket.open_download_stream(file_id)
        data: bytes = await stream.read()
        return data
