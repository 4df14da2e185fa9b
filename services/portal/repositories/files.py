"""Attachment fetch jobs (one per SHA-256) and the verified bytes in GridFS."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from bson import ObjectId
from gridfs.asynchronous import AsyncGridFSBucket, AsyncGridIn
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.portal.domain.page import FileStatus

Doc = dict[str, Any]
RETRYABLE = [str(FileStatus.PENDING), str(FileStatus.MISMATCH)]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FileRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["files"]
        self.bucket = AsyncGridFSBucket(db, bucket_name="attachments")

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])

    async def register(self, claim: Doc, document_id: str) -> None:
        """A new attachment to fetch; known ones (same SHA-256) are left as they are."""
        job = {
            "sha256": claim["sha256"],
            "fetch_path": claim["fetch_path"],
            "size": claim["size"],
            "media_type": claim["media_type"],
            "document_id": document_id,
            "status": str(FileStatus.PENDING),
            "attempts": 0,
            "next_attempt_at": now(),
            "mismatch_reported": False,
        }
        with contextlib.suppress(DuplicateKeyError):  # another replica registered it first
            await self.collection.update_one(
                {"_id": claim["sha256"]}, {"$setOnInsert": job}, upsert=True
            )
        # A file given up earlier gets a fresh start when a newly published document names it:
        # the producer may have fixed what made it fail.
        await self.collection.update_one(
            {"_id": claim["sha256"], "status": str(FileStatus.FAILED)},
            {
                "$set": {
                    "status": str(FileStatus.PENDING),
                    "attempts": 0,
                    "next_attempt_at": now(),
                    "fetch_path": claim["fetch_path"],
                    "document_id": document_id,
                }
            },
        )

    async def claim_due(self, lease_s: float) -> Doc | None:
        """Take the oldest due job for ``lease_s`` seconds, so replicas do not fetch twice."""
        moment = now()
        return await self.collection.find_one_and_update(
            {"status": {"$in": RETRYABLE}, "next_attempt_at": {"$lte": moment}},
            {"$set": {"next_attempt_at": moment + dt.timedelta(seconds=lease_s)}},
            sort=[("next_attempt_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    async def mark_ok(self, sha256: str, gridfs_id: ObjectId) -> None:
        await self.collection.update_one(
            {"_id": sha256},
            {"$set": {"status": str(FileStatus.OK), "gridfs_id": gridfs_id, "error": None}},
        )

    async def mark_retry(
        self, sha256: str, *, status: FileStatus, attempts: int, delay_s: float, error: str
    ) -> None:
        fields: Doc = {
            "status": str(status),
            "attempts": attempts,
            "next_attempt_at": now() + dt.timedelta(seconds=delay_s),
            "error": error[:500],
        }
        if status == FileStatus.MISMATCH:
            fields["mismatch_reported"] = True
        await self.collection.update_one({"_id": sha256}, {"$set": fields})

    async def statuses(self, hashes: list[str]) -> dict[str, str]:
        if not hashes:
            return {}
        cursor = self.collection.find({"_id": {"$in": hashes}}, {"_id": 1, "status": 1})
        return {str(d["_id"]): str(d["status"]) async for d in cursor}

    async def stored(self, sha256: str) -> Doc | None:
        return await self.collection.find_one({"_id": sha256, "status": str(FileStatus.OK)})

    def upload(self, sha256: str, media_type: str) -> AsyncGridIn:
        return self.bucket.open_upload_stream(sha256, metadata={"media_type": media_type})

    async def chunks(self, gridfs_id: ObjectId) -> AsyncIterator[bytes]:
        stream = await self.bucket.open_download_stream(gridfs_id)
        try:
            while chunk := await stream.readchunk():
                yield chunk
        finally:
            await stream.close()
