"""The inverted index of search: per folded word and day, the sort keys of its pages.

``t|<word>|<yyyy-mm-dd>`` holds ``h`` (the word is in the page's heading) and ``b`` (only in
its body), as the live indexer adds them (atomic ``$addToSet``); ``t|<word>|<yyyy-mm>``
holds ``p``, a whole month's two lists packed into one string by a rebuild or a preload
(``domain/index.py``). Readers take the union of both; a stale key leaves ``p`` by
compare-and-set. ``w|<word>`` holds the months that have postings of the word, so a query
reads only months where all its words occur. What a page was indexed under is kept in
``search_pages`` by page id, so a new version removes exactly its old entries; its words
are kept as one space-separated string per part (folded words hold no spaces), which the
store writes and reads as one value instead of one per word. The same record holds ``f``,
what ranking, filters and facet counts need of an indexed page, as one string
(``domain/search_facts.py``), so a search reads no page to rank its candidates; models
indexed before kept that string in ``search_facts`` by page id, still read for a record
without ``f``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.index import (
    day_of,
    days_newest_first,
    month_of,
    pack_postings,
    packed_term_id,
    term_id,
    unpack_postings,
    word_directory_id,
)
from services.portal.repositories.bulk import bulk_update
from services.portal.repositories.model import ModelCollections, as_model
from shared.kit.types import Doc

Postings = dict[str, tuple[set[str], set[str]]]  # word -> (heading keys, body keys)
IN_LIMIT = 1000
PACKED_RETRIES = 10
FACTS_READS = 4  # concurrent reads of one search's records (≤ 500 records, ≤ 1,000 a read)
FACTS_CHUNK = 50


def indexed_record(key: str, head: Sequence[str], body: Sequence[str], facts: str) -> Doc:
    """What a page is indexed under and its search record, as ``search_pages`` keeps them
    (without its ``_id``): one record a page, where two were written before."""
    return {"key": key, "head": " ".join(head), "body": " ".join(body), "f": facts}


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

    @property
    def facts(self) -> AsyncCollection[Doc]:
        """Search records of models indexed before they joined ``search_pages``."""
        return self._model["search_facts"]

    async def indexed_as(self, document_id: str) -> Doc | None:
        return await self.indexed.find_one({"_id": document_id})

    async def facts_for(self, ids: Sequence[str]) -> dict[str, object]:
        """The search record of each of these pages that has one: page id → its value.

        Read as a few ``_id $in`` at once: the store spends its time per record found, and
        converts the records of concurrent requests on several cores. A page indexed by
        an older model has it in ``search_facts`` instead, read only for those."""
        found, older = await self._facts_in(self.indexed, list(dict.fromkeys(ids)))
        if older:
            found.update((await self._facts_in(self.facts, older))[0])
        return found

    @staticmethod
    async def _facts_in(
        collection: AsyncCollection[Doc], ids: list[str]
    ) -> tuple[dict[str, object], list[str]]:
        """``f`` of the records found, and the ids of those found without one."""
        size = max(FACTS_CHUNK, -(-len(ids) // FACTS_READS))

        async def read(chunk: list[str]) -> list[Doc]:
            cursor = collection.find({"_id": {"$in": chunk}}, {"f": 1})
            return [d async for d in cursor]

        chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
        found: dict[str, object] = {}
        without: list[str] = []
        for part in await asyncio.gather(*(read(chunk) for chunk in chunks)):
            for doc in part:
                if "f" in doc:
                    found[str(doc["_id"])] = doc["f"]
                else:
                    without.append(str(doc["_id"]))
        return found, without

    async def index(
        self, document_id: str, key: str, head: list[str], body: list[str], *, facts: str
    ) -> None:
        """Add the page's entries and its search record, then drop the entries of what it
        was indexed as before."""
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
            {"_id": document_id}, indexed_record(key, head, body, facts), upsert=True
        )
        if before is not None:
            if "f" not in before:  # an older model's separate search record
                await self.facts.delete_one({"_id": document_id})
            await self._drop_stale(before, key, set(head), set(body))

    async def unindex(self, document_id: str) -> None:
        await self.facts.delete_one({"_id": document_id})
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
        await self._unpack_stale(old, gone_head, gone_body)

    async def _unpack_stale(self, key: str, head: Sequence[str], body: Sequence[str]) -> None:
        """Take ``key`` out of the packed lists (``p``, written by a rebuild) of these words'
        records: each rewritten by compare-and-set on the value read, again when another
        writer changed it first."""
        month = month_of(key)
        flags: dict[str, tuple[bool, bool]] = {}
        for word in head:
            flags[packed_term_id(word, month)] = (True, False)
        for word in body:
            in_head = flags.get(packed_term_id(word, month), (False, False))[0]
            flags[packed_term_id(word, month)] = (in_head, True)
        ids = list(flags)
        for start in range(0, len(ids), IN_LIMIT):
            chunk = ids[start : start + IN_LIMIT]
            async for doc in self.postings.find({"_id": {"$in": chunk}}, {"p": 1}):
                if "p" in doc:
                    record_id = str(doc["_id"])
                    flag = flags[record_id]
                    await self._unpack_one(record_id, month, doc["p"], key, flag)

    async def _unpack_one(
        self, record_id: str, month: str, packed: object, key: str, flags: tuple[bool, bool]
    ) -> None:
        for _ in range(PACKED_RETRIES):
            head, body = unpack_postings(month, packed)
            kept_head = [k for k in head if not (flags[0] and k == key)]
            kept_body = [k for k in body if not (flags[1] and k == key)]
            if len(kept_head) == len(head) and len(kept_body) == len(body):
                return
            changed = await self.postings.update_one(
                {"_id": record_id, "p": packed},
                {"$set": {"p": pack_postings(month, kept_head, kept_body)}},
            )
            if changed.matched_count:
                return
            current = await self.postings.find_one({"_id": record_id}, {"p": 1})
            if current is None:
                return
            packed = current.get("p")
        raise RuntimeError(f"{record_id} kept changing while a stale entry was taken out")

    async def months_of(self, words: Sequence[str]) -> list[str]:
        """Months in which every one of ``words`` has postings, newest first."""
        ids = [word_directory_id(w) for w in words]
        cursor = self.postings.find({"_id": {"$in": ids}})
        found = {d["_id"]: set(d.get("m", [])) async for d in cursor}
        if not ids or len(found) < len(set(ids)):
            return []
        return sorted(set.intersection(*found.values()), reverse=True)

    async def postings_for(self, words: Sequence[str], months: Sequence[str]) -> Postings:
        """For each word, its heading and body keys in these months: the packed month record
        and the day records of live additions."""
        ids = {term_id(w, d): (w, m) for w in words for m in months for d in days_newest_first(m)}
        ids.update({packed_term_id(w, m): (w, m) for w in words for m in months})
        found: Postings = {w: (set(), set()) for w in words}
        async for doc in self.postings.find({"_id": {"$in": list(ids)}}):
            word, month = ids[doc["_id"]]
            head, body = found[word]
            head.update(doc.get("h", []))
            body.update(doc.get("b", []))
            if "p" in doc:
                packed_head, packed_body = unpack_postings(month, doc["p"])
                head.update(packed_head)
                body.update(packed_body)
        return found
