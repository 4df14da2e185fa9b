"""Index records built in memory (``IndexRecords``) written into a read model in bulk.

Records go in chunks of unordered ``insert_many`` / ``bulk_write``, a few chunks at a time:
the store converts the records of concurrent requests on several cores, so the writes
take less time than one stream would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.portal.domain.index_records import Changes, Indexed
from services.portal.repositories.bulk import insert_new, insert_or_merge
from services.portal.repositories.listing import FACETS_ID
from services.portal.repositories.model import ModelCollections
from services.portal.repositories.terms import indexed_record
from shared.kit.types import Doc

CHUNK = 1000
STREAMS = 2
ONE_PAGE_RECORDS = ("search_pages",)  # records of one page each: no merge

Write = Callable[[AsyncCollection[Doc], list[Any]], Awaitable[None]]
Job = tuple[AsyncCollection[Doc], list[Any], Write]


def chunks(collection: AsyncCollection[Doc], items: Iterable[Any], write: Write) -> Iterator[Job]:
    it = iter(items)
    while chunk := list(islice(it, CHUNK)):
        yield collection, chunk, write


async def write_all(jobs: Iterator[Job], streams: int = STREAMS) -> None:
    """Run the chunk writes, ``streams`` at a time (each takes the next chunk when done)."""

    async def stream() -> None:
        for collection, chunk, write in jobs:  # one shared iterator: each chunk once
            await write(collection, chunk)

    await asyncio.gather(*(stream() for _ in range(max(1, streams))))


def one_page_records(pages: dict[str, Indexed | None]) -> dict[str, dict[str, Doc | None]]:
    """What each page is indexed under, with its search record, by collection and page id."""
    return {
        "search_pages": {
            page_id: None if e is None else indexed_record(e.key, e.head, e.body, e.facts)
            for page_id, e in pages.items()
        },
    }


def by_collection(changes: Changes) -> dict[str, dict[str, Doc | None]]:
    """Collection name → record id → the record now (None: it holds nothing any more)."""
    listing: dict[str, Doc | None] = dict(changes.listing)
    if changes.facets is not None:
        listing[FACETS_ID] = changes.facets or None
    return {
        "search_terms": changes.postings,
        **one_page_records(changes.pages),
        "page_index": listing,
        "page_notations": changes.notations,
    }


async def write_index(
    model: ModelCollections,
    changes: Changes,
    slugs: Iterable[Doc],
    *,
    also: Sequence[tuple[str, Iterable[Doc]]] = (),
    streams: int = STREAMS,
) -> None:
    """Every record of ``changes`` (from ``IndexRecords``), the ``slugs`` claimed and
    ``also`` (collection, one-page records) written into ``model``; records of many pages
    are merged with any already there, so only for a model nobody else writes meanwhile (a
    rebuild's fresh model, a preload with the services stopped). The largest collection
    goes first, so the streams end together."""
    parts: list[Iterator[Job]] = []
    for name, records in by_collection(changes).items():
        docs = ({"_id": i, **r} for i, r in records.items() if r is not None)
        write = insert_new if name in ONE_PAGE_RECORDS else insert_or_merge
        parts.append(chunks(model[name], docs, write))
    parts.append(chunks(model["page_slugs"], slugs, insert_new))
    parts += [chunks(model[name], docs, insert_new) for name, docs in also]
    await write_all((job for part in parts for job in part), streams)
