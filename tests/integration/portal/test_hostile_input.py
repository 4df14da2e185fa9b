"""Regression tests of the portal's hostile-input findings, on the running portal: no 5xx
from a query string or header, and searches limited per client."""

from __future__ import annotations

import httpx
import pytest

from services.portal.app import create_app
from shared.auth.principal import Role
from tests.integration.portal.conftest import Portal, portal_settings
from tests.support.services import auth, running_app

pytestmark = pytest.mark.integration
EDITOR = auth(Role.PORTAL_EDITOR, user="editor")


def problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


@pytest.mark.parametrize("year", ["%C2%B9", "%D9%A2%D9%A0%D9%A2%D9%A5", "2025%C2%B9"])
async def test_a_year_of_unicode_digits_is_400_not_500(portal: Portal, year: str) -> None:
    problem(await portal.client.get(f"/api/v1/documents?year={year}"), 400)


async def test_a_huge_if_match_is_412_not_500(portal: Portal) -> None:
    created = await portal.client.post(
        "/api/v1/news",
        json={"title": "Tin thử", "body": "Nội dung", "language": "vi"},
        headers=EDITOR,
    )
    assert created.status_code == 201, created.text
    news_id = created.json()["id"]
    huge = {**EDITOR, "If-Match": '"99999999999999999999"'}
    problem(
        await portal.client.patch(f"/api/v1/news/{news_id}", json={"title": "x"}, headers=huge),
        412,
    )
    problem(await portal.client.delete(f"/api/v1/news/{news_id}", headers=huge), 412)


async def test_a_cursor_with_a_huge_number_is_400(portal: Portal) -> None:
    cursor = "eyJhZnRlciI6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTl9"
    problem(await portal.client.get(f"/api/v1/news?cursor={cursor}"), 400)
    problem(await portal.client.get(f"/api/v1/documents?cursor={cursor}"), 400)


async def test_control_characters_in_news_are_refused(portal: Portal) -> None:
    response = await portal.client.post(
        "/api/v1/news",
        json={"title": "Tin\x1b[2J", "body": "a\x00b", "language": "vi"},
        headers=EDITOR,
    )
    problem(response, 422)


async def test_an_anonymous_body_is_refused_before_it_is_read(portal: Portal) -> None:
    async def endless() -> object:
        for _ in range(60):  # 60 MB if it were read
            yield b"x" * (1024 * 1024)

    problem(await portal.client.post("/api/v1/news", content=endless()), 401)
    big = await portal.client.post(
        "/api/v1/news", content=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers=EDITOR
    )
    problem(big, 413)


async def test_searches_past_the_limit_get_429_with_retry_after(portal: Portal) -> None:
    settings = portal_settings(portal.suffix, portal.documents.url, search_rate_per_min=3)
    async with running_app(create_app, settings) as client:
        for _ in range(3):
            assert (await client.get("/api/v1/documents?q=quyet+dinh")).status_code == 200
        refused = await client.get("/api/v1/documents?q=quyet+dinh")
        problem(refused, 429)
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert (await client.get("/api/v1/documents")).status_code == 200  # browsing is free
