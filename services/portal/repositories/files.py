"""Attachment fetch jobs, one per SHA-256 (the verified bytes are in a ``ContentStore``).

``files`` keeps every attachment ever named (its status, for pages); ``file_jobs_active``
holds only the fetches still to do, so the worker's polling never reads the history: a
job's record there is deleted once its file is stored or given up.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.portal.domain.page import FileStatus
from shared.kit.clock import utcnow
from shared.kit.types import Doc

RETRYABLE = [str(FileStatus.PENDING), str(FileStatus.MISMATCH)]


class FileRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["files"]
        self.active = db["file_jobs_active"]

    async def register(self, claim: Doc, document_id: str) -> None:
        """A new attachment to fetch; known ones (same SHA-256) are left as they are."""
        sha256 = claim["sha256"]
        job = {
            "sha256": sha256,
            "fetch_path": claim["fetch_path"],
            "size": claim["size"],
            "media_type": claim["media_type"],
            "document_id": document_id,
            "status": str(FileStatus.PENDING),
            "attempts": 0,
            "next_attempt_at": utcnow(),
            "mismatch_reported": False,
        }
        with contextlib.suppress(DuplicateKeyError):  # another replica registered it first
            await self.collection.update_one({"_id": sha256}, {"$setOnInsert": job}, upsert=True)
        # A file given up earlier gets a fresh start when a newly published document names it:
        # the producer may have fixed what made it fail.
        await self.collection.update_one(
            {"_id": sha256, "status": str(FileStatus.FAILED)},
            {
                "$set": {
                    "status": str(FileStatus.PENDING),
                    "attempts": 0,
                    "next_attempt_at": utcnow(),
                    "fetch_path": claim["fetch_path"],
                    "document_id": document_id,
                }
            },
        )
        current = await self.collection.find_one({"_id": sha256})
        if current is not None and current["status"] in RETRYABLE:
            await self._activate(current)

    async def _activate(self, job: Doc) -> None:
        """Make sure a job still to do is in the active collection (idempotent)."""
        fields = {k: v for k, v in job.items() if k not in ("_id", "error")}
        with contextlib.suppress(DuplicateKeyError):
            await self.active.update_one({"_id": job["_id"]}, {"$setOnInsert": fields}, upsert=True)

    async def claim_due(self, lease_s: float) -> Doc | None:
        """Take a due job for ``lease_s`` seconds, so replicas do not fetch twice.

        Only the active jobs are looked at (work in flight, not every file ever fetched).
        """
        moment = utcnow()
        return await self.active.find_one_and_update(
            {"next_attempt_at": {"$lte": moment}},
            {"$set": {"next_attempt_at": moment + dt.timedelta(seconds=lease_s)}},
            return_document=ReturnDocument.AFTER,
        )

    async def mark_ok(self, sha256: str) -> None:
        """The file's bytes are stored and verified: it may be served."""
        await self.collection.update_one(
            {"_id": sha256}, {"$set": {"status": str(FileStatus.OK), "error": None}}
        )
        await self.active.delete_one({"_id": sha256})

    async def mark_retry(
        self, sha256: str, *, status: FileStatus, attempts: int, delay_s: float, error: str
    ) -> None:
        fields: Doc = {
            "status": str(status),
            "attempts": attempts,
            "next_attempt_at": utcnow() + dt.timedelta(seconds=delay_s),
            "error": error[:500],
        }
        if status == FileStatus.MISMATCH:
            fields["mismatch_reported"] = True
        await self.collection.update_one({"_id": sha256}, {"$set": fields})
        if status == FileStatus.FAILED:
            await self.active.delete_one({"_id": sha256})
        else:
            await self.active.update_one({"_id": sha256}, {"$set": fields})

    async def statuses(self, hashes: list[str]) -> dict[str, str]:
        if not hashes:
            return {}
        cursor = self.collection.find({"_id": {"$in": hashes}}, {"_id": 1, "status": 1})
        return {str(d["_id"]): str(d["status"]) async for d in cursor}

    async def stored(self, sha256: str) -> bool:
        """True when the file was fetched, verified and may be served."""
        found = await self.collection.find_one({"_id": sha256, "status": str(FileStatus.OK)})
        return found is not None
