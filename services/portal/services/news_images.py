"""Images of news articles: uploaded by editors, checked, stored by their SHA-256 and served
to everyone from ``/tin-tuc/anh/<sha256>``."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from services.portal.domain.news import IMAGE_TYPES, image_type
from services.portal.errors import NewsImageRefused, NewsImageTooLarge
from shared.kit.content import ContentStore
from shared.kit.types import Doc


class NewsImages:
    def __init__(self, store: ContentStore, max_bytes: int) -> None:
        self._store = store
        self.max_bytes = max_bytes

    async def store(self, data: bytes) -> Doc:
        """Keep an uploaded image; ``{sha256, media_type, size}`` to put on an article.

        The type is read from the bytes themselves, never from the file's name or the type
        the browser declared."""
        if len(data) > self.max_bytes:
            raise NewsImageTooLarge(self.max_bytes)
        media_type = image_type(data[:512])
        if media_type is None:
            allowed = ", ".join(sorted(IMAGE_TYPES))
            raise NewsImageRefused(f"the file is not an image of a type served here ({allowed})")
        sha256 = hashlib.sha256(data).hexdigest()
        await self._store.put(sha256, data, media_type)
        return {"sha256": sha256, "media_type": media_type, "size": len(data)}

    async def open(self, sha256: str) -> tuple[str, AsyncIterator[bytes]] | None:
        """The image's type and bytes, if it was stored as a news image."""
        info = await self._store.info(sha256)
        if info is None or info.get("media_type") not in IMAGE_TYPES:
            return None
        return str(info["media_type"]), self._store.stream(info)
