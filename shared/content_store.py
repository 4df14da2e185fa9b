"""Content-addressed file storage found by ``_id`` only.

GridFS finds a file's chunks with a query on ``files_id`` sorted by ``n``, which reads the
whole chunks collection on a store that indexes nothing but ``_id``. Here a file is one
record ``{_id: sha256, length, chunk_size, media_type}`` and its chunks are records keyed
``<sha256>:<n>``, so writing, reading and deleting touch only the records of that file on
MongoDB and FerretDB alike. The file record is written last: a file exists only once every
chunk is stored, and a crash mid-upload leaves chunks that the next upload overwrites.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from bson import Binary
from pymongo.asynchronous.database import AsyncDatabase

Doc = dict[str, Any]
CHUNK_BYTES = 1024 * 1024
# Chunks fetched per round trip while streaming.
READ_AHEAD = 4


def chunk_id(sha256: str, n: int) -> str:
    return f"{sha256}:{n}"


class ContentStore:
    def __init__(self, db: AsyncDatabase[Doc], name: str) -> None:
        self._files = db[f"{name}.content"]
        self._chunks = db[f"{name}.content_chunks"]

    async def info(self, sha256: str) -> Doc | None:
        return await self._files.find_one({"_id": sha256})

    async def exists(self, sha256: str) -> bool:
        return await self.info(sha256) is not None

    async def put(self, sha256: str, data: bytes, media_type: str) -> bool:
        """Store ``data`` under its SHA-256 unless already there; True if newly stored."""
        if await self.exists(sha256):
            return False
        count = max(1, -(-len(data) // CHUNK_BYTES))
        for n in range(count):
            piece = data[n * CHUNK_BYTES : (n + 1) * CHUNK_BYTES]
            await self._chunks.replace_one(
                {"_id": chunk_id(sha256, n)}, {"data": Binary(piece)}, upsert=True
            )
        record = {"length": len(data), "chunks": count, "media_type": media_type}
        await self._files.replace_one({"_id": sha256}, record, upsert=True)
        return True

    async def stream(self, sha256: str) -> AsyncIterator[bytes]:
        info = await self.info(sha256)
        if info is None:
            return
        count = int(info["chunks"])
        for start in range(0, count, READ_AHEAD):
            ids = [chunk_id(sha256, n) for n in range(start, min(count, start + READ_AHEAD))]
            found = {d["_id"]: bytes(d["data"]) for d in await self._fetch(ids)}
            for one in ids:
                yield found[one]

    async def _fetch(self, ids: list[str]) -> list[Doc]:
        return await self._chunks.find({"_id": {"$in": ids}}).to_list()

    async def get(self, sha256: str) -> bytes | None:
        if not await self.exists(sha256):
            return None
        return b"".join([piece async for piece in self.stream(sha256)])

    async def delete(self, sha256: str) -> None:
        info = await self.info(sha256)
        if info is None:
            return
        await self._files.delete_one({"_id": sha256})
        ids = [chunk_id(sha256, n) for n in range(int(info["chunks"]))]
        await self._chunks.delete_many({"_id": {"$in": ids}})
