"""Schema fuzzing of one service: schemathesis cases from its own OpenAPI document, sent to the
service running in-process (uvicorn, its own thread and event loop) on the real Kafka and
FerretDB, with credentials that reach the handlers.

Every answer must be no 5xx, conform to the documented status codes, media types and
schemas, and be ``application/problem+json`` when it is a 4xx. Cases come from a fixed seed
(``derandomize``), so a run is the same every time; failures are collected (no shrinking)
and reported together.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.infra import free_port

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PROBLEM = "application/problem+json"


@dataclass
class Served:
    app: FastAPI
    base_url: str


@dataclass
class Outcome:
    failures: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    handled: int = 0  # cases answered 2xx: the credentials and inputs reached a handler

    def report(self) -> str:
        return f"{len(self.failures)} failing cases:\n" + "\n".join(self.failures[:40])


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[Served]:
    """The app with its lifespan (Mongo, Kafka, jobs) on a loopback port, in a thread."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    for _ in range(600):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.05)
    assert server.started, "the service did not start"
    try:
        yield Served(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def fuzz(
    service: Served,
    *,
    cases_per_operation: int,
    credentials: Callable[[str, str], dict[str, str]],
    skip: Callable[[str, str], bool] = lambda _path, _method: False,
) -> Outcome:
    """Run the cases of every operation: one line per failing case, the statuses seen."""
    schema = schemathesis.openapi.from_dict(service.app.openapi())
    outcome = Outcome()
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        path, method = operation.path, operation.method.lower()
        if not skip(path, method):
            _fuzz_operation(
                operation, service, session, credentials(path, method), cases_per_operation, outcome
            )
    outcome.handled = sum(n for status, n in outcome.statuses.items() if 200 <= status < 300)
    return outcome


def _fuzz_operation(
    operation: Any,
    service: Served,
    session: requests.Session,
    headers: dict[str, str],
    cases: int,
    outcome: Outcome,
) -> None:
    failures = outcome.failures
    label = f"{operation.method.upper()} {operation.path}"

    @hypothesis.settings(
        max_examples=cases,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        # The credentials win over a generated header of the same name.
        case.headers = {**(case.headers or {}), **headers}
        try:
            response = case.call(base_url=service.base_url, session=session, timeout=30)
        except Exception as exc:  # the connection itself failed: the server broke
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
            return
        outcome.statuses[response.status_code] += 1
        problems: list[str] = []
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups its failures
            problems.append(" ".join(str(exc).split())[:400] or repr(exc))
        media = response.headers.get("content-type") or ""
        media = media[0] if isinstance(media, list) else media  # schemathesis: lists of values
        if 400 <= response.status_code < 500 and not media.startswith(PROBLEM):
            problems.append(f"{response.status_code} answered as {media or 'no media type'}")
        if problems:
            failures.append(
                f"{label} -> {response.status_code}: {'; '.join(problems)}"
                f"\n    {case.as_curl_command()}"
            )

    run()
