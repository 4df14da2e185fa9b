"""Use cases of news articles: editors write, preview, publish and unpublish them; everyone
reads the published ones."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from services.portal.domain import markdown
from services.portal.domain.news import NewsState, alt_problem, image_url, is_public, state_of
from services.portal.domain.slug import slugify
from services.portal.errors import (
    BadCursor,
    NewsBodyRefused,
    NewsChanged,
    NewsImageAltMissing,
    NewsNotFound,
    NewsStateConflict,
)
from services.portal.repositories import NewsRepository
from shared.auth.principal import Principal
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
        "state": state_of(doc).value,
        "image": _image_view(doc.get("image")),
        "updated_by": doc.get("updated_by") or doc["author"],
        "updated_by_name": doc.get("updated_by_name") or "",
    }


def _image_view(image: object) -> Doc | None:
    if not isinstance(image, dict):
        return None
    return {**image, "url": image_url(str(image["sha256"]))}


def check_body(body: str) -> None:
    """The body rule of every write (API and editor alike)."""
    refused = markdown.problems(body)
    if refused:
        raise NewsBodyRefused(
            [problem.explain() for problem in refused], [(p.kind, p.source) for p in refused]
        )


def check_image(image: Doc | None) -> None:
    if image is None:
        return
    problem = alt_problem(str(image.get("alt") or ""))
    if problem:
        raise NewsImageAltMissing(problem)


def _by(editor: Principal) -> Doc:
    return {"updated_by": editor.user, "updated_by_name": str(editor.claims.get("name") or "")}


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

    async def create(
        self,
        article: Doc,
        *,
        author: str,
        idempotency_key: str | None,
        draft: bool = False,
        editor: Principal | None = None,
    ) -> Doc:
        """A new article from its title, summary, body and language (as JSON values), and an
        image (``{sha256, media_type, alt}``); published at once unless it is a ``draft``."""
        check_body(str(article.get("body") or ""))
        check_image(article.get("image"))
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
            "state": (NewsState.DRAFT if draft else NewsState.PUBLISHED).value,
            "created_at": now.isoformat(),
            "published_at": None if draft else now.isoformat(),
            "updated_at": now.isoformat(),
            "sort_key": None if draft else _sort_key(now, news_id),
            "author": author,
            "updated_by": author,
            "updated_by_name": str(editor.claims.get("name") or "") if editor else "",
            "version": 1,
            "deleted": False,
        }
        if not await self._news.insert(doc):
            doc["slug"] = f"{base}-{news_id[:8]}"
            await self._news.insert(doc)
        self._changed()
        return present(doc)

    async def get(self, news_id: str) -> Doc:
        """A published article (drafts are the editors' only)."""
        found = await self._news.get(news_id)
        if found is None or not is_public(found):
            raise NewsNotFound()
        return present(found)

    async def for_editor(self, news_id: str) -> Doc:
        """Any article not deleted, whatever its state."""
        found = await self._news.get(news_id)
        if found is None or found["deleted"]:
            raise NewsNotFound()
        return present(found)

    async def not_published(self) -> list[Doc]:
        """Drafts and unpublished articles, last changed first."""
        found = await self._news.not_published()
        found.sort(key=lambda d: str(d["updated_at"]), reverse=True)
        return [present(d) for d in found]

    async def by_slug(self, slug: str) -> Doc | None:
        """The article, a tombstone ``{"deleted": True}`` when it was removed, or None."""
        found = await self._news.by_slug(slug)
        if found is None:
            return None
        if found["deleted"]:
            return {"deleted": True}
        return present(found) if is_public(found) else None

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

    async def update(
        self,
        news_id: str,
        expected_version: int,
        changes: Doc,
        editor: Principal | None = None,
    ) -> Doc:
        """Change title, summary, body or image (``image: None`` removes it) of the version
        the editor read; never over someone else's later save."""
        if "body" in changes and changes["body"] is not None:
            check_body(str(changes["body"]))
        check_image(changes.get("image"))
        fields = {**changes, "updated_at": utcnow().isoformat(), **(_by(editor) if editor else {})}
        updated = await self._news.update(news_id, expected_version, fields)
        self._changed()
        if updated is None:
            raise await self._why_not(news_id)
        return present(updated)

    async def publish(self, news_id: str, expected_version: int, editor: Principal) -> Doc:
        """Put a draft (or an unpublished article) on the portal."""
        current = await self._current(news_id, expected_version)
        if is_public(current):
            raise NewsStateConflict("the article is already published")
        check_body(str(current.get("body") or ""))
        check_image(current.get("image"))
        now = utcnow()
        # Published again, an article keeps its first date and place in the lists.
        published_at = current.get("published_at") or now.isoformat()
        sort_key = current.get("sort_key") or _sort_key(now, news_id)
        fields = {
            "state": NewsState.PUBLISHED.value,
            "published_at": published_at,
            "sort_key": sort_key,
            "updated_at": now.isoformat(),
            **_by(editor),
        }
        # Listed before the write, so a crash after it never leaves a published article
        # missing from the lists; the lists show only what is published.
        await self._news.list_entries({**current, **fields})
        updated = await self._news.update(news_id, expected_version, fields)
        if updated is None:
            raise await self._why_not(news_id)
        await self._news.list_entries(updated)  # again: an unpublish may have raced the first
        await self._news.drop_draft(news_id, int(updated["version"]))
        self._changed()
        return present(updated)

    async def unpublish(self, news_id: str, expected_version: int, editor: Principal) -> Doc:
        """Take a published article off the portal; it stays, to be published again."""
        current = await self._current(news_id, expected_version)
        if not is_public(current):
            raise NewsStateConflict("the article is not published")
        # Recorded as a draft before the write, so a crash never loses it from the editors' list.
        await self._news.keep_draft(news_id, expected_version + 1)
        fields = {
            "state": NewsState.UNPUBLISHED.value,
            "updated_at": utcnow().isoformat(),
            **_by(editor),
        }
        updated = await self._news.update(news_id, expected_version, fields)
        if updated is None:
            raise await self._why_not(news_id)
        await self._news.unlist_entries(updated)
        again = await self._news.get(news_id)
        if again is not None and is_public(again):  # a publish landed while we unlisted
            await self._news.list_entries(again)
        self._changed()
        return present(updated)

    async def _current(self, news_id: str, expected_version: int) -> Doc:
        current = await self._news.get(news_id)
        if current is None or current["deleted"]:
            raise NewsNotFound()
        if int(current["version"]) != expected_version:
            raise _changed_error(current)
        return current

    async def delete(self, news_id: str, expected_version: int) -> None:
        fields = {"deleted": True, "updated_at": utcnow().isoformat()}
        if await self._news.update(news_id, expected_version, fields) is None:
            raise await self._why_not(news_id)
        self._changed()

    async def _why_not(self, news_id: str) -> NewsNotFound | NewsChanged:
        current = await self._news.get(news_id)
        if current is None or current["deleted"]:
            return NewsNotFound()
        return _changed_error(current)


def _changed_error(current: Doc) -> NewsChanged:
    who = current.get("updated_by_name") or current.get("updated_by") or current.get("author")
    return NewsChanged(int(current["version"]), str(who or ""), str(current["updated_at"]))


def _sort_key(now: dt.datetime, news_id: str) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S%f')}|{news_id}"
