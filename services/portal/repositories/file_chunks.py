"""Verified attachment bytes in chunks found by ``_id`` (``<upload id>:<n>``).

GridFS would find chunks by ``files_id``, a filter that reads every chunk ever stored on a
store that indexes only ``_id``; here a download reads its chunks by id, a few at a time.
Each upload has its own id, so an aborted or concurrent upload never mixes with another.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from bson import Binary
from pymongo.asynchronous.collection import AsyncCollection

Doc = dict[str, Any]
CHUNK_BYTES = 255 * 1024
CHUNKS_PER_READ = 4


def chunk_id(upload_id: str, n: int) -> str:
    return f"{upload_id}:{n:06d}"


class ChunkUpload:
    def __init__(self, collection: AsyncCollection[Doc]) -> None:
        self._collection = collection
        self.id = uuid.uuid4().hex
        self.count = 0
        self._buffer = bytearray()

    async def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= CHUNK_BYTES:
            await self._flush(bytes(self._buffer[:CHUNK_BYTES]))
            del self._buffer[:CHUNK_BYTES]

    async def _flush(self, data: bytes) -> None:
        await self._collection.insert_one(
            {"_id": chunk_id(self.id, self.count), "data": Binary(data)}
        )
        self.count += 1

    async def close(self) -> None:
        if self._buffer or self.count == 0:
            await self._flush(bytes(self._buffer))
            self._buffer.clear()

    async def abort(self) -> None:
        ids = [chunk_id(self.id, n) for n in range(self.count)]
        for start in range(0, len(ids), 1000):
            await self._collection.delete_many({"_id": {"$in": ids[start : start + 1000]}})
        self._buffer.clear()


async def read_chunks(
    collection: AsyncCollection[Doc], upload_id: str, count: int
) -> AsyncIterator[bytes]:
    for start in range(0, count, CHUNKS_PER_READ):
        ids = [chunk_id(upload_id, n) for n in range(start, min(count, start + CHUNKS_PER_READ))]
        found = {d["_id"]: bytes(d["data"]) async for d in collection.find({"_id": {"$in": ids}})}
        for one in ids:
            yield found[one]
