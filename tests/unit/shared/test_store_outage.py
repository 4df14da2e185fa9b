"""A request that meets the database restarting is a 503 the client may retry, not a 500.

Found by `make chaos`: while FerretDB restarted, every staff call in flight answered 500
("an unexpected error occurred") with a stack trace in the log.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pymongo.errors import AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError

from shared.http.problems import PROBLEM_JSON, install_problem_handlers


def app_failing_with(error: Exception) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/write")
    async def write() -> None:
        raise error

    return app


@pytest.mark.parametrize(
    "error",
    [
        AutoReconnect("127.0.0.1:27017: connection closed"),
        NetworkTimeout("127.0.0.1:27017: timed out"),
        ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111] Connection refused"),
    ],
    ids=type,
)
async def test_the_database_going_away_mid_request_is_503_with_retry_after(
    error: Exception,
) -> None:
    transport = httpx.ASGITransport(app=app_failing_with(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.post("/write")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
    assert answer.json()["status"] == 503
    assert "27017" not in answer.text  # no server detail leaks to the client


async def test_any_other_error_is_still_a_500() -> None:
    transport = httpx.ASGITransport(
        app=app_failing_with(RuntimeError("bug")), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.post("/write")
    assert answer.status_code == 500
