"""Search ranks, filters and counts from its own records and reads only the pages it
shows; a rebuild's packed postings lose a page's old entries when it changes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.filters import DocumentFilter
from services.portal.domain.highlight import facet_counts
from services.portal.domain.index import month_of, packed_term_id, page_terms, unpack_postings
from services.portal.domain.index_records import IndexRecords
from services.portal.domain.search import query_tokens
from services.portal.repositories import (
    FileRepository,
    ListingRepository,
    PageRepository,
    PendingWork,
    SlugRepository,
    TermRepository,
)
from services.portal.repositories.index_writes import write_index
from services.portal.repositories.model import ModelCollections
from services.portal.repositories.preload import make_page, preload_pages
from services.portal.services.documents import DocumentQueries
from services.portal.services.search import SearchIndexJobs, SearchQueries
from shared.kit.content import ContentStore

Doc = dict[str, Any]
END = dt.date(2025, 6, 30)


class CountingPages(PageRepository):
    """The page repository, noting the ids of every page summary read."""

    read: list[str]

    async def summaries(self, ids: Sequence[str]) -> dict[str, Doc]:
        self.read.extend(ids)
        return await super().summaries(ids)


def queries(db: AsyncDatabase[Any]) -> tuple[DocumentQueries, CountingPages]:
    pages = CountingPages(db)
    pages.read = []
    slugs, listing = SlugRepository(db), ListingRepository(db)
    search = SearchQueries(pages, slugs, listing, TermRepository(db))
    found = DocumentQueries(
        pages, slugs, listing, FileRepository(db), search, ContentStore(db, "files")
    )
    return found, pages


async def expected(db: AsyncDatabase[Any], tokens: list[str]) -> list[Doc]:
    """Every page with all the words, ranked as search must: words in the heading, then
    newest first (read from the pages themselves, the slow way)."""
    matching = []
    async for page in db["pages"].find({}):
        head, body = page_terms(page)
        if page.get("visible") and set(tokens) <= {*head, *body}:
            matching.append((sum(1 for t in tokens if t in head), page["sort_key"], page))
    return [page for *_, page in sorted(matching, key=lambda m: m[:2], reverse=True)]


async def test_results_are_ranked_and_counted_without_reading_the_candidates(
    db: AsyncDatabase[Any],
) -> None:
    await preload_pages(db, 240, end=END, per_day=12)
    tokens = query_tokens("hợp tác")
    truth = await expected(db, tokens)
    assert 20 < len(truth) < 240
    search, pages = queries(db)
    shown: list[str] = []
    for number in (1, 2):
        pages.read.clear()
        result = await search.results_page(DocumentFilter(tokens=tokens), page=number, size=10)
        assert len(set(pages.read)) <= 10, "only the pages shown are read"
        assert result["total"] == len(truth)
        assert result["facets"] == facet_counts(truth)
        shown += [item["id"] for item in result["items"]]
    assert shown == [p["_id"] for p in truth[:20]]

    # A filter narrows results and counts from the same records.
    kind = truth[0]["doc_type"]
    narrowed = await search.results_page(
        DocumentFilter(tokens=tokens, doc_type=kind), page=1, size=50
    )
    same_kind = [p for p in truth if p["doc_type"] == kind]
    assert [i["id"] for i in narrowed["items"]] == [p["_id"] for p in same_kind[:50]]
    assert narrowed["total"] == len(same_kind)

    # A model indexed before the search record joined ``search_pages`` kept it in
    # ``search_facts``: found the same way from there.
    records = [d async for d in db["search_pages"].find({})]
    assert records and all(isinstance(d.get("f"), str) for d in records)
    await db["search_facts"].insert_many([{"_id": d["_id"], "f": d["f"]} for d in records])
    await db["search_pages"].update_many({}, {"$unset": {"f": ""}})
    older = await search.results_page(DocumentFilter(tokens=tokens), page=1, size=10)
    assert [i["id"] for i in older["items"]] == shown[:10]
    assert older["total"] == len(truth) and older["facets"] == facet_counts(truth)

    # Pages indexed before search records existed (a portal upgraded in place) are
    # found the same way, from their pages.
    await db["search_facts"].delete_many({})
    again = await search.results_page(DocumentFilter(tokens=tokens), page=1, size=10)
    assert [i["id"] for i in again["items"]] == shown[:10]
    assert again["total"] == len(truth) and again["facets"] == facet_counts(truth)


async def test_a_changed_page_leaves_the_packed_postings_of_a_rebuild(
    db: AsyncDatabase[Any],
) -> None:
    rng = random.Random(7)
    pages = [make_page(n, END - dt.timedelta(days=n // 3), rng, "r") for n in range(9)]
    index = IndexRecords()
    for page in pages:
        index.remember(page)
    await db["pages"].insert_many(pages)
    slugs = [{"_id": p["slug"], "document_id": p["_id"]} for p in pages]
    await write_index(ModelCollections(db), index.changes(), slugs)
    terms = TermRepository(db)
    changed, gone = pages[0], pages[1]
    old_key = changed["sort_key"]
    word = page_terms(changed)[0][0]
    packed_id = packed_term_id(word, month_of(old_key))

    async def packed_keys(record_id: str) -> set[str]:
        record = await db["search_terms"].find_one({"_id": record_id})
        head, body = unpack_postings(record_id[-7:], (record or {}).get("p"))
        return {*head, *body}

    assert old_key in await packed_keys(packed_id)
    new_key = old_key[:11] + "29991231T000000000000|" + changed["_id"]
    await db["pages"].update_one(
        {"_id": changed["_id"]}, {"$set": {"sort_key": new_key, "version": 2}}
    )
    await db["pages"].update_one({"_id": gone["_id"]}, {"$set": {"visible": False}})
    queue = PendingWork(db, "search_pending")
    for page in (changed, gone):
        await queue.add(str(page["_id"]), 2)
    assert await SearchIndexJobs(PageRepository(db), terms, queue).run_pending() == 2

    assert old_key not in await packed_keys(packed_id)
    for record_id in {packed_term_id(w, month_of(gone["sort_key"])) for w in page_terms(gone)[0]}:
        assert gone["sort_key"] not in await packed_keys(record_id)
    search, _ = queries(db)
    found = await search.results_page(DocumentFilter(tokens=[word]), page=1, size=50)
    ids = [item["id"] for item in found["items"]]
    assert changed["_id"] in ids and gone["_id"] not in ids
    assert await terms.facts_for([gone["_id"]]) == {}
