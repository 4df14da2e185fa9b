"""Content-addressed file storage found by ``_id`` only, streamed in chunks.

GridFS finds a file's chunks with a query on ``files_id`` sorted by ``n``, which reads the
whole chunks collection on a store that indexes nothing but ``_id``. Here every upload writes
its chunks under its own id (``<upload id>:<n>``) and, once the bytes are complete (and, for
a fetched file, checked against their SHA-256), one record ``{_id: sha256, upload_id,
chunks, length, media_type}`` makes them the content of that hash. Writing, reading and
deleting touch only the records of one file, on MongoDB and FerretDB alike. An aborted or
concurrent upload never mixes with another; the file record is written last.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

from bson import Binary
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.kit.types import Doc

CHUNK_BYTES = 255 * 1024
CHUNKS_PER_READ = 4
DELETE_BATCH = 1000


def chunk_id(upload_id: str, n: int) -> str:
    return f"{upload_id}:{n:06d}"


class Upload:
    """Bytes written as they arrive; nothing is content until ``commit``."""

    def __init__(self, store: ContentStore) -> None:
        self._store = store
        self.id = uuid.uuid4().hex
        self.count = 0
        self.length = 0
        self._buffer = bytearray()

    async def write(self, data: bytes) -> None:
        self.length += len(data)
        self._buffer += data
        while len(self._buffer) >= CHUNK_BYTES:
            await self._flush(bytes(self._buffer[:CHUNK_BYTES]))
            del self._buffer[:CHUNK_BYTES]

    async def _flush(self, data: bytes) -> None:
        await self._store.chunks.insert_one(
            {"_id": chunk_id(self.id, self.count), "data": Binary(data)}
        )
        self.count += 1

    async def commit(self, sha256: str, media_type: str) -> bool:
        """Make the bytes the content of ``sha256``; False if that content already existed
        (this upload's chunks are then removed)."""
        if self._buffer or self.count == 0:
            await self._flush(bytes(self._buffer))
            self._buffer.clear()
        record = {
            "_id": sha256,
            "upload_id": self.id,
            "chunks": self.count,
            "length": self.length,
            "media_type": media_type,
        }
        try:
            await self._store.files.insert_one(record)
        except DuplicateKeyError:
            await self.abort()
            return False
        return True

    async def abort(self) -> None:
        await self._store.delete_chunks(self.id, self.count)
        self._buffer.clear()


class ContentStore:
    def __init__(self, db: AsyncDatabase[Doc], name: str) -> None:
        self.files: AsyncCollection[Doc] = db[f"{name}.content"]
        self.chunks: AsyncCollection[Doc] = db[f"{name}.content_chunks"]

    async def info(self, sha256: str) -> Doc | None:
        return await self.files.find_one({"_id": sha256})

    async def exists(self, sha256: str) -> bool:
        return await self.info(sha256) is not None

    def upload(self) -> Upload:
        return Upload(self)

    async def put(self, sha256: str, data: bytes, media_type: str) -> bool:
        """Store ``data`` as the content of ``sha256`` unless already there; True if new."""
        if await self.exists(sha256):
            return False
        upload = self.upload()
        await upload.write(data)
        return await upload.commit(sha256, media_type)

    async def stream(self, info: Doc) -> AsyncIterator[bytes]:
        """The bytes of a file record from ``info``, a few chunks per read."""
        upload_id, count = str(info["upload_id"]), int(info["chunks"])
        for start in range(0, count, CHUNKS_PER_READ):
            ids = [
                chunk_id(upload_id, n) for n in range(start, min(count, start + CHUNKS_PER_READ))
            ]
            found = {
                d["_id"]: bytes(d["data"]) async for d in self.chunks.find({"_id": {"$in": ids}})
            }
            for one in ids:
                yield found[one]

    async def get(self, sha256: str) -> bytes | None:
        info = await self.info(sha256)
        if info is None:
            return None
        return b"".join([piece async for piece in self.stream(info)])

    async def delete(self, sha256: str) -> None:
        info = await self.info(sha256)
        if info is None:
            return
        await self.files.delete_one({"_id": sha256, "upload_id": info["upload_id"]})
        await self.delete_chunks(str(info["upload_id"]), int(info["chunks"]))

    async def delete_chunks(self, upload_id: str, count: int) -> None:
        ids = [chunk_id(upload_id, n) for n in range(count)]
        for start in range(0, len(ids), DELETE_BATCH):
            with contextlib.suppress(Exception):
                await self.chunks.delete_many({"_id": {"$in": ids[start : start + DELETE_BATCH]}})
