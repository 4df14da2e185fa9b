"""The administrators' delivery list: newest first by default, filters, paging, and bounded
reads that hand back a cursor instead of scanning the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import AsyncMongoClient

from services.lgsp.app import create_app
from services.lgsp.domain.deliveries import DeliveryFilter, JobState, ListOrder, ListPosition
from services.lgsp.repositories import DeliveryRepository
from services.lgsp.repositories.deliveries import new_job
from services.lgsp.repositories.meta import MetaRepository
from services.lgsp.services import delivery_listing
from services.lgsp.services.delivery_listing import DeliveryListing
from shared.http.pagination import encode_cursor
from tests.integration.lgsp.support import ADMIN, lgsp_settings
from tests.support.infra import mongo_url
from tests.support.services import running_app

NOW = dt.datetime.now(dt.UTC)
HORIZON_S = 40 * 86400.0


async def _job(
    repo: DeliveryRepository,
    event_id: str,
    partner_id: str,
    minutes_ago: float,
    *,
    document_id: str = "d1",
    state: JobState = JobState.DELIVERED,
) -> str:
    created = NOW - dt.timedelta(minutes=minutes_ago)
    doc = new_job(
        delivery_id=f"{event_id}:{partner_id}",
        event_id=event_id,
        event_type="document.published",
        partner={"_id": partner_id, "code": f"code-{partner_id}", "webhook_url": "https://x"},
        document_id=document_id,
        priority=0,
        attachments=[],
        now=created,
        give_up_at=created + dt.timedelta(days=3),
        publish_status=False,
    )
    assert await repo.insert(doc)
    if state is not JobState.PENDING:
        await repo.collection.update_one({"_id": doc["_id"]}, {"$set": {"state": state.value}})
        await repo.active.remove_stale(doc["_id"], None)
    return str(doc["_id"])


async def _all(
    listing: DeliveryListing, filters: DeliveryFilter, order: ListOrder, limit: int
) -> tuple[list[str], int]:
    """Every id the list gives, page after page, and how many pages it took."""
    ids: list[str] = []
    after: ListPosition | None = None
    for pages in range(1, 100):
        jobs, after = await listing.page(filters, order, after, limit)
        ids += [j["_id"] for j in jobs]
        if after is None:
            return ids, pages
    raise AssertionError("the list never ended")


async def test_the_list_is_newest_first_filtered_and_paged(db: Any) -> None:
    repo = DeliveryRepository(db)
    listing = DeliveryListing(repo, MetaRepository(db), HORIZON_S)
    oldest = await _job(repo, "e1", "p1", 300, document_id="d-old")
    middle = await _job(repo, "e2", "p2", 60, state=JobState.DEAD)
    same_minute = [await _job(repo, "e3", p, 5) for p in ("p1", "p2", "p3")]
    newest = await _job(repo, "e4", "p1", 0.5, document_id="d-new")
    pending = await _job(repo, "e5", "p2", 0.2, state=JobState.PENDING)

    everything, _ = await _all(listing, DeliveryFilter(), ListOrder.NEWEST, 50)
    by_minute_newest = [pending, newest, *sorted(same_minute, reverse=True), middle, oldest]
    assert everything == by_minute_newest
    paged, pages = await _all(listing, DeliveryFilter(), ListOrder.NEWEST, 2)
    assert paged == by_minute_newest and pages >= 3
    backwards, _ = await _all(listing, DeliveryFilter(), ListOrder.OLDEST, 2)
    assert backwards == list(reversed(by_minute_newest))

    p1, _ = await _all(listing, DeliveryFilter(partner_id="p1"), ListOrder.NEWEST, 50)
    assert p1 == [newest, "e3:p1", oldest]
    dead, _ = await _all(listing, DeliveryFilter(state=JobState.DEAD), ListOrder.NEWEST, 50)
    assert dead == [middle]
    doc, _ = await _all(listing, DeliveryFilter(document_id="d-old"), ListOrder.NEWEST, 50)
    assert doc == [oldest]

    # Open jobs come from the active set, sorted by creation.
    await _job(repo, "e6", "p3", 30, state=JobState.PENDING)
    opened, _ = await _all(listing, DeliveryFilter(state=JobState.PENDING), ListOrder.NEWEST, 1)
    assert opened == [pending, "e6:p3"]
    opened, _ = await _all(listing, DeliveryFilter(state=JobState.PENDING), ListOrder.OLDEST, 1)
    assert opened == ["e6:p3", pending]


async def test_a_job_created_again_in_a_later_minute_is_listed_once(db: Any) -> None:
    """A replay or a redelivered event meets its job a minute (or a day) later: the second
    insert is refused and leaves no entry behind in the later minute's bucket."""
    repo = DeliveryRepository(db)
    listing = DeliveryListing(repo, MetaRepository(db), HORIZON_S)
    first = await _job(repo, "e1", "p1", 3)
    again = new_job(
        delivery_id=first,
        event_id="e1",
        event_type="document.published",
        partner={"_id": "p1", "code": "code-p1", "webhook_url": "https://x"},
        document_id="d1",
        priority=0,
        attachments=[],
        now=NOW,
        give_up_at=NOW + dt.timedelta(days=3),
        publish_status=False,
    )
    assert not await repo.insert(again)
    everything, _ = await _all(listing, DeliveryFilter(), ListOrder.NEWEST, 50)
    assert everything == [first]


