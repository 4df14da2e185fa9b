"""The inverted index of search: per folded word and month, the sort keys of its pages.

``t|<word>|<yyyy-mm-dd>`` holds ``h`` (the word is in the page's heading) and ``b`` (only in
its body); ``w|<word>`` holds the months that have postings of the word, so a query reads
only months where all its words occur. What a page was indexed under is kept in
``search_pages`` by page id, so a new version removes exactly its old entries; its words
are kept as one space-separated string per part (folded words hold no spaces), which the
store writes and reads as one value instead of one per word.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.index import (
    day_of,
    days_newest_first,
    month_of,
    term_id,
    word_directory_id,
)
from services.portal.repositories.bulk import bulk_update
from services.portal.repositories.model import ModelCollections, as_model
from shared.kit.types import Doc

Postings = dict[str, tuple[set[str], set[str]]]  # word -> (heading keys, body keys)


def indexed_record(key: str, head: Sequence[str], body: Sequence[str]) -> Doc:
    """What a page is indexed under, as ``search_pages`` keeps it (without its ``_id``)."""
    return {"key": key, "head": " ".join(head), "body": " ".join(body)}


def indexed_words(value: str | Sequence[str] | None) -> list[str]:
    """The words of a ``search_pages`` part (records written before were word lists)."""
    if isinstance(value, str):
        return value.split()
    return list(value or [])


def posting_updates(key: str, head: Sequence[str], body: Sequence[str], op: str) -> list[UpdateOne]:
    day = day_of(key)
    value: Any = key if op == "$addToSet" else [key]
    upsert = op == "$addToSet"
    return [
        UpdateOne({"_id": term_id(word, day)}, {op: {flag: value}}, upsert=upsert)
        for flag, words in (("h", head), ("b", body))
        for word in words
    ]


class TermRepository:
    def __init__(self, db: AsyncDatabase[Doc] | ModelCollections) -> None:
        self._model = as_model(db)

    @property
    def postings(self) -> AsyncCollection[Doc]:
        return self._model["search_terms"]

    @property
    def indexed(self) -> AsyncCollection[Doc]:
        return self._model["search_pages"]

    async def indexed_as(self, document_id: str) -> Doc | None:
        return await self.indexed.find_one({"_id": document_id})

    async def index(self, document_id: str, key: str, head: list[str], body: list[str]) -> None:
        """Add the page's entries, then drop those of what it was indexed as before."""
        before = await self.indexed_as(document_id)
        month = month_of(key)
        directories = [
            UpdateOne({"_id": word_directory_id(w)}, {"$addToSet": {"m": month}}, upsert=True)
            for w in [*head, *body]
        ]
        await bulk_update(
            self.postings, posting_updates(key, head, body, "$addToSet") + directories
        )
        await self.indexed.replace_one(
            {"_id": document_id}, indexed_record(key, head, body), upsert=True
        )
        if before is not None:
            await self._drop_stale(before, key, set(head), set(body))

    async def unindex(self, document_id: str) -> None:
        before = await self.indexed_as(document_id)
        if before is not None:
            await self._drop_stale(before, "", set(), set())
            await self.indexed.delete_one({"_id": document_id})

    async def _drop_stale(self, before: Doc, key: str, head: set[str], body: set[str]) -> None:
        old = str(before["key"])
        same = old == key
        gone_head = [w for w in indexed_words(before.get("head")) if not (same and w in head)]
        gone_body = [w for w in indexed_words(before.get("body")) if not (same and w in body)]
        await bulk_update(self.postings, posting_updates(old, gone_head, gone_body, "$pullAll"))

    async def months_of(self, words: Sequence[str]) -> list[str]:
        """Months in which every one of ``words`` has postings, newest first."""
        ids = [word_directory_id(w) for w in words]
        cursor = self.postings.find({"_id": {"$in": ids}})
        found = {d["_id"]: set(d.get("m", [])) async for d in cursor}
        if not ids or len(found) < len(set(ids)):
            return []
        return sorted(set.intersection(*found.values()), reverse=True)

    async def postings_for(self, words: Sequence[str], months: Sequence[str]) -> Postings:
        """For each word, its heading and body keys in these months (read day by day)."""
        ids = {term_id(w, d): w for w in words for m in months for d in days_newest_first(m)}
        found: Postings = {w: (set(), set()) for w in words}
        async for doc in self.postings.find({"_id": {"$in": list(ids)}}):
            head, body = found[ids[doc["_id"]]]
            head.update(doc.get("h", []))
            body.update(doc.get("b", []))
        return found
