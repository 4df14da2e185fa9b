"""Hash-chained logs: the message log (``message_log*``, one chain per partner) and the
administrators' audit log (``admin_audit*``, one chain), and the key that signs checkpoints.

Every access is by _id. Entries and checkpoints are keyed ``<chain>|<seq:012d>``, so a run
of positions is one ``_id $in`` and the insert of an entry is the claim of its position: of
two replicas wanting one position, one insert wins and the other chains after it. The head
record per chain (``<name>_heads``, ``_id`` = chain) is a hint of the last position, the
floor (the signed checkpoint verification starts from) and how far retention has deleted.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.lgsp.domain.message_log import entry_key
from shared.kit.types import Doc

MESSAGE_LOG = "message_log"
ADMIN_AUDIT = "admin_audit"
MAX_IDS = 1000  # the most ids one $in carries


class ChainRepository:
    def __init__(self, db: AsyncDatabase[Doc], name: str) -> None:
        self.entries: AsyncCollection[Doc] = db[name]
        self.heads: AsyncCollection[Doc] = db[f"{name}_heads"]
        self.checkpoints: AsyncCollection[Doc] = db[f"{name}_checkpoints"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    # Heads --------------------------------------------------------------------------------
    async def head(self, chain: str) -> Doc | None:
        return await self.heads.find_one({"_id": chain})

    async def chains(self) -> list[str]:
        """Every chain: one head per partner that ever exchanged a message (configuration)."""
        return [str(d["_id"]) async for d in self.heads.find({}, projection={"_id": 1})]

    async def advance_head(self, chain: str, seq: int, hash_: str) -> None:
        """Compare-and-set, only ever forward: a replica that appended later wins."""
        # A duplicate key: the head exists and is already at or past seq.
        with contextlib.suppress(DuplicateKeyError):
            await self.heads.update_one(
                {"_id": chain, "seq": {"$lt": seq}},
                {
                    "$set": {"seq": seq, "hash": hash_},
                    "$setOnInsert": {"floor_seq": 0, "swept_through": 0, "checkpoint_seq": 0},
                },
                upsert=True,
            )

    async def note_checkpoint(self, chain: str, seq: int) -> None:
        await self.heads.update_one({"_id": chain}, {"$max": {"checkpoint_seq": seq}})

    async def set_floor(self, chain: str, checkpoint: Doc) -> bool:
        """Move the floor up to this checkpoint (compare-and-set on ``floor_seq``)."""
        seq = int(checkpoint["seq"])
        result = await self.heads.update_one(
            {"_id": chain, "floor_seq": {"$lt": seq}},
            {"$set": {"floor_seq": seq, "floor": _stored_checkpoint(checkpoint)}},
        )
        return bool(result.modified_count)

    async def mark_swept(self, chain: str, seq: int) -> None:
        await self.heads.update_one({"_id": chain}, {"$max": {"swept_through": seq}})

    # Entries ------------------------------------------------------------------------------
    async def insert_run(self, records: list[Doc]) -> int:
        """Insert consecutive entries in order; how many went in before a position that
        another writer already holds."""
        if not records:
            return 0
        if len(records) == 1:
            try:
                await self.entries.insert_one(records[0])
            except DuplicateKeyError:
                return 0
            return 1
        try:
            await self.entries.insert_many(records, ordered=True)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            if not errors or any(e.get("code") != 11000 for e in errors):
                raise
            return int(errors[0].get("index", 0))
        return len(records)

    async def get(self, chain: str, seq: int) -> Doc | None:
        return await self.entries.find_one({"_id": entry_key(chain, seq)})

    async def window(self, chain: str, first: int, last: int) -> dict[int, Doc]:
        """Entries at positions first..last (at most 1000), by position."""
        return await self._by_position(self.entries, chain, first, last)

    async def checkpoints_in(self, chain: str, first: int, last: int) -> dict[int, Doc]:
        return await self._by_position(self.checkpoints, chain, first, last)

    async def _by_position(
        self, collection: AsyncCollection[Doc], chain: str, first: int, last: int
    ) -> dict[int, Doc]:
        if last < first:
            return {}
        if last - first + 1 > MAX_IDS:
            raise ValueError("at most 1000 positions at a time")
        ids = [entry_key(chain, seq) for seq in range(first, last + 1)]
        found: dict[int, Doc] = {}
        async for doc in collection.find({"_id": {"$in": ids}}):
            found[int(str(doc["_id"]).rsplit("|", 1)[1])] = doc
        return found

    async def delete_positions(self, chain: str, first: int, last: int) -> int:
        """Delete the entries at first..last (≤1000) and the checkpoints below ``last``."""
        if last < first:
            return 0
        ids = [entry_key(chain, seq) for seq in range(first, last + 1)]
        deleted = await self.entries.delete_many({"_id": {"$in": ids}})
        older = [entry_key(chain, seq) for seq in range(first - 1, last)]
        await self.checkpoints.delete_many({"_id": {"$in": older}})
        return int(deleted.deleted_count)

    # Checkpoints --------------------------------------------------------------------------
    async def put_checkpoint(self, checkpoint: Doc) -> Doc:
        """Insert the checkpoint; if its position has one already, that one stays."""
        record = {"_id": entry_key(checkpoint["chain"], int(checkpoint["seq"])), **checkpoint}
        try:
            await self.checkpoints.insert_one(record)
        except DuplicateKeyError:
            existing = await self.checkpoints.find_one({"_id": record["_id"]})
            if existing is not None:
                return existing
        await self.note_checkpoint(str(checkpoint["chain"]), int(checkpoint["seq"]))
        return record


def _stored_checkpoint(checkpoint: Doc) -> Doc:
    return {k: v for k, v in checkpoint.items() if k != "_id"}


class LogKeyRepository:
    """The Ed25519 keys that sign checkpoints: generated ones (development) with their
    private half, configured ones with their public half only. Created insert-if-absent so
    every replica uses the same key."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection: AsyncCollection[Doc] = db["message_log_keys"]

    async def ensure_indexes(self) -> None:
        return None  # every access is by _id

    async def get(self, kid: str) -> Doc | None:
        return await self.collection.find_one({"_id": kid})

    async def insert_if_absent(self, record: dict[str, Any]) -> Doc:
        try:
            await self.collection.insert_one(record)
            return record
        except DuplicateKeyError:
            existing = await self.collection.find_one({"_id": record["_id"]})
            if existing is None:  # pragma: no cover - deleted in between
                raise
            return existing