async def test_a_page_stops_after_its_reads_and_hands_back_where_to_go_on(
    db: Any, monkeypatch: Any
) -> None:
    repo = DeliveryRepository(db)
    listing = DeliveryListing(repo, MetaRepository(db), HORIZON_S)
    old = await _job(repo, "e-old", "p1", 20 * 24 * 60, document_id="d-far")
    for n in range(5):
        await _job(repo, f"e{n}", "p2", n)
    monkeypatch.setattr(delivery_listing, "MAX_EXAMINED", 2)
    monkeypatch.setattr(delivery_listing, "MAX_BUCKET_READS", 3)

    # Five recent jobs of another document, two looked at a page: short pages, then on.
    jobs, after = await listing.page(
        DeliveryFilter(document_id="d-far"), ListOrder.NEWEST, None, 50
    )
    assert jobs == [] and after is not None
    found, pages = await _all(listing, DeliveryFilter(document_id="d-far"), ListOrder.NEWEST, 50)
    assert found == [old]
    # 5 recent jobs at 2 a page, then 3 reads (3,000 minutes) a page back to 20 days.
    assert pages > 3

    # Past the horizon nothing is walked: the list ends.
    short = DeliveryListing(repo, MetaRepository(db), 86400.0)
    assert (await _all(short, DeliveryFilter(document_id="d-far"), ListOrder.NEWEST, 50))[0] == []


async def test_the_api_lists_newest_first_and_takes_order_and_filters(topic_suffix: str) -> None:
    settings = lgsp_settings(topic_suffix)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url(), tz_aware=True)
    try:
        async with running_app(create_app, settings) as client:
            repo = DeliveryRepository(mongo[settings.database_name()])
            first = await _job(repo, "e-first", "p1", 10)
            second = await _job(repo, "e-second", "p1", 1, document_id="d2")

            async def listed(**params: str) -> list[str]:
                response = await client.get("/api/v1/deliveries", params=params, headers=ADMIN)
                assert response.status_code == 200, response.text
                return [item["id"] for item in response.json()["items"]]

            assert await listed() == [second, first]
            assert await listed(order="oldest") == [first, second]
            assert await listed(document_id="d2") == [second]
            assert await listed(partner_id="p2") == []
            page = await client.get("/api/v1/deliveries?limit=1", headers=ADMIN)
            cursor = page.json()["next_cursor"]
            assert await listed(limit="1", cursor=cursor) == [first]
            of_open_jobs = encode_cursor({"k": "20260101000000000000", "i": first})
            bad_minute = encode_cursor({"k": "999999999999", "i": None})
            for bad in ({"order": "sideways"}, {"cursor": bad_minute}, {"cursor": of_open_jobs}):
                refused = await client.get("/api/v1/deliveries", params=bad, headers=ADMIN)
                assert refused.status_code in (400, 422), refused.text
                assert refused.headers["content-type"] == "application/problem+json"
    finally:
        await mongo.close()
