"""The open set of outgoing documents (``documents_open``): one entry per document not yet
issued, keyed by the document's ``_id``, that listings of an open state read whole.

Its size is the work in flight (drafts, submitted and approved documents), not the history:
an entry is deleted when its document is issued. Entries are written by ``_id`` and carry
the document's version, so an entry never moves backwards when two writers race.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.documents.domain.open_documents import is_open, open_entry
from shared.kit.clock import as_utc
from shared.kit.types import Doc


class OpenDocuments:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["documents_open"]

    async def sync(self, doc: Doc) -> None:
        """Bring the document's entry in step with ``doc``, unless a newer version wrote it."""
        document_id, version = str(doc["_id"]), int(doc["version"])
        if is_open(doc):
            # An entry of this version or newer exists already: the upsert collides, fine.
            with contextlib.suppress(DuplicateKeyError):
                await self.collection.update_one(
                    {"_id": document_id, "version": {"$lt": version}},
                    {"$set": open_entry(doc)},
                    upsert=True,
                )
        else:
            await self.collection.delete_one({"_id": document_id, "version": {"$lte": version}})

    async def entries(self) -> list[Doc]:
        """The whole set: the documents not yet issued (work in flight)."""
        return [entry async for entry in self.collection.find({})]

    async def drop_orphan(self, entry: Doc, older_than: dt.datetime) -> None:
        """Delete an entry whose document was never stored (a creation that died between
        the entry and the document), once it is too old to belong to a creation under way."""
        at = entry.get("updated_at")
        if isinstance(at, dt.datetime) and as_utc(at) < older_than:
            await self.collection.delete_one({"_id": entry["_id"], "version": entry["version"]})
