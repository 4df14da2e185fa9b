"""Use cases of news articles: editors write them, everyone reads them."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.portal.domain.slug import slugify
from services.portal.repositories import NewsRepository
from shared.contracts.vocabulary import Language
from shared.http.concurrency import stale
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import ProblemError

Doc = dict[str, Any]


class NewsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=2000)
    body: str = Field(default="", max_length=100_000)
    language: Language = Language.VI


class NewsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, max_length=2000)
    body: str | None = Field(default=None, max_length=100_000)


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
    def __init__(self, news: NewsRepository) -> None:
        self._news = news

    async def create(self, data: NewsIn, *, author: str, idempotency_key: str | None) -> Doc:
        news_id = uuid.uuid4().hex
        if idempotency_key:
            body_hash = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
            earlier = await self._news.remember_key(idempotency_key, body_hash, news_id)
            if earlier is not None:
                if earlier["body_hash"] != body_hash:
                    raise ProblemError(422, "this Idempotency-Key was used with another body")
                found = await self._news.get(earlier["news_id"])
                if found is not None:
                    return present(found)
        now = dt.datetime.now(dt.UTC)
        base = slugify(data.title)
        slug = base if not await self._news.slug_taken(base) else f"{base}-{news_id[:8]}"
        doc: Doc = {
            "_id": news_id,
            "slug": slug,
            **data.model_dump(mode="json"),
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
        return present(doc)

    async def get(self, news_id: str) -> Doc:
        found = await self._news.get(news_id)
        if found is None or found["deleted"]:
            raise ProblemError(404, "no such news article")
        return present(found)

    async def by_slug(self, slug: str) -> Doc | None:
        """The article, a tombstone ``{"deleted": True}`` when it was removed, or None."""
        found = await self._news.by_slug(slug)
        if found is None:
            return None
        return {"deleted": True} if found["deleted"] else present(found)

    async def latest(
        self, *, limit: int, cursor: str | None, language: str | None = None
    ) -> tuple[list[Doc], str | None]:
        position = decode_cursor(cursor)
        after = position.get("k") if position else None
        if position is not None and not isinstance(after, str):
            raise ProblemError(400, "the cursor is not valid")
        found = await self._news.latest(limit=limit + 1, after=after, language=language)
        next_cursor = (
            encode_cursor({"k": found[limit - 1]["sort_key"]}) if len(found) > limit else None
        )
        return [present(d) for d in found[:limit]], next_cursor

    async def update(self, news_id: str, expected_version: int, patch: NewsPatch) -> Doc:
        fields = patch.model_dump(exclude_none=True)
        fields["updated_at"] = dt.datetime.now(dt.UTC).isoformat()
        updated = await self._news.update(news_id, expected_version, fields)
        if updated is None:
            raise await self._why_not(news_id)
        return present(updated)

    async def delete(self, news_id: str, expected_version: int) -> None:
        fields = {"deleted": True, "updated_at": dt.datetime.now(dt.UTC).isoformat()}
        if await self._news.update(news_id, expected_version, fields) is None:
            raise await self._why_not(news_id)

    async def _why_not(self, news_id: str) -> ProblemError:
        current = await self._news.get(news_id)
        if current is None or current["deleted"]:
            return ProblemError(404, "no such news article")
        return stale(int(current["version"]))
