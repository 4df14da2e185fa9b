"""Lookup documents keyed by _id: which delivery of a document a partner has, and which
files its deliveries gave it. They replace queries on the (ever growing) job history."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from shared.kit.types import Doc


def document_key(partner_id: str, document_id: str) -> str:
    return f"doc:{partner_id}:{document_id}"


def file_key(partner_id: str, sha256: str) -> str:
    return f"file:{partner_id}:{sha256}"


class LookupRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["delivery_keys"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    async def record(self, job: Doc) -> None:
        """Point the job's document and files at it (the newest job of a pair wins)."""
        pid, ref = job["partner_id"], {"delivery_id": job["_id"], "event_id": job["event_id"]}
        keys = [document_key(pid, job["document_id"])]
        keys += [file_key(pid, sha) for sha in job.get("attachments") or []]
        for key in keys:
            await self.collection.update_one({"_id": key}, {"$set": ref}, upsert=True)

    async def latest_delivery(self, partner_id: str, document_id: str) -> str | None:
        doc = await self.collection.find_one({"_id": document_key(partner_id, document_id)})
        return str(doc["delivery_id"]) if doc else None

    async def file_grant(self, partner_id: str, sha256: str) -> Doc | None:
        return await self.collection.find_one({"_id": file_key(partner_id, sha256)})

    async def forget(self, jobs: Sequence[Doc]) -> None:
        """Drop the lookups that still point at these (deleted) jobs, and no others."""
        if not jobs:
            return
        keys: list[str] = []
        for job in jobs:
            keys.append(document_key(job["partner_id"], job["document_id"]))
            keys += [file_key(job["partner_id"], sha) for sha in job.get("attachments") or []]
        ids = [job["_id"] for job in jobs]
        for start in range(0, len(keys), 1000):
            await self.collection.delete_many(
                {"_id": {"$in": keys[start : start + 1000]}, "delivery_id": {"$in": ids}}
            )
