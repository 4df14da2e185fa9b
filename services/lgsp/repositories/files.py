"""Attachment bytes fetched by claim check, kept in GridFS under their SHA-256."""

from __future__ import annotations

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo.asynchronous.database import AsyncDatabase

from services.lgsp.repositories.common import Doc


class FileRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.bucket = AsyncGridFSBucket(db, bucket_name="files")
        self.files = db["files.files"]

    async def exists(self, sha256: str) -> bool:
        return await self.files.find_one({"filename": sha256}) is not None

    async def put(self, sha256: str, data: bytes, media_type: str) -> None:
        if await self.exists(sha256):
            return
        await self.bucket.upload_from_stream(
            sha256, data, metadata={"media_type": media_type, "size": len(data)}
        )

    async def read(self, sha256: str) -> tuple[bytes, str] | None:
        doc = await self.files.find_one({"filename": sha256})
        if doc is None:
            return None
        try:
            stream = await self.bucket.open_download_stream(doc["_id"])
        except NoFile:
            return None
        data = await stream.read()
        media_type = str((doc.get("metadata") or {}).get("media_type", "application/octet-stream"))
        return data, media_type
