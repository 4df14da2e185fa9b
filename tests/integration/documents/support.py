"""Helpers of the documents integration tests: settings, actors and the happy path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from services.documents.components import DocumentsComponents
from services.documents.settings import Settings
from shared.auth.principal import Role
from shared.contracts.vocabulary import Confidentiality
from tests.support.infra import kafka_bootstrap, mongo_url, unique
from tests.support.services import auth

UNIT = "CNTT"
SECRET = Confidentiality.TUYET_MAT


def settings(topic_suffix: str, database: str | None = None, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": kafka_bootstrap(),
        "mongo_url": mongo_url(),
        "mongo_database": database or unique("t_documents_"),
        "topic_suffix": topic_suffix,
        # Its own consumer group: apps of concurrent runs must not rebalance each other.
        "consumer_group": unique("t-documents-"),
        "outbox_sweep_interval_s": 2.0,
        "recovery_interval_s": 60,
    }
    values.update(extra)
    return Settings(**values)


def app_of(client: httpx.AsyncClient) -> FastAPI:
    """The in-process app behind a ``running_app`` client."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    app = transport.app
    assert isinstance(app, FastAPI)
    return app


def drafter(unit: str = UNIT, clearance: Confidentiality = SECRET) -> dict[str, str]:
    return auth(Role.DRAFTER, user=f"drafter-{unit}", unit=unit, clearance=clearance)


def approver(unit: str = UNIT, clearance: Confidentiality = SECRET) -> dict[str, str]:
    return auth(Role.APPROVER, user=f"approver-{unit}", unit=unit, clearance=clearance)


def clerk(clearance: Confidentiality = SECRET) -> dict[str, str]:
    return auth(Role.CLERK, user="clerk", unit="VP", clearance=clearance)


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "doc_type": "quyet_dinh",
        "subject": "Về việc triển khai nhiệm vụ chuyển đổi số",
        "drafting_unit": UNIT,
        "signer": {"name": "Nguyễn Văn A", "position": "Thứ trưởng", "competence": "KT. BỘ TRƯỞNG"},
        "access": "public",
        "body": "Điều 1. ...",
    }
    data.update(overrides)
    return data


def with_version(headers: dict[str, str], response: httpx.Response) -> dict[str, str]:
    return {**headers, "If-Match": response.headers["ETag"]}


async def create(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    response = await client.post("/api/v1/documents", json=body(**overrides), headers=drafter())
    assert response.status_code == 201, response.text
    return response


async def approved(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    """A draft taken through submit and approve by its unit."""
    created = await create(client, **overrides)
    doc_id = created.json()["id"]
    submitted = await client.post(
        f"/api/v1/documents/{doc_id}/submit", headers=with_version(drafter(), created)
    )
    assert submitted.status_code == 200, submitted.text
    done = await client.post(
        f"/api/v1/documents/{doc_id}/approve", headers=with_version(approver(), submitted)
    )
    assert done.status_code == 200, done.text
    return done


async def issued(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    ready = await approved(client, **overrides)
    doc_id = ready.json()["id"]
    response = await client.post(
        f"/api/v1/documents/{doc_id}/issue", headers=with_version(clerk(), ready)
    )
    assert response.status_code == 200, response.text
    return response


class InjectedCrash(RuntimeError):
    """What the crash doubles raise: the process "dies" at that point."""


async def _dies(*_: Any, **__: Any) -> Any:
    raise InjectedCrash("the process died here")


def crash_after_issuance_step(monkeypatch: Any, components: DocumentsComponents, step: int) -> None:
    """Replace the collaborators of an issuance so that it stops right after ``step``:
    1 marked issuing, 2 number reserved, 3 document written, 4 reservation cleared."""
    if step == 1:
        monkeypatch.setattr(components.counters, "reserve", _dies)
    if step == 2:
        reserve: Callable[..., Awaitable[Any]] = components.counters.reserve

        async def reserve_then_die(*args: Any, **kwargs: Any) -> Any:
            await reserve(*args, **kwargs)
            raise InjectedCrash("the process died after reserving")

        monkeypatch.setattr(components.counters, "reserve", reserve_then_die)
    if step == 3:
        monkeypatch.setattr(components.counters, "clear", _dies)
    if step >= 3:
        monkeypatch.setattr(components.trail, "flush", _dies)
        monkeypatch.setattr(components.relay, "publish_written", _dies)
