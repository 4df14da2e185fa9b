"""The portal's _id-keyed indexes: lists, facets, search, slugs, work in flight, replicas."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.filters import DocumentFilter
from services.portal.domain.index import page_terms
from services.portal.domain.search import query_tokens
from services.portal.domain.search_facts import facts_text
from services.portal.repositories import (
    FileRepository,
    ListingRepository,
    PageRepository,
    PendingWork,
    SlugRepository,
    TermRepository,
)
from services.portal.repositories.preload import make_page, preload_pages
from services.portal.services.documents import DocumentQueries, Projection
from services.portal.services.search import SearchIndexJobs, SearchQueries
from shared.kit.content import ContentStore
from tests.integration.portal.support import DocumentsStandIn, published, signed_document
from tests.support.infra import mongo_url

Doc = dict[str, Any]


def queries(db: AsyncDatabase[Any]) -> DocumentQueries:
    pages, slugs, listing = PageRepository(db), SlugRepository(db), ListingRepository(db)
    search = SearchQueries(pages, slugs, listing, TermRepository(db))
    return DocumentQueries(
        pages, slugs, listing, FileRepository(db), search, ContentStore(db, "files")
    )


def projection(db: AsyncDatabase[Any]) -> Projection:
    work = (PendingWork(db, "signature_pending"), PendingWork(db, "search_pending"))
    return Projection(
        PageRepository(db),
        SlugRepository(db),
        ListingRepository(db),
        FileRepository(db),
        work,
        lambda: None,
    )


async def all_pages(db: AsyncDatabase[Any], flt: DocumentFilter, limit: int) -> list[Doc]:
    found: list[Doc] = []
    cursor = None
    while True:
        items, cursor = await queries(db).search(flt, limit=limit, position=cursor)
        found += items
        if cursor is None:
            return found


async def stored(db: AsyncDatabase[Any], ids: list[str]) -> list[Doc]:
    return [d async for d in db["pages"].find({"_id": {"$in": ids}})]


async def test_lists_follow_the_cursor_across_day_and_month_buckets(
    db: AsyncDatabase[Any],
) -> None:
    ids = await preload_pages(db, 60, end=dt.date(2025, 3, 4), per_day=4)  # 15 days, 2 months
    pages = await all_pages(db, DocumentFilter(), limit=7)
    expected = sorted(await stored(db, ids), key=lambda p: p["sort_key"], reverse=True)
    assert [p["id"] for p in pages] == [p["_id"] for p in expected]
    first, cursor = await queries(db).search(DocumentFilter(), limit=7, position=None)
    assert len(first) == 7 and cursor is not None


async def test_filters_use_the_facet_buckets_and_agree_with_the_pages(
    db: AsyncDatabase[Any],
) -> None:
    ids = await preload_pages(db, 80, end=dt.date(2025, 1, 10), per_day=5)
    pages = await stored(db, ids)
    cases = [
        (DocumentFilter(doc_type="thong_tu"), lambda p: p["doc_type"] == "thong_tu"),
        (
            DocumentFilter(doc_type="cong_van", issuer="000.00.31.H01"),
            lambda p: p["doc_type"] == "cong_van" and p["issuer"]["code"] == "000.00.31.H01",
        ),
        (DocumentFilter(year=2024), lambda p: p["year"] == 2024),
        (DocumentFilter(field="Lãnh sự"), lambda p: p["field"] == "Lãnh sự"),
        (
            DocumentFilter(date_from=dt.date(2024, 12, 30), date_to=dt.date(2025, 1, 2)),
            lambda p: "2024-12-30" <= p["issue_date"] <= "2025-01-02",
        ),
    ]
    for flt, keep in cases:
        want = [p["_id"] for p in sorted(pages, key=lambda p: p["sort_key"], reverse=True)]
        want = [i for i in want if keep(next(p for p in pages if p["_id"] == i))]
        assert want, flt
        assert [p["id"] for p in await all_pages(db, flt, limit=3)] == want, flt
    facets = await queries(db).facets()
    assert facets["years"] == [2024, 2025]
    assert "000.00.31.H01" in facets["issuers"] and "Lãnh sự" in facets["fields"]


async def index_page(db: AsyncDatabase[Any], page: Doc) -> None:
    await db["pages"].insert_one(page)
    await ListingRepository(db).add(page)
    await SlugRepository(db).add_notation(page["notation"], page["_id"])
    head, body = page_terms(page)
    await TermRepository(db).index(
        page["_id"], page["sort_key"], head, body, facts=facts_text(page)
    )


async def test_search_ranks_the_exact_notation_first_then_heading_words_then_recency(
    db: AsyncDatabase[Any],
) -> None:
    def page(n: int, day: int, **fields: Any) -> Doc:
        base = make_page(n, dt.date(2025, 4, day), random.Random(n), "s")
        issuer = {"code": "000.00.31.H01", "name": "Cục Lãnh sự"}
        return {**base, "body": "", "issuer": issuer, **fields}

    exact = page(1, 1, notation="77/HC-BNG", subject="Quy chế cấp hộ chiếu")
    mention = page(2, 9, notation="90/QĐ-BNG", subject="Sửa đổi văn bản 77/HC-BNG")
    heading = page(3, 2, notation="91/QĐ-BNG", subject="Hộ chiếu ngoại giao")
    body_only = page(4, 8, notation="92/QĐ-BNG", subject="Hướng dẫn", body="hộ chiếu ngoại giao")
    partial = page(5, 9, notation="93/QĐ-BNG", subject="Cấp hộ chiếu phổ thông")
    for p in (exact, mention, heading, body_only, partial):
        await index_page(db, p)

    async def found(q: str) -> list[str]:
        items, _ = await queries(db).search(
            DocumentFilter(tokens=query_tokens(q)), limit=10, position=None
        )
        return [i["id"] for i in items]

    assert (await found("77/HC-BNG"))[:2] == [exact["_id"], mention["_id"]]
    assert await found("hộ chiếu ngoại giao") == [heading["_id"], body_only["_id"]]
    # All words in the heading, newest first; then the page with them only in its body.
    expected = [partial["_id"], heading["_id"], exact["_id"], body_only["_id"]]
    assert await found("HO CHIEU") == expected
    first, cursor = await queries(db).search(
        DocumentFilter(tokens=["ho", "chieu"]), limit=2, position=None
    )
    rest, _ = await queries(db).search(
        DocumentFilter(tokens=["ho", "chieu"]), limit=10, position=cursor
    )
    assert [i["id"] for i in first + rest] == await found("ho chieu")


async def test_slugs_are_records_by_id_and_a_taken_slug_is_disambiguated(
    db: AsyncDatabase[Any],
) -> None:
    server = DocumentsStandIn()
    one = signed_document(notation="5/QĐ-BNG")
    two = signed_document(notation="5/QĐ-BNG")
    await projection(db).published(published(server, one), "e1")
    await projection(db).published(published(server, two), "e2")
    found = queries(db)
    first = await found.by_slug("5-qd-bng-2025")
    assert first is not None and first["id"] == one.document_id
    second = await found.by_id(two.document_id)
    assert second is not None and second["slug"] != "5-qd-bng-2025"
    again = await found.by_slug(second["slug"])
    assert again is not None and again["id"] == two.document_id
    owner = await db["page_slugs"].find_one({"_id": second["slug"]})
    assert owner is not None and owner["document_id"] == two.document_id


async def test_background_work_lives_only_while_it_is_in_flight(db: AsyncDatabase[Any]) -> None:
    files = FileRepository(db)
    claim = {"sha256": "b" * 64, "fetch_path": "/api/v1/files/x", "size": 1, "media_type": "x"}
    await files.register(claim, "doc-1")
    job = await files.claim_due(lease_s=60)
    assert job is not None and job["_id"] == "b" * 64
    await ContentStore(db, "files").put("b" * 64, b"x", "x")
    await files.mark_ok("b" * 64)
    assert await files.active.count_documents({}) == 0  # finished: not looked at again
    assert (await files.statuses(["b" * 64]))["b" * 64] == "ok"
    assert await files.claim_due(lease_s=60) is None
    await files.register(claim, "doc-2")  # a known, stored file makes no work
    assert await files.active.count_documents({}) == 0

    server = DocumentsStandIn()
    doc = signed_document(notation="6/QĐ-BNG")
    await projection(db).published(published(server, doc), "e1")
    indexing = PendingWork(db, "search_pending")
    assert await indexing.collection.count_documents({}) == 1
    assert await db["signature_pending"].count_documents({}) == 1
    jobs = SearchIndexJobs(PageRepository(db), TermRepository(db), indexing)
    assert await jobs.run_pending() == 1
    assert await indexing.collection.count_documents({}) == 0
    assert await jobs.run_pending() == 0  # idle: nothing to read but an empty collection
    items, _ = await queries(db).search(
        DocumentFilter(tokens=query_tokens("kế hoạch chuyển đổi số")), limit=5, position=None
    )
    assert [i["id"] for i in items] == [doc.document_id]


async def test_a_newer_version_moves_the_page_between_buckets(db: AsyncDatabase[Any]) -> None:
    server = DocumentsStandIn()
    doc = signed_document(notation="8/QĐ-BNG", issue_date=dt.date(2025, 1, 5))
    await projection(db).published(published(server, doc, version=3), "e1")
    moved = doc.model_copy(update={"issue_date": dt.date(2025, 2, 7), "field": "Lãnh sự"})
    await projection(db).published(published(server, moved, version=4), "e2")
    await projection(db).published(published(server, doc, version=3), "e1")  # stale replay
    for flt in (DocumentFilter(), DocumentFilter(field="Lãnh sự")):
        assert [p["issue_date"] for p in await all_pages(db, flt, limit=5)] == ["2025-02-07"]
    january = await db["page_index"].find_one({"_id": "d|all||2025-01-05"})
    assert january is not None and january["e"] == []


async def test_two_replicas_projecting_at_once_lose_no_list_entries(
    db: AsyncDatabase[Any],
) -> None:
    server = DocumentsStandIn()
    docs = [
        signed_document(notation=f"{300 + n}/QĐ-BNG", issue_date=dt.date(2025, 6, 1 + n % 3))
        for n in range(30)
    ]
    clients = [AsyncMongoClient(mongo_url(), tz_aware=True) for _ in range(2)]
    try:
        replicas = [projection(c[db.name]) for c in clients]
        await asyncio.gather(
            *(replicas[n % 2].published(published(server, d), f"e{n}") for n, d in enumerate(docs))
        )
    finally:
        for client in clients:
            await client.close()
    listed = await all_pages(db, DocumentFilter(), limit=8)
    assert sorted(p["id"] for p in listed) == sorted(d.document_id for d in docs)
    typed = await all_pages(db, DocumentFilter(doc_type="quyet_dinh", year=2025), limit=50)
    assert len(typed) == 30
