"""The demo news article is posted through the editor API, once however often it runs."""

from __future__ import annotations

from services.portal.demo import LAUNCH, load_demo
from tests.integration.portal.conftest import Portal


async def test_loading_the_demo_news_twice_publishes_one_article(portal: Portal) -> None:
    transport = portal.client._transport  # the app under test, in-process
    await load_demo("http://testserver", transport=transport)
    await load_demo("http://testserver", transport=transport)
    items = (await portal.client.get("/api/v1/news")).json()["items"]
    assert [n["title"] for n in items].count(LAUNCH["title"]) == 1
    article = next(n for n in items if n["title"] == LAUNCH["title"])
    page = await portal.client.get(article["url"])
    assert "1637/QĐ-BNG" in page.text
