"""The audit collection: append-only, hash-chained per document.

Entries are keyed ``<document_id>:<seq>`` and a small head record per document remembers
the last known seq, so appending needs only lookups by ``_id`` (FerretDB scans for anything
else). A unique index on ``entry_id`` makes a repeated append a no-op.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.documents.domain.audit import GENESIS, entry_hash
from shared.kit.types import Doc

# The head is moved every few entries only: a short walk by _id covers the rest.
HEAD_EVERY = 4
# Chain tails this process appended last, so the next append needs no lookup.
TAILS_KEPT = 10_000


def entry_key(document_id: str, seq: int) -> str:
    return f"{document_id}:{seq}"


class AuditRepository:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["audit"]
        self._heads: AsyncCollection[Doc] = db["audit_heads"]
        self._tails: OrderedDict[str, Doc] = OrderedDict()

    def _remember(self, record: Doc) -> None:
        key = str(record["document_id"])
        self._tails[key] = record
        self._tails.move_to_end(key)
        while len(self._tails) > TAILS_KEPT:
            self._tails.popitem(last=False)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("document_id", ASCENDING), ("seq", ASCENDING)], unique=True
        )
        await self.collection.create_index([("entry_id", ASCENDING)], unique=True)

    async def _last(self, document_id: str) -> Doc | None:
        head = await self._heads.find_one({"_id": document_id})
        seq = int(head["seq"]) if head else 0
        last = await self.collection.find_one({"_id": entry_key(document_id, seq)}) if seq else None
        # The head may lag behind (a crash after the insert): walk forward by _id.
        while True:
            following = await self.collection.find_one({"_id": entry_key(document_id, seq + 1)})
            if following is None:
                return last
            last, seq = following, seq + 1

    async def _advance_head(self, document_id: str, seq: int) -> None:
        # Only ever forward; losing the race to a later seq raises and is fine.
        with contextlib.suppress(DuplicateKeyError):
            await self._heads.update_one(
                {"_id": document_id, "seq": {"$lt": seq}}, {"$set": {"seq": seq}}, upsert=True
            )

    async def append(self, entry: Mapping[str, Any]) -> Doc:
        """Chain ``entry`` after the last one; replicas racing for a seq retry, never fork."""
        document_id = str(entry["document_id"])
        # The tail this process wrote last: if another writer appended since, the insert
        # collides with its entry and the chain is read again.
        last: Doc | None = self._tails.pop(document_id, None)
        walked = last is None
        while True:
            if walked:
                last = await self._last(document_id)
            walked = True
            record: Doc = {k: v for k, v in entry.items() if k != "_id"}
            record["seq"] = int(last["seq"]) + 1 if last else 1
            record["prev_hash"] = str(last["hash"]) if last else GENESIS
            record["hash"] = entry_hash(record)
            record["_id"] = entry_key(document_id, record["seq"])
            try:
                await self.collection.insert_one(record)
            except DuplicateKeyError:
                taken = await self.collection.find_one({"_id": record["_id"]})
                if taken is None or taken["entry_id"] == record["entry_id"]:
                    return record  # this entry is already in the chain (a repeated flush)
                continue  # another writer took this seq: chain after it
            if record["seq"] % HEAD_EVERY == 0:
                await self._advance_head(document_id, record["seq"])
            self._remember(record)
            return record

    async def trail(self, document_id: str) -> list[Doc]:
        """The whole chain in order: entries are keyed by consecutive seq, read by ``_id``."""
        entries: list[Doc] = []
        batch = 100
        while True:
            start = len(entries) + 1
            ids = [entry_key(document_id, seq) for seq in range(start, start + batch)]
            found = {d["_id"]: d async for d in self.collection.find({"_id": {"$in": ids}})}
            for one in ids:
                if one not in found:
                    return entries
                entries.append(found[one])
