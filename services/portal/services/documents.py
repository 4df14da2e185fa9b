"""Use cases of the public read model: project document events, and query the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.portal.domain import present
from services.portal.domain.page import (
    Refused,
    back_link,
    page_fields,
    refusal,
    replaced_fields,
    revoked_fields,
)
from services.portal.domain.slug import disambiguated
from services.portal.repositories import DocumentFilter, FileRepository, PageRepository
from shared.contracts.events import DocumentPublished, DocumentReplaced, DocumentRevoked
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import ProblemError

Doc = dict[str, Any]


class Projection:
    """Applies the public topic's events to the pages, idempotently and in version order."""

    def __init__(self, pages: PageRepository, files: FileRepository, wake: Callable[[], None]):
        self._pages = pages
        self._files = files
        self._wake = wake

    async def published(self, event: DocumentPublished, event_id: str) -> bool:
        reason = refusal(event)
        if reason is not None:
            raise Refused(reason)
        fields = page_fields(event)
        owner = await self._pages.slug_owner(fields["slug"])
        if owner is not None and owner != event.document_id:
            fields["slug"] = disambiguated(fields["slug"], event.document_id)
        applied = await self._pages.apply(
            event.document_id,
            concern="page",
            version=event.document_version,
            event_id=event_id,
            fields=fields,
        )
        if applied:
            for claim in event.attachments:
                await self._files.register(claim.model_dump(mode="json"), event.document_id)
            self._wake()
        return applied

    async def revoked(self, event: DocumentRevoked, event_id: str) -> bool:
        return await self._pages.apply(
            event.document_id,
            concern="revoked",
            version=event.document_version,
            event_id=event_id,
            fields=revoked_fields(event),
        )

    async def replaced(self, event: DocumentReplaced, event_id: str) -> bool:
        await self._pages.add_back_link(event.replaced_by_id, back_link(event))
        return await self._pages.apply(
            event.document_id,
            concern="replaced",
            version=event.document_version,
            event_id=event_id,
            fields=replaced_fields(event),
        )


class DocumentQueries:
    def __init__(self, pages: PageRepository, files: FileRepository) -> None:
        self._pages = pages
        self._files = files

    async def search(
        self, flt: DocumentFilter, *, limit: int, cursor: str | None
    ) -> tuple[list[Doc], str | None]:
        position = decode_cursor(cursor)
        after = None
        if position is not None:
            after = position.get("k")
            if not isinstance(after, str):
                raise ProblemError(400, "the cursor is not valid")
        found = await self._pages.search(flt, limit=limit + 1, after=after)
        items = [present.summary(p) for p in found[:limit]]
        next_cursor = None
        if len(found) > limit:
            next_cursor = encode_cursor({"k": found[limit - 1]["sort_key"]})
        return items, next_cursor

    async def summaries(self, maximum: int) -> list[Doc]:
        """Up to ``maximum`` pages, newest first (for the sitemap)."""
        items: list[Doc] = []
        cursor: str | None = None
        while len(items) < maximum:
            batch, cursor = await self.search(
                DocumentFilter(), limit=min(200, maximum - len(items)), cursor=cursor
            )
            items += batch
            if cursor is None:
                break
        return items

    async def _detail(self, page: Doc | None) -> Doc | None:
        if page is None:
            return None
        hashes = [a["sha256"] for a in page.get("attachments", [])]
        statuses = await self._files.statuses(hashes)
        slugs = await self._pages.slugs_for(present.linked_ids(page))
        return present.detail(page, statuses, slugs)

    async def by_slug(self, slug: str) -> Doc | None:
        return await self._detail(await self._pages.by_slug(slug))

    async def by_id(self, document_id: str) -> Doc | None:
        return await self._detail(await self._pages.by_id(document_id))

    async def attachment(self, slug: str, sha256: str) -> tuple[Doc, Doc] | None:
        """The attachment's metadata and stored file, only when it is verified and listed."""
        page = await self._pages.by_slug(slug)
        if page is None:
            return None
        listed = [a for a in page.get("attachments", []) if a["sha256"] == sha256]
        stored = await self._files.stored(sha256) if listed else None
        return (listed[0], stored) if stored else None

    async def facets(self) -> dict[str, list[Any]]:
        return {
            "types": await self._pages.facets("doc_type"),
            "fields": await self._pages.facets("field"),
            "years": await self._pages.facets("year"),
            "issuers": await self._pages.facets("issuer.code"),
        }
