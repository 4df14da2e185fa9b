"""A file the portal gave up on gets a fresh start when a new document names it again."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.portal.repositories import FileRepository

CLAIM = {
    "sha256": "a" * 64,
    "fetch_path": "/api/v1/files/" + "a" * 64,
    "size": 10,
    "media_type": "application/pdf",
}


async def test_a_given_up_file_is_retried_when_another_document_names_it(
    db: AsyncDatabase[Any],
) -> None:
    files = FileRepository(db)
    await files.register(CLAIM, "doc-1")
    await files.collection.update_one(
        {"_id": CLAIM["sha256"]}, {"$set": {"status": "failed", "attempts": 20}}
    )
    await files.register(CLAIM, "doc-2")
    job = await files.collection.find_one({"_id": CLAIM["sha256"]})
    assert job is not None
    assert (job["status"], job["attempts"], job["document_id"]) == ("pending", 0, "doc-2")


async def test_registering_a_known_file_that_is_fine_changes_nothing(
    db: AsyncDatabase[Any],
) -> None:
    files = FileRepository(db)
    await files.register(CLAIM, "doc-1")
    await files.collection.update_one({"_id": CLAIM["sha256"]}, {"$set": {"status": "ok"}})
    await files.register(CLAIM, "doc-2")
    job = await files.collection.find_one({"_id": CLAIM["sha256"]})
    assert job is not None and job["status"] == "ok" and job["document_id"] == "doc-1"
