"""Search at the history's size: latency through the portal's HTTP API, and the reads one
query makes (seen by a command listener on the store): every one must name ``_id``
records, so a search costs the same at 100,000 pages as at 100."""

from __future__ import annotations

import time
from typing import Any

import httpx
from pymongo import AsyncMongoClient, monitoring

from services.portal.domain.filters import DocumentFilter
from services.portal.domain.search import query_tokens
from services.portal.repositories import (
    FileRepository,
    ListingRepository,
    PageRepository,
    SlugRepository,
    TermRepository,
)
from services.portal.services.documents import DocumentQueries
from services.portal.services.search import SearchQueries
from shared.kit.content import ContentStore
from tests.bench.measures import ms, pct

Doc = dict[str, Any]
# Common words (thousands of pages each), a rarer pair, an exact notation, and no match.
QUERIES = (
    "chuyển đổi số",
    "hộ chiếu ngoại giao",
    "phân giới cắm mốc biên giới",
    "lãnh sự",
    "1637/QĐ-BNG",
    "khong co tu nay",
)
READ_COMMANDS = ("find", "aggregate", "count", "distinct")


async def search_latency(portal_url: str, rounds: int = 20) -> Doc:
    """p50/p95 of ``/api/v1/search`` over ``QUERIES`` × ``rounds`` (keep-alive, one client)."""
    samples: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=portal_url, timeout=30) as client:
        for _ in range(rounds):
            for q in QUERIES:
                started = time.perf_counter()
                response = await client.get("/api/v1/search", params={"q": q, "limit": 20})
                samples.append(time.perf_counter() - started)
                errors += response.status_code != 200
    return {
        "search_p50_ms": ms(pct(samples, 0.5)),
        "search_p95_ms": ms(pct(samples, 0.95)),
        "search_samples": len(samples),
        "search_errors": errors,
    }


class _Reads(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[Doc] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in READ_COMMANDS:
            self.commands.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _by_id(command: Doc) -> bool:
    """A find whose filter names ``_id`` records (one, or ``$in`` of at most 1,000)."""
    if "find" not in command:
        return False
    selector = (command.get("filter") or {}).get("_id")
    if isinstance(selector, str):
        return True
    return isinstance(selector, dict) and len(selector.get("$in", [])) <= 1000


async def search_reads(mongo_url: str, database: str) -> Doc:
    """Run every query through the portal's own search and look at each read it makes."""
    reads = _Reads()
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url, event_listeners=[reads])
    try:
        db = client[database]
        pages, slugs, listing = PageRepository(db), SlugRepository(db), ListingRepository(db)
        queries = DocumentQueries(
            pages,
            slugs,
            listing,
            FileRepository(db),
            SearchQueries(pages, slugs, listing, TermRepository(db)),
            ContentStore(db, "files"),
        )
        most = 0
        for q in QUERIES:
            before = len(reads.commands)
            await queries.search(DocumentFilter(tokens=query_tokens(q)), limit=20, position=None)
            most = max(most, len(reads.commands) - before)
    finally:
        await client.close()
    return {
        "search_reads_max": most,
        "search_reads_by_id_only": all(_by_id(c) for c in reads.commands),
    }
