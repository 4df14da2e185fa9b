"""Text search over the inverted index, and the background job that keeps it.

A query is answered from a bounded number of ``_id`` reads: the notation record (an exact
``1637/QĐ-BNG`` hit ranks first), then the posting lists of its words month by month,
newest first, intersected smallest first, until enough candidates are found. Candidates
rank by exact notation, then by how many query words are in the heading, then recency;
their search records (``domain/search_facts.py``, one ``_id $in``) say whether a posting
is current and what the filters and facet counts need, so whole pages are read only for
the results shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.portal.domain.filters import DocumentFilter
from services.portal.domain.index import id_of, page_terms
from services.portal.domain.search_facts import facts_text, facts_view, page_facts
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
Candidate = tuple[Rank, Doc]  # a result's rank and its search record (summary-shaped)
MAX_CANDIDATES = 500
IDS_PER_MONTH = 32  # a word's month: its packed record and 31 day lists
IN_LIMIT = 1000  # ids in one `_id $in`
MAX_READS = 24
INDEX_LEASE_S = 60.0


def months_in_reads(months: list[str], most: int) -> list[list[str]]:
    """The months (newest first) in reads of 1, 2, 4 … at most ``most`` months: a common
    word finds its candidates in the first months read, a rare one in a few reads."""
    batches: list[list[str]] = []
    start, size = 0, 1
    while start < len(months):
        batches.append(months[start : start + size])
        start += size
        size = min(size * 2, most)
    return batches


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


def _current(flt: DocumentFilter, results: Sequence[Doc], pages: dict[str, Doc]) -> dict[str, Doc]:
    """The pages of these results that still are what their search records say."""
    found = {}
    for result in results:
        page = pages.get(result["_id"])
        if page is not None and page.get("sort_key") == result["sort_key"] and flt.matches(page):
            found[result["_id"]] = page
    return found


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

    async def ranked_page(
        self, flt: DocumentFilter, start: int, size: int
    ) -> tuple[list[Doc], dict[str, Doc], bool]:
        """Every result in rank order (at most ``MAX_CANDIDATES``) as its search record,
        with ``exact`` set on an exact notation hit; the summaries of the pages of the
        results from ``start`` to ``start + size`` and of the exact hit (only those that
        still are what their records say); whether more candidates were left unread.

        Those pages are read while the search records are, on the guess that the
        candidates ranked there are the results shown (true unless a filter or a stale
        entry drops some before them); the ones the guess missed are read after."""
        candidates, capped, guessed = await self._candidates(flt, (start, size))
        found = [{**facts, "exact": rank[0] == 1} for rank, facts in candidates]
        wanted = found[start : start + size] + [r for r in found if r["exact"]][:1]
        pages = _current(flt, wanted, guessed)
        missed = [r for r in wanted if r["_id"] not in guessed]
        if missed:
            pages.update(await self.pages_of(flt, missed))
        return found, pages, capped

    async def pages_of(self, flt: DocumentFilter, results: Sequence[Doc]) -> dict[str, Doc]:
        """The summaries of these results' pages (one ``_id $in``), only those that still
        are what their search records say and match the filter."""
        return _current(flt, results, await self._pages.summaries([r["_id"] for r in results]))

    async def find(
        self, flt: DocumentFilter, *, limit: int, position: Doc | None
    ) -> tuple[list[Doc], Doc | None]:
        after = read_rank(position)
        candidates = (await self._candidates(flt))[0]
        ranked = [c for c in candidates if after is None or c[0] < after]
        found: list[tuple[Rank, Doc]] = []
        start = 0
        while start < len(ranked) and len(found) <= limit:
            chunk = ranked[start : start + limit + 1 - len(found)]
            start += len(chunk)
            pages = await self.pages_of(flt, [facts for _, facts in chunk])
            found += [(rank, pages[f["_id"]]) for rank, f in chunk if f["_id"] in pages]
        if len(found) > limit:
            exact, score, key = found[limit - 1][0]
            return [p for _, p in found[:limit]], {"k": key, "s": score, "x": exact}
        return [p for _, p in found], None

    async def _candidates(
        self, flt: DocumentFilter, guess: tuple[int, int] = (0, 0)
    ) -> tuple[list[Candidate], bool, dict[str, Doc]]:
        """Ranked candidates whose search record is current and matches the filter; with a
        ``guess`` (start, size), the summaries of the pages ranked there, read meanwhile."""
        ranks, capped, known = await self._ranked_and_capped(flt)
        ranked = sorted(ranks.values(), reverse=True)
        if len(ranked) > MAX_CANDIDATES:
            ranked, capped = ranked[:MAX_CANDIDATES], True
        start, size = guess
        guessed = [id_of(r[2]) for r in ranked[start : start + size]] + list(known)[:1]
        facts, pages = await asyncio.gather(
            self._facts([id_of(r[2]) for r in ranked], known),
            self._pages.summaries(guessed if size else []),
        )
        found = []
        for rank in ranked:
            record = facts.get(id_of(rank[2]))
            if record is not None and record["sort_key"] == rank[2] and flt.matches(record):
                found.append((rank, record))
        return found, capped, pages

    async def _facts(self, ids: Sequence[str], known: dict[str, Doc]) -> dict[str, Doc]:
        """Search records by page id (those not in ``known``: one ``_id $in``); a page
        without a readable record (indexed before records existed) is read instead."""
        wanted = [i for i in dict.fromkeys(ids) if i not in known]
        found = dict(known)
        for page_id, value in (await self._terms.facts_for(wanted)).items():
            if (record := facts_view(page_id, value)) is not None:
                found[page_id] = record
        missing = [i for i in wanted if i not in found]
        for page in (await self._pages.summaries(missing)).values() if missing else ():
            if (record := page_facts(page)) is not None:
                found[str(page["_id"])] = record
        return found

    async def _ranked_and_capped(
        self, flt: DocumentFilter
    ) -> tuple[dict[str, Rank], bool, dict[str, Doc]]:
        """Sort key → rank of every candidate; whether the postings were cut short; the
        search records already read (the exact notation hits)."""
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
        most = max(1, IN_LIMIT // (len(words) * IDS_PER_MONTH))
        batches = months_in_reads(months, most)
        capped = len(batches) > MAX_READS
        for read, chunk in enumerate(batches[:MAX_READS]):
            postings = await self._terms.postings_for(words, chunk)
            lists = sorted((head | body for head, body in postings.values()), key=len)
            common = set(lists[0]) if lists else set()
            for keys in lists[1:]:
                common &= keys
            for key in common:
                score = sum(1 for w in words if key in postings[w][0])
                ranks[key] = (0, score, key)
            if len(ranks) >= MAX_CANDIDATES:
                capped = capped or read + 1 < len(batches)
                break
        exact = await self._facts(await self._slugs.with_notation("-".join(words)), {})
        for record in exact.values():
            key = str(record["sort_key"])
            ranks[key] = (1, len(words), key)
        return ranks, capped, exact


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
                key, facts = str(page["sort_key"]), facts_text(page)
                await self._terms.index(document_id, key, head, body, facts=facts)
            else:
                await self._terms.unindex(document_id)
            await self._queue.done(record)
            done += 1
        return done
