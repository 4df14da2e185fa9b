"""Text search over the inverted index, and the background job that keeps it.

A query is answered from a bounded number of ``_id`` reads: the notation record (an exact
``1637/QĐ-BNG`` hit ranks first), then the posting lists of its words month by month,
newest first, intersected smallest first, until enough candidates are found. Candidates
rank by exact notation, then by how many query words are in the heading, then recency.
"""

from __future__ import annotations

from services.portal.domain.filters import DocumentFilter
from services.portal.domain.index import id_of, page_terms
from services.portal.errors import BadCursor
from services.portal.repositories import (
    ListingRepository,
    PageRepository,
    PendingWork,
    SlugRepository,
    TermRepository,
)
from shared.kit.types import Doc

Rank = tuple[int, int, str]  # exact notation, query words in the heading, sort key
MAX_CANDIDATES = 500
MONTHS_PER_READ = 1  # 31 day lists per word: at most 12 × 31 ids in one query
MAX_READS = 24
INDEX_LEASE_S = 60.0


def read_position(position: Doc | None) -> str | None:
    if position is None:
        return None
    after = position.get("k")
    if not isinstance(after, str):
        raise BadCursor()
    return after


def read_rank(position: Doc | None) -> Rank | None:
    after = read_position(position)
    if position is None or after is None:
        return None
    exact, score = position.get("x", 0), position.get("s", 0)
    if not isinstance(exact, int) or not isinstance(score, int):
        raise BadCursor()
    return exact, score, after


class SearchQueries:
    def __init__(
        self,
        pages: PageRepository,
        slugs: SlugRepository,
        listing: ListingRepository,
        terms: TermRepository,
    ) -> None:
        self._pages = pages
        self._slugs = slugs
        self._listing = listing
        self._terms = terms

    async def ranked_pages(self, flt: DocumentFilter) -> tuple[list[Doc], bool]:
        """Every result in rank order (at most ``MAX_CANDIDATES``, their summaries read with
        one ``_id $in``), each with ``exact`` set on an exact notation hit; and whether more
        candidates were left unread."""
        ranked, capped = await self._ranked_and_capped(flt)
        if len(ranked) > MAX_CANDIDATES:
            ranked, capped = ranked[:MAX_CANDIDATES], True
        pages = await self._pages.summaries([id_of(r[2]) for r in ranked])
        found = []
        for exact, _, key in ranked:
            page = pages.get(id_of(key))
            if page is not None and page.get("sort_key") == key and flt.matches(page):
                found.append({**page, "exact": exact == 1})
        return found, capped

    async def find(
        self, flt: DocumentFilter, *, limit: int, position: Doc | None
    ) -> tuple[list[Doc], Doc | None]:
        after = read_rank(position)
        ranked = [r for r in await self._ranked(flt) if after is None or r < after]
        found: list[tuple[Rank, Doc]] = []
        start = 0
        while start < len(ranked) and len(found) <= limit:
            chunk = ranked[start : start + max(limit + 1 - len(found), 8)]
            start += len(chunk)
            pages = await self._pages.summaries([id_of(r[2]) for r in chunk])
            for rank in chunk:
                page = pages.get(id_of(rank[2]))
                if page is not None and page.get("sort_key") == rank[2] and flt.matches(page):
                    found.append((rank, page))
        if len(found) > limit:
            exact, score, key = found[limit - 1][0]
            return [p for _, p in found[:limit]], {"k": key, "s": score, "x": exact}
        return [p for _, p in found], None

    async def _ranked(self, flt: DocumentFilter) -> list[Rank]:
        return (await self._ranked_and_capped(flt))[0]

    async def _ranked_and_capped(self, flt: DocumentFilter) -> tuple[list[Rank], bool]:
        words = flt.tokens
        capped = False
        ranks: dict[str, Rank] = {}
        listed = set(await self._listing.common_months(flt.pairs()))
        low, high = flt.day_range()
        months = [
            m
            for m in await self._terms.months_of(words)
            if m in listed and (low is None or m >= low[:7]) and (high is None or m <= high[:7])
        ]
        reads = -(-len(months) // MONTHS_PER_READ)
        capped = reads > MAX_READS
        for read in range(min(MAX_READS, reads)):
            chunk = months[read * MONTHS_PER_READ : (read + 1) * MONTHS_PER_READ]
            postings = await self._terms.postings_for(words, chunk)
            lists = sorted((head | body for head, body in postings.values()), key=len)
            common = set(lists[0]) if lists else set()
            for keys in lists[1:]:
                common &= keys
            for key in common:
                score = sum(1 for w in words if key in postings[w][0])
                ranks[key] = (0, score, key)
            if len(ranks) >= MAX_CANDIDATES:
                capped = capped or read + 1 < reads
                break
        exact = await self._slugs.with_notation("-".join(words))
        for page in (await self._pages.summaries(exact)).values():
            if page.get("visible") and page.get("sort_key"):
                key = str(page["sort_key"])
                ranks[key] = (1, len(words), key)
        return sorted(ranks.values(), reverse=True), capped


class SearchIndexJobs:
    """Indexes the words of pages the projection queued, off the event's critical path."""

    def __init__(self, pages: PageRepository, terms: TermRepository, queue: PendingWork) -> None:
        self._pages = pages
        self._terms = terms
        self._queue = queue

    async def run_pending(self, batch: int = 20) -> int:
        done = 0
        while done < batch:
            record = await self._queue.claim(INDEX_LEASE_S)
            if record is None:
                break
            document_id = str(record["_id"])
            page = await self._pages.get(document_id)
            if page is not None and page.get("visible") and page.get("sort_key"):
                head, body = page_terms(page)
                await self._terms.index(document_id, str(page["sort_key"]), head, body)
            else:
                await self._terms.unindex(document_id)
            await self._queue.done(record)
            done += 1
        return done
