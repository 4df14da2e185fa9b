"""Regression tests of the hostile-input findings that live in shared HTTP code."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import ValidationError
from starlette.middleware import Middleware

from shared.http.body_limit import BodyLimitMiddleware, BodyRule
from shared.http.concurrency import required_version
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import ProblemError, install_problem_handlers
from shared.http.rate_limit import LocalWindowCounter, RateLimit, RateLimiter
from shared.http.text import TextBody, forbidden_character


def cursor_of(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("header", ['"99999999999999999999"', '"¹"', '"١٢"', 'W/"1e3"'])
def test_an_if_match_that_is_no_storable_version_is_412_not_a_database_error(
    header: str,
) -> None:
    with pytest.raises(ProblemError) as refused:
        required_version(header)
    assert refused.value.status == 412


def test_an_ordinary_if_match_is_the_version() -> None:
    assert required_version('W/"42"') == 42


@pytest.mark.parametrize(
    "raw",
    [
        '{"after":99999999999999999999999999}',
        '{"before":-99999999999999999999999999}',
        '{"after":NaN}',
        '{"after":Infinity}',
        "[1]",
    ],
)
def test_a_cursor_carrying_a_number_no_database_can_hold_is_400(raw: str) -> None:
    with pytest.raises(ProblemError) as refused:
        decode_cursor(cursor_of(raw))
    assert refused.value.status == 400


def test_a_cursor_made_by_the_service_still_decodes() -> None:
    assert decode_cursor(encode_cursor({"after": 2**62, "i": "x"})) == {"after": 2**62, "i": "x"}


class Note(TextBody):
    subject: str
    lines: tuple[str, ...] = ()


@pytest.mark.parametrize(
    "bad", ["a\x01b", "\x1b[31mred", "nul\x00", "Quyết định \u202efdp.exe", "\x85"]
)
def test_control_and_bidi_override_characters_are_refused_in_text(bad: str) -> None:
    with pytest.raises(ValidationError, match="control character"):
        Note(subject=bad)
    with pytest.raises(ValidationError, match=r"lines\[1\]"):
        Note(subject="ok", lines=("ok", bad))


def test_ordinary_text_with_line_breaks_and_vietnamese_passes() -> None:
    note = Note(subject="Về việc\ttổ chức\r\nhội nghị", lines=("Điều 1.",))
    assert note.subject.startswith("Về việc")
    assert forbidden_character("Đà Nẵng") is None


async def test_the_rate_limit_answers_429_with_retry_after_past_the_limit() -> None:
    now = [1000.0]
    limiter = RateLimiter(LocalWindowCounter(), RateLimit(3, 60), clock=lambda: now[0])
    for _ in range(3):
        await limiter.check("client|1.2.3.4")
    await limiter.check("client|5.6.7.8")  # another client has its own count
    with pytest.raises(ProblemError) as refused:
        await limiter.check("client|1.2.3.4")
    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"] == "20"  # the window ends at 1020
    now[0] = 1021.0
    await limiter.check("client|1.2.3.4")  # a new window


async def test_the_local_counter_forgets_the_oldest_clients_past_its_bound() -> None:
    counter = LocalWindowCounter(max_keys=2)
    for key in ("a", "b", "c"):
        await counter.hit(key, 0)
    assert await counter.hit("a", 0) == 1  # "a" was forgotten, not kept for ever


def limited_app(reads: list[int]) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/staff")
    async def staff(request: Request) -> dict[str, Any]:
        body = await request.body()
        reads.append(len(body))
        return {"n": len(body)}

    @app.post("/open")
    async def open_route(request: Request) -> dict[str, Any]:
        return {"n": len(await request.body())}

    app.user_middleware.append(
        Middleware(
            BodyLimitMiddleware,
            default_max_bytes=100,
            rules=[BodyRule(r"/open", 1000)],
            anonymous=[r"/open"],
        )
    )
    return app


async def test_a_body_without_credentials_is_refused_before_it_is_read() -> None:
    reads: list[int] = []
    transport = httpx.ASGITransport(app=limited_app(reads))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        anonymous = await client.post("/staff", content=b"x" * 50)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        credentialed = await client.post("/staff", content=b"x" * 50, headers={"X-API-Key": "k"})
        assert credentialed.status_code == 200
        assert (await client.post("/nowhere", content=b"x")).status_code == 404  # its own answer
    assert reads == [50]


async def test_a_body_over_its_route_limit_is_413_declared_or_streamed() -> None:
    reads: list[int] = []
    transport = httpx.ASGITransport(app=limited_app(reads))
    auth = {"Authorization": "Bearer t"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        declared = await client.post("/staff", content=b"x" * 101, headers=auth)
        assert declared.status_code == 413
        assert declared.json()["status"] == 413

        async def chunks() -> Any:
            for _ in range(10):
                yield b"x" * 30

        streamed = await client.post("/staff", content=chunks(), headers=auth)
        assert streamed.status_code == 413
        larger = await client.post("/open", content=b"x" * 900)
        assert larger.status_code == 200  # its route allows more, and no credentials
    assert reads == []
