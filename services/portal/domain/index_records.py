"""Every index record of many pages, built in memory (a rebuild's fresh model, a preload).

The records are the ones the live projection keeps one page at a time (list buckets and
their month directories, facet values, notations, search postings and their word
directories, what each page was indexed under and its search record), but gathered so
they can be written once, in bulk (a day's postings of a word packed into one string). A
page remembered again replaces what it contributed before, so the records always describe
the last version of every page; month directories and facet values are derived from what
is still listed, so they name no month or value without a page.

``changes()`` hands over the records changed since it was last called (each as it is now,
or None when it is empty), so a rebuild writes them while it replays, batch after batch,
instead of all at the end.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from services.portal.domain.index import (
    bucket_id,
    day_of,
    directory_id,
    facet_pairs,
    issuer_entry,
    month_of,
    notation_key,
    pack_postings,
    packed_term_id,
    page_terms,
    word_directory_id,
)
from services.portal.domain.search_facts import facts_text
from shared.kit.types import Doc

Terms = tuple[list[str], list[str]]  # heading words, body-only words
Lists = tuple[set[str], set[str]]  # heading keys, body-only keys
FACET_FIELDS = ("types", "years", "fields", "issuers", "issuer_names")


@dataclass(frozen=True, slots=True)
class Indexed:
    """What one visible page contributes to the index (enough to take it back out)."""

    key: str
    pairs: tuple[tuple[str, str], ...]
    facets: tuple[tuple[str, Any], ...]
    notation: str
    head: tuple[str, ...]
    body: tuple[str, ...]
    facts: str


def facet_values(page: Doc) -> tuple[tuple[str, Any], ...]:
    """The dropdown values a visible page adds (as the live ``entry_updates`` does)."""
    values: list[tuple[str, Any]] = [("types", page["doc_type"]), ("years", page["year"])]
    if page.get("field"):
        values.append(("fields", page["field"]))
    issuer = page.get("issuer") or {}
    if issuer.get("code"):
        values += [("issuers", issuer["code"]), ("issuer_names", issuer_entry(issuer))]
    return tuple(values)


def _entered(months: Counter[str], month: str) -> bool:
    """One more day of ``month`` has entries; True when it is the month's first."""
    months[month] += 1
    return months[month] == 1


def _left(months: Counter[str], month: str) -> bool:
    """A day of ``month`` has no entries left; True when none of the month's has."""
    months[month] -= 1
    return months[month] == 0


@dataclass
class Changes:
    """Records changed since the last ``changes()``: id → the record now (without its
    ``_id``), or None when it no longer holds anything."""

    listing: dict[str, Doc | None] = field(default_factory=dict)
    facets: Doc | None = None  # the facet values now, when they changed ({} = none left)
    notations: dict[str, Doc | None] = field(default_factory=dict)
    postings: dict[str, Doc | None] = field(default_factory=dict)
    pages: dict[str, Indexed | None] = field(default_factory=dict)

    def __len__(self) -> int:
        return (
            len(self.listing)
            + len(self.notations)
            + len(self.postings)
            + len(self.pages)
            + (self.facets is not None)
        )


