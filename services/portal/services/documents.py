"""Use cases of the public read model: project document events, and query the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from services.portal.domain import present
from services.portal.domain.filters import DocumentFilter
from services.portal.domain.highlight import facet_counts, highlight
from services.portal.domain.index import id_of, issuer_names
from services.portal.domain.page import (
    SignatureStatus,
    back_link,
    fields_to_remove,
    gone_fields,
    page_fields,
    refusal,
    replaced_fields,
    revoked_fields,
)
from services.portal.domain.slug import disambiguated
from services.portal.errors import PageRefused
from services.portal.repositories import (
    FileRepository,
    ListingRepository,
    PageRepository,
    PendingWork,
    SlugRepository,
)
from services.portal.services.search import SearchQueries, read_position
from shared.contracts.events import (
    DocumentPublished,
    DocumentReplaced,
    DocumentRevoked,
    DocumentUnpublished,
)
from shared.kit.content import ContentStore
from shared.kit.types import Doc

SITEMAP_MAX = 50_000
MAX_FEATURED = 10
MAX_NOTATION_PAGES = 1000  # documents sharing one notation (years, issuers): a handful


class Projection:
    """Applies the public topic's events to the pages, idempotently and in version order.

    The page is written first (it is then visible by id), then its index records. Those
    are written again on every delivery of the event, so a crash between the two is
    repaired by the redelivery; they only ever add what the current page needs and take
    away what the page it replaced had.
    """

    def __init__(
        self,
        pages: PageRepository,
        slugs: SlugRepository,
        listing: ListingRepository,
        files: FileRepository,
        work: tuple[PendingWork, PendingWork],
        changed: Callable[[], None],
    ) -> None:
        self._pages = pages
        self._slugs = slugs
        self._listing = listing
        self._files = files
        self._signatures, self._indexing = work
        self._changed = changed

    async def published(self, event: DocumentPublished, event_id: str) -> bool:
        reason = refusal(event)
        if reason is not None:
            raise PageRefused(reason)
        fields = page_fields(event)
        fields["slug"] = await self._claim_slug(fields["slug"], event.document_id)
        before = await self._pages.get(event.document_id)
        applied = await self._pages.apply(
            event.document_id,
            concern="page",
            version=event.document_version,
            event_id=event_id,
            fields=fields,
            unset=fields_to_remove(fields),
        )
        page = await self._pages.get(event.document_id)
        if page is None:
            return applied
        if page.get("visible"):
            await self._listing.replace(before if applied else None, page)
            await self._slugs.add_notation(str(page["notation"]), event.document_id)
            await self._indexing.add(event.document_id, int(page["version"]))
            if page.get("signature_status") == str(SignatureStatus.PENDING):
                await self._signatures.add(event.document_id, int(page["version"]))
        if page.get("version") == event.document_version:
            for claim in event.attachments:
                await self._files.register(claim.model_dump(mode="json"), event.document_id)
        self._changed()
        return applied

    async def _claim_slug(self, slug: str, document_id: str) -> str:
        if await self._slugs.claim(slug, document_id):
            return slug
        other = disambiguated(slug, document_id)
        await self._slugs.claim(other, document_id)
        return other

    async def revoked(self, event: DocumentRevoked, event_id: str) -> bool:
        self._changed()
        return await self._pages.apply(
            event.document_id,
            concern="revoked",
            version=event.document_version,
            event_id=event_id,
            fields=revoked_fields(event),
        )

    async def replaced(self, event: DocumentReplaced, event_id: str) -> bool:
        await self._pages.add_back_link(event.replaced_by_id, back_link(event))
        self._changed()
        return await self._pages.apply(
            event.document_id,
            concern="replaced",
            version=event.document_version,
            event_id=event_id,
            fields=replaced_fields(event),
        )

    async def unpublished(self, event: DocumentUnpublished, event_id: str) -> bool:
        """Gone for good: hidden, unlisted and unindexed; its address answers 410."""
        applied = await self._pages.apply(
            event.document_id,
            concern="page",
            version=event.document_version,
            event_id=event_id,
            fields=gone_fields(event),
        )
        page = await self._pages.get(event.document_id)
        if page is not None and not page.get("visible"):
            # Again on a redelivery: a crash after the page write is repaired here.
            await self._listing.remove(page)
            await self._indexing.add(event.document_id, event.document_version)
        self._changed()
        return applied


class DocumentQueries:
    def __init__(
        self,
        pages: PageRepository,
        slugs: SlugRepository,
        listing: ListingRepository,
        files: FileRepository,
        search: SearchQueries,
        content: ContentStore,
    ) -> None:
        self._pages = pages
        self._slugs = slugs
        self._listing = listing
        self._files = files
        self._search = search
        self._content = content

    async def search(
        self, flt: DocumentFilter, *, limit: int, position: Doc | None
    ) -> tuple[list[Doc], Doc | None]:
        """A page of results after ``position`` (from the cursor), and the next position."""
        if flt.tokens:
            found, next_position = await self._search.find(flt, limit=limit, position=position)
        else:
            after = read_position(position)
            if flt.notation:
                found, next_position = await self._by_notation(flt, limit, after)
            else:
                found, next_position = await self._newest(flt, limit, after)
        return [present.summary(p) for p in found], next_position

    async def results_page(self, flt: DocumentFilter, *, page: int, size: int) -> Doc:
        """One numbered page of a list or a search, as the HTML site and ``/api/v1/search``
        show it: the items (with the matched words marked), the number of results and the
        facet counts of a search, whether a next page exists, and the only document whose
        notation is exactly the query, if there is one."""
        start = (page - 1) * size
        if flt.tokens:
            # Ranked, counted and filtered by search records; pages read for the shown ones.
            found, pages, capped = await self._search.ranked_page(flt, start, size)
            exact = [r for r in found if r["exact"]]
            shown = found[start : start + size]
            only = pages.get(exact[0]["_id"]) if len(exact) == 1 else None
            return {
                "items": [
                    self._item(pages[r["_id"]], flt.tokens) for r in shown if r["_id"] in pages
                ],
                "total": len(found),
                "capped": capped,
                "has_next": len(found) > start + size,
                "facets": facet_counts(found),
                "exact": present.summary(only) if only is not None else None,
            }
        if flt.notation:
            everything, _ = await self._by_notation(flt, MAX_NOTATION_PAGES, None)
            return {
                "items": [self._item(p, []) for p in everything[start : start + size]],
                "total": len(everything),
                "capped": False,
                "has_next": len(everything) > start + size,
                "facets": facet_counts(everything),
                "exact": None,
            }
        items, has_next = await self._browse(flt, start, size)
        return {
            "items": [self._item(p, []) for p in items],
            "total": None,
            "capped": False,
            "has_next": has_next,
            "facets": None,
            "exact": None,
        }

    @staticmethod
    def _item(page: Doc, tokens: list[str]) -> Doc:
        item = present.summary(page)
        for name in ("subject", "notation"):
            runs = highlight(str(page[name]), tokens)
            item[f"{name}_marked"] = [{"text": text, "match": hit} for text, hit in runs]
        return item

    async def _browse(self, flt: DocumentFilter, start: int, size: int) -> tuple[list[Doc], bool]:
        """Skip ``start`` entries of the list buckets, newest first, then check a page's worth
        (and one more) against their pages. The walk's read limit bounds how far it goes."""
        day_from, day_to = flt.day_range()
        walk = self._listing.walk(flt.pairs(), day_from=day_from, day_to=day_to)
        keys: list[str] = []
        async for batch in walk:
            keys.extend(batch)
            if len(keys) > start + size:
                break
        chosen = keys[start : start + size + 1]
        pages = await self._pages.summaries([id_of(k) for k in chosen])
        found = [
            page
            for key in chosen
            if (page := pages.get(id_of(key))) is not None
            and page.get("sort_key") == key
            and flt.matches(page)
        ]
        more = len(found) > size or (walk.resume is not None and len(keys) <= start + size)
        return found[:size], more

    async def _newest(
        self, flt: DocumentFilter, limit: int, after: str | None
    ) -> tuple[list[Doc], Doc | None]:
        """Walk the list buckets newest first; check each entry against its page."""
        day_from, day_to = flt.day_range()
        walk = self._listing.walk(flt.pairs(), before=after, day_from=day_from, day_to=day_to)
        found: list[Doc] = []
        async for keys in walk:
            start = 0
            while start < len(keys) and len(found) <= limit:
                chunk = keys[start : start + max(limit + 1 - len(found), 8)]
                start += len(chunk)
                pages = await self._pages.summaries([id_of(k) for k in chunk])
                for key in chunk:
                    page = pages.get(id_of(key))
                    if page is not None and page.get("sort_key") == key and flt.matches(page):
                        found.append(page)
                        if len(found) > limit:
                            break
            if len(found) > limit:
                return found[:limit], {"k": found[limit - 1]["sort_key"]}
        return found, ({"k": walk.resume} if walk.resume else None)

    async def _by_notation(
        self, flt: DocumentFilter, limit: int, after: str | None
    ) -> tuple[list[Doc], Doc | None]:
        assert flt.notation is not None
        pages = await self._pages.summaries(await self._slugs.with_notation(flt.notation))
        found = sorted(
            (p for p in pages.values() if flt.matches(p) and (not after or p["sort_key"] < after)),
            key=lambda p: str(p["sort_key"]),
            reverse=True,
        )
        if len(found) > limit:
            return found[:limit], {"k": found[limit - 1]["sort_key"]}
        return found, None

    async def sitemap_months(self) -> list[str]:
        """Months that have pages, newest first: one sitemap each."""
        return await self._listing.common_months([("all", "")])

    async def sitemap_month(self, month: str) -> list[Doc]:
        """The visible pages issued in one month (at most ``SITEMAP_MAX``), newest first."""
        keys = await self._listing.month_keys(month, SITEMAP_MAX)
        pages = await self._pages.summaries([id_of(k) for k in keys])
        found = []
        for key in keys:
            page = pages.get(id_of(key))
            if page and page.get("visible") and page.get("sort_key") == key:
                found.append(present.summary(page))
        return found

    async def _detail(self, page: Doc | None) -> Doc | None:
        if page is None:
            return None
        hashes = [a["sha256"] for a in page.get("attachments", [])]
        statuses = await self._files.statuses(hashes)
        slugs = await self._pages.slugs_for(present.linked_ids(page))
        return present.detail(page, statuses, slugs)

    async def _page_by_slug(self, slug: str) -> Doc | None:
        owner = await self._slugs.owner(slug)
        return await self._pages.by_id(owner) if owner else None

    async def featured(self, notations: list[str]) -> list[Doc]:
        """The newest visible document of each notation, in the order given."""
        found = []
        for notation in notations[:MAX_FEATURED]:
            pages = await self._pages.summaries(await self._slugs.with_notation(notation))
            visible = sorted(
                (p for p in pages.values() if p.get("visible") and p.get("sort_key")),
                key=lambda p: str(p["sort_key"]),
            )
            if visible:
                found.append(present.summary(visible[-1]))
        return found

    async def gone(self, slug_or_id: str) -> Doc | None:
        """Why the page at this slug (or of this id) was taken off the site, if it was."""
        owner = await self._slugs.owner(slug_or_id)
        page = await self._pages.get(owner or slug_or_id)
        if page is None or page.get("visible") or not page.get("gone"):
            return None
        return present.gone(page)

    async def by_slug(self, slug: str) -> Doc | None:
        return await self._detail(await self._page_by_slug(slug))

    async def by_id(self, document_id: str) -> Doc | None:
        return await self._detail(await self._pages.by_id(document_id))

    async def attachment(self, slug: str, sha256: str) -> tuple[Doc, AsyncIterator[bytes]] | None:
        """The attachment's metadata and its bytes, only when it is verified and listed."""
        page = await self._page_by_slug(slug)
        if page is None:
            return None
        listed = [a for a in page.get("attachments", []) if a["sha256"] == sha256]
        if not listed or not await self._files.stored(sha256):
            return None
        info = await self._content.info(sha256)
        return (listed[0], self._content.stream(info)) if info else None

    async def facets(self) -> dict[str, Any]:
        values = await self._listing.facet_values()

        def sorted_values(name: str) -> list[Any]:
            return sorted(v for v in values.get(name, []) if v)

        return {
            "types": sorted_values("types"),
            "fields": sorted_values("fields"),
            "years": sorted_values("years"),
            "issuers": sorted_values("issuers"),
            "issuer_names": issuer_names(values.get("issuer_names", [])),
        }
