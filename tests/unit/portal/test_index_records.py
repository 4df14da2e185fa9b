"""The index a rebuild builds in memory: a page remembered again replaces what it added,
and the records handed over batch after batch add up to those of the pages' last versions
built from scratch."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from services.portal.domain.index_records import IndexRecords
from services.portal.repositories.index_writes import by_collection
from services.portal.repositories.preload import make_page
from services.portal.repositories.terms import indexed_record, indexed_words

Store = dict[str, dict[str, Any]]


def apply(store: Store, index: IndexRecords) -> Store:
    """What a writer leaves in the store after writing ``index.changes()``."""
    for name, records in by_collection(index.changes()).items():
        collection = store.setdefault(name, {})
        for record_id, record in records.items():
            if record is None:
                collection.pop(record_id, None)
            else:
                collection[record_id] = record
    return store


def pages(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    end = dt.date(2025, 3, 5)
    return [make_page(n, end - dt.timedelta(days=n // 3), rng, "p") for n in range(count)]


def test_changes_written_batch_by_batch_equal_the_last_versions_written_at_once() -> None:
    first, second = pages(60, seed=1), pages(60, seed=2)
    for page in second[::3]:  # some pages are withdrawn from view in their last version
        page["visible"] = False
    for page in second[1::5]:  # some move to another day, month and year
        page["sort_key"] = "2024-12-31" + str(page["sort_key"])[10:]
    replayed, fresh = IndexRecords(), IndexRecords()
    store: Store = {}
    for n, page in enumerate(first + second):
        replayed.remember(page)
        if n % 7 == 0:
            apply(store, replayed)
    apply(store, replayed)
    for page in second:
        fresh.remember(page)
    assert store == apply({}, fresh)
    assert len(replayed) == len([p for p in second if p["visible"]])
    assert not replayed.changes()  # nothing changed since


def test_directories_and_facets_name_only_what_is_still_listed() -> None:
    page = pages(1, seed=3)[0]
    index = IndexRecords()
    index.remember(page)
    store = apply({}, index)
    assert "m|all|" in store["page_index"] and store["page_index"]["facets"]["types"] == [
        page["doc_type"]
    ]
    assert any(i.startswith("w|") for i in store["search_terms"])
    index.remember({**page, "visible": False})
    assert apply(store, index) == {
        "page_index": {},
        "page_notations": {},
        "search_terms": {},
        "search_pages": {},
    }


def test_search_pages_keep_words_as_one_string_and_old_lists_still_read() -> None:
    record = indexed_record("k", ["hop", "tac"], ["ho", "chieu"], '["k"]')
    assert record == {"key": "k", "head": "hop tac", "body": "ho chieu", "f": '["k"]'}
    assert indexed_words(record["head"]) == ["hop", "tac"]
    assert indexed_words(["hop", "tac"]) == ["hop", "tac"]
    assert indexed_words("") == [] and indexed_words(None) == []
