"""News: portal editors write with If-Match; everyone reads; deleted articles are 410."""

from __future__ import annotations

from tests.integration.portal.conftest import Portal
from tests.support.services import auth

EDITOR = auth("portal_editor", user="bientap")


async def test_an_editor_publishes_edits_and_deletes_news(portal: Portal) -> None:
    article = {"title": "Ra mắt Cổng thông tin điện tử", "summary": "Tóm tắt", "body": "Nội dung"}
    created = await portal.client.post("/api/v1/news", json=article, headers=EDITOR)
    assert created.status_code == 201, created.text
    news = created.json()
    assert created.headers["etag"] == '"1"'
    assert news["slug"].startswith("ra-mat-cong-thong-tin-dien-tu")

    listed = (await portal.client.get("/api/v1/news")).json()["items"]
    assert news["id"] in {n["id"] for n in listed}
    assert news["title"] in (await portal.client.get("/tin-tuc")).text
    assert "Nội dung" in (await portal.client.get(news["url"])).text

    path = f"/api/v1/news/{news['id']}"
    change = {"title": "Ra mắt ba hệ thống"}
    missing = await portal.client.patch(path, json=change, headers=EDITOR)
    assert missing.status_code == 428
    stale = await portal.client.patch(path, json=change, headers={**EDITOR, "If-Match": '"9"'})
    assert stale.status_code == 412
    updated = await portal.client.patch(path, json=change, headers={**EDITOR, "If-Match": '"1"'})
    assert updated.status_code == 200 and updated.json()["title"] == "Ra mắt ba hệ thống"
    assert updated.headers["etag"] == '"2"'

    stale_delete = await portal.client.delete(path, headers={**EDITOR, "If-Match": '"1"'})
    assert stale_delete.status_code == 412
    deleted = await portal.client.delete(path, headers={**EDITOR, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await portal.client.get(path)).status_code == 404
    gone = await portal.client.get(news["url"])
    assert gone.status_code == 410
    assert "Trang đã bị gỡ bỏ" in gone.text


async def test_only_portal_editors_may_write_news(portal: Portal) -> None:
    article = {"title": "Không được phép"}
    anonymous = await portal.client.post("/api/v1/news", json=article)
    assert anonymous.status_code == 401
    clerk = await portal.client.post("/api/v1/news", json=article, headers=auth("clerk"))
    assert clerk.status_code == 403


async def test_the_same_idempotency_key_creates_one_article(portal: Portal) -> None:
    article = {"title": "Tin một lần", "language": "en"}
    headers = {**EDITOR, "Idempotency-Key": "news-key-1"}
    first = (await portal.client.post("/api/v1/news", json=article, headers=headers)).json()
    again = (await portal.client.post("/api/v1/news", json=article, headers=headers)).json()
    assert first["id"] == again["id"]
    other = await portal.client.post("/api/v1/news", json={"title": "Khác"}, headers=headers)
    assert other.status_code == 422
    assert first["title"] in (await portal.client.get("/en/news")).text


async def test_invalid_news_gets_a_problem(portal: Portal) -> None:
    bad = await portal.client.post("/api/v1/news", json={"title": ""}, headers=EDITOR)
    assert bad.status_code == 422
    extra = await portal.client.post(
        "/api/v1/news", json={"title": "x", "html": "<b>"}, headers=EDITOR
    )
    assert extra.status_code == 422
