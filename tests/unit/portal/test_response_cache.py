"""The per-replica cache of rendered pages: reused for a moment, forgotten on change."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from services.portal.api.cache import ResponseCache


def request(path: str, query: str = "") -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode()}
    scope.update(headers=[], server=("t", 80), scheme="http", root_path="")
    return Request(scope)


async def test_a_page_is_rendered_once_then_reused_until_cleared() -> None:
    cache = ResponseCache(ttl_s=60)
    calls: list[str] = []

    async def render() -> Response:
        calls.append("x")
        return HTMLResponse(f"<p>{len(calls)}</p>")

    first = await cache.get(request("/van-ban", "type=a"), render)
    again = await cache.get(request("/van-ban", "type=a"), render)
    other = await cache.get(request("/van-ban", "type=b"), render)
    assert first.body == again.body == b"<p>1</p>" and other.body == b"<p>2</p>"
    assert again.headers["content-type"].startswith("text/html")
    cache.clear()
    assert (await cache.get(request("/van-ban", "type=a"), render)).body == b"<p>3</p>"


async def test_errors_are_never_kept_and_a_zero_ttl_turns_it_off() -> None:
    cache = ResponseCache(ttl_s=60)
    calls: list[int] = []

    async def missing() -> Response:
        calls.append(1)
        return HTMLResponse("gone", status_code=404)

    await cache.get(request("/x"), missing)
    await cache.get(request("/x"), missing)
    off = ResponseCache(ttl_s=0)
    await off.get(request("/y"), missing)
    assert len(calls) == 3
