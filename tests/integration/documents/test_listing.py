"""Staff listings walk day buckets newest-first and never read more than a page's bound."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.documents.repositories import documents as repo_module
from services.documents.repositories.documents import DocumentRepository


def _id_at(day: dt.datetime, n: int) -> str:
    return f"{int(day.timestamp() * 1000) + n:012x}{n:012x}"


async def _store(repo: DocumentRepository, days_ago: int, count: int, unit: str) -> list[str]:
    day = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    ids = [_id_at(day, n) for n in range(count)]
    for document_id in ids:
        await repo.insert({"_id": document_id, "drafting_unit": unit, "version": 1})
    return ids


async def test_pages_follow_each_other_across_days_newest_first(db: AsyncDatabase[Any]) -> None:
    repo = DocumentRepository(db)
    old = await _store(repo, 40, 3, "CNTT")
    recent = await _store(repo, 1, 4, "CNTT")
    await _store(repo, 0, 2, "VP")
    wanted = sorted(old + recent, reverse=True)

    def accepts(doc: dict[str, Any]) -> bool:
        return bool(doc["drafting_unit"] == "CNTT")

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        page, cursor = await repo.walk_newest_first(accepts, cursor, 3)
        seen.extend(str(d["_id"]) for d in page)
        if cursor is None:
            break
    assert seen == wanted


async def test_a_filter_matching_little_gets_a_cursor_instead_of_a_scan(
    db: AsyncDatabase[Any], monkeypatch: Any
) -> None:
    monkeypatch.setattr(repo_module, "MAX_EXAMINED", 5)
    repo = DocumentRepository(db)
    ids = await _store(repo, 0, 12, "VP")
    newest_first = sorted(ids, reverse=True)
    # At most MAX_EXAMINED documents a request; the cursor resumes right after the last one.
    page, cursor = await repo.walk_newest_first(lambda d: False, None, 10)
    assert page == [] and cursor == newest_first[4]
    page, cursor = await repo.walk_newest_first(lambda d: False, cursor, 10)
    assert page == [] and cursor == newest_first[9]
    assert await repo.walk_newest_first(lambda d: False, cursor, 10) == ([], None)


async def test_a_filter_that_matches_nothing_over_sparse_history_pages_by_the_year(
    db: AsyncDatabase[Any],
) -> None:
    """Six years of days with one document at each end: a request reads at most a year of
    day buckets and hands back a cursor, so its cost never grows with how far history goes."""
    repo = DocumentRepository(db)
    oldest = await _store(repo, 6 * 366, 1, "CNTT")
    await _store(repo, 0, 1, "CNTT")
    cursor: str | None = None
    pages = 0
    found: list[str] = []
    while True:
        items, cursor = await repo.walk_newest_first(
            lambda doc: doc["drafting_unit"] == "VP", cursor, 20
        )
        found += [str(d["_id"]) for d in items]
        pages += 1
        if cursor is None:
            break
        assert repo_module.day_of(cursor) <= dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    assert found == [] and 6 <= pages <= 9
    # The same walk finds the oldest document when the filter accepts it.
    cursor, everything = None, []
    while True:
        items, cursor = await repo.walk_newest_first(lambda doc: True, cursor, 20)
        everything += [str(d["_id"]) for d in items]
        if cursor is None:
            break
    assert everything[-1] == oldest[0] and len(everything) == 2
