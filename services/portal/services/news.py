"""Use cases of news articles: editors write them, everyone reads them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from services.portal.domain.slug import slugify
from services.portal.errors import BadCursor, NewsChanged, NewsNotFound
from services.portal.repositories import NewsRepository
from shared.kit.clock import utcnow
from shared.kit.idempotency import IdempotencyKeys, body_hash
from shared.kit.types import Doc


def news_url(slug: str) -> str:
    return f"/tin-tuc/{slug}"


def present(doc: Doc) -> Doc:
    return {
        "id": doc["_id"],
        "slug": doc["slug"],
        "url": news_url(doc["slug"]),
        "title": doc["title"],
        "summary": doc["summary"],
        "body": doc["body"],
        "language": doc["language"],
        "published_at": doc["published_at"],
        "updated_at": doc["updated_at"],
        "author": doc["author"],
        "version": doc["version"],
    }


class NewsService:
    def __init__(
        self,
        news: NewsRepository,
        keys: IdempotencyKeys,
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._news = news
        self._keys = keys
        self._changed = changed  # the home page and lists show news: render them afresh

    async def create(self, article: Doc, *, author: str, idempotency_key: str | None) -> Doc:
        """A new article from its title, summary, body and language (as JSON values)."""
        news_id = uuid.uuid4().hex
        if idempotency_key:
            claimed = await self._keys.claim(author, idempotency_key, body_hash(article), news_id)
            news_id = claimed.result_id
            found = None if claimed.fresh else await self._news.get(news_id)
            if found is not None:
                return present(found)
        now = utcnow()
        base = slugify(str(article["title"]))
        slug = base if not await self._news.slug_taken(base) else f"{base}-{news_id[:8]}"
        doc: Doc = {
            "_id": news_id,
            "slug": slug,
            **article,
            "published_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "sort_key": f"{now.strftime('%Y%m%dT%H%M%S%f')}|{news_id}",
            "author": author,
            "version": 1,
            "deleted": False,
        }
        if not await self._news.insert(doc):
            doc["slug"] = f"{base}-{news_id[:8]}"
            await self._news.insert(doc)
        self._changed()
        return present(doc)

    async def get(self, news_id: str) -> Doc:
        found = await self._news.get(news_id)
        if found is None or found["deleted"]:
            raise NewsNotFound()
        return present(found)

    async def by_slug(self, slug: str) -> Doc | None:
        """The article, a tombstone ``{"deleted": True}`` when it was removed, or None."""
        found = await self._news.by_slug(slug)
        if found is None:
            return None
        return {"deleted": True} if found["deleted"] else present(found)

    async def latest(
        self, *, limit: int, position: Doc | None, language: str | None = None
    ) -> tuple[list[Doc], Doc | None]:
        """Articles after ``position`` (from the cursor), newest first, and the next position."""
        after = position.get("k") if position else None
        if position is not None and not isinstance(after, str):
            raise BadCursor()
        found = await self._news.latest(limit=limit + 1, after=after, language=language)
        following = {"k": found[limit - 1]["sort_key"]} if len(found) > limit else None
        return [present(d) for d in found[:limit]], following

    async def update(self, news_id: str, expected_version: int, changes: Doc) -> Doc:
        fields = {**changes, "updated_at": utcnow().isoformat()}
        updated = await self._news.update(news_id, expected_version, fields)
        self._changed()
        if updated is None:
            raise await self._why_not(news_id)
        return present(updated)

    async def delete(self, news_id: str, expected_version: int) -> None:
        fields = {"deleted": True, "updated_at": utcnow().isoformat()}
        if await self._news.update(news_id, expected_version, fields) is None:
            raise await self._why_not(news_id)
        self._changed()

    async def _why_not(self, news_id: str) -> NewsNotFound | NewsChanged:
        current = await self._news.get(news_id)
        if current is None or current["deleted"]:
            return NewsNotFound()
        return NewsChanged(int(current["version"]))