class IndexRecords:
    def __init__(self) -> None:
        # (facet, value) -> day -> sort keys listed that day
        self._buckets: dict[tuple[str, str], dict[str, set[str]]] = {}
        # month -> word -> (heading keys, body-only keys), written packed a month a record;
        # month first, so a page's words are looked up in one dict and marked in one call
        self._postings: dict[str, dict[str, Lists]] = {}
        self._word_months: dict[str, set[str]] = {}  # word -> months it has keys in
        # months with entries: (facet, value) or word -> month -> days with entries
        self._bucket_months: dict[tuple[str, str], Counter[str]] = {}
        self._notations: dict[str, set[str]] = {}
        self._facets: dict[str, Counter[Any]] = {name: Counter() for name in FACET_FIELDS}
        self._pages: dict[str, Indexed] = {}
        # What changed since the last ``changes()``.
        self._dirty_buckets: set[tuple[tuple[str, str], str]] = set()
        self._dirty_directories: set[tuple[str, str]] = set()
        self._dirty_postings: dict[str, set[str]] = {}  # month -> words
        self._dirty_words: set[str] = set()
        self._dirty_notations: set[str] = set()
        self._dirty_pages: set[str] = set()
        self._dirty_facets = False

    def __len__(self) -> int:
        return len(self._pages)

    def remember(self, page: Doc, body: str | None = None) -> None:
        """Index the page as it is now: listed and searchable when visible, else nowhere
        (``body``: its body's text when the caller has it, else read from the signed copy)."""
        page_id = str(page["_id"])
        self.drop(page_id)
        if page.get("visible") and page.get("sort_key"):
            self._add(page_id, page, page_terms(page, body))

    def drop(self, page_id: str) -> None:
        entry = self._pages.pop(page_id, None)
        if entry is None:
            return
        self._dirty_pages.add(page_id)
        day = day_of(entry.key)
        for pair in entry.pairs:
            keys = self._buckets[pair][day]
            keys.discard(entry.key)
            self._dirty_buckets.add((pair, day))
            if not keys and _left(self._bucket_months[pair], month_of(day)):
                self._dirty_directories.add(pair)
        for name, value in entry.facets:
            self._facets[name][value] -= 1
            self._dirty_facets |= self._facets[name][value] == 0
        self._notations[entry.notation].discard(page_id)
        self._dirty_notations.add(entry.notation)
        month = month_of(day)
        postings = self._postings[month]
        self._dirty_postings.setdefault(month, set()).update(entry.head, entry.body)
        for flag, words in ((0, entry.head), (1, entry.body)):
            for word in words:
                lists = postings[word]
                lists[flag].discard(entry.key)
                if not (lists[0] or lists[1]):
                    self._word_months[word].discard(month)
                    self._dirty_words.add(word)

    def _add(self, page_id: str, page: Doc, terms: Terms) -> None:
        key = sys.intern(str(page["sort_key"]))
        day, month = day_of(key), month_of(key)
        pairs = tuple(facet_pairs(page))
        for pair in pairs:
            keys = self._buckets.setdefault(pair, {}).setdefault(day, set())
            if not keys and _entered(self._bucket_months.setdefault(pair, Counter()), month):
                self._dirty_directories.add(pair)
            keys.add(key)
            self._dirty_buckets.add((pair, day))
        facets = facet_values(page)
        for name, value in facets:
            self._facets[name][value] += 1
            self._dirty_facets |= self._facets[name][value] == 1
        notation = notation_key(str(page["notation"]))
        self._notations.setdefault(notation, set()).add(page_id)
        self._dirty_notations.add(notation)
        head, body = tuple(terms[0]), tuple(terms[1])
        postings = self._postings.get(month)
        if postings is None:
            postings = self._postings[month] = {}
        self._dirty_postings.setdefault(month, set()).update(head, body)
        for flag, words in ((0, head), (1, body)):
            for word in words:
                lists = postings.get(word)
                if lists is None or not (lists[0] or lists[1]):
                    lists = self._open(postings, word, month)
                lists[flag].add(key)
        self._pages[page_id] = Indexed(key, pairs, facets, notation, head, body, facts_text(page))
        self._dirty_pages.add(page_id)

    def _open(self, postings: dict[str, Lists], word: str, month: str) -> Lists:
        """The posting lists of ``word`` in ``month``, which are about to get their first
        key: the word's month directory changes."""
        lists = postings.get(word)
        if lists is None:
            lists = postings[word] = (set(), set())
        self._word_months.setdefault(word, set()).add(month)
        self._dirty_words.add(word)
        return lists

    def pages(self) -> Iterator[tuple[str, Indexed]]:
        """Every indexed (visible) page and what it is indexed under."""
        return iter(self._pages.items())

    def page_changes(self) -> dict[str, Indexed | None]:
        """What each page changed since the last call is indexed under (None: nothing any
        more), the records of one page each; ``changes()`` then leaves them out."""
        found = {page_id: self._pages.get(page_id) for page_id in self._dirty_pages}
        self._dirty_pages = set()
        return found

    def changes(self) -> Changes:
        """The records changed since the last call, as they are now (then none are)."""
        found = Changes()
        for pair, day in self._dirty_buckets:
            keys = self._buckets[pair][day]
            found.listing[bucket_id(*pair, day)] = {"e": sorted(keys)} if keys else None
        for pair in self._dirty_directories:
            months = sorted(m for m, days in self._bucket_months[pair].items() if days)
            found.listing[directory_id(*pair)] = {"m": months} if months else None
        if self._dirty_facets:
            found.facets = self.facets()
        for notation in self._dirty_notations:
            ids = self._notations[notation]
            found.notations[notation] = {"ids": sorted(ids)} if ids else None
        for month, words in self._dirty_postings.items():
            postings = self._postings[month]
            for word in words:
                head, body = postings[word]
                packed = {"p": pack_postings(month, head, body)} if head or body else None
                found.postings[packed_term_id(word, month)] = packed
        for word in self._dirty_words:
            months = sorted(self._word_months[word])
            found.postings[word_directory_id(word)] = {"m": months} if months else None
        for page_id in self._dirty_pages:
            found.pages[page_id] = self._pages.get(page_id)
        self._dirty_buckets, self._dirty_directories = set(), set()
        self._dirty_postings, self._dirty_words = {}, set()
        self._dirty_notations, self._dirty_pages = set(), set()
        self._dirty_facets = False
        return found

    def facets(self) -> Doc:
        """The dropdown values of the visible pages (empty when nothing is visible)."""
        found: Doc = {}
        for name, counts in self._facets.items():
            values = sorted(v for v, n in counts.items() if n > 0)
            if values:
                found[name] = values
        return found
