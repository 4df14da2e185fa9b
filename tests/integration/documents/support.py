"""Helpers of the documents integration tests: settings, actors and the happy path."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from services.documents.app import create_app
from services.documents.components import DocumentsComponents, components_of
from services.documents.settings import Settings
from shared.auth.principal import Role
from shared.contracts.events import DeliveryStatusChanged
from shared.contracts.vocabulary import Confidentiality, DeliveryState, IncomingStatus
from tests.support.infra import kafka_bootstrap, mongo_url, unique
from tests.support.kafka import TopicReader
from tests.support.services import auth, running_app

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


def components_behind(client: httpx.AsyncClient) -> DocumentsComponents:
    """The components of the in-process app behind a ``running_app`` client."""
    return components_of(app_of(client).state.runtime)


@asynccontextmanager
async def app_reading(
    topic_suffix: str, topic: str
) -> AsyncIterator[tuple[httpx.AsyncClient, TopicReader]]:
    """An app on the test's own database and topics, and a reader of one of its topics."""
    async with (
        running_app(create_app, settings(topic_suffix)) as client,
        TopicReader(topic + topic_suffix) as reader,
    ):
        yield client, reader


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


async def step(
    client: httpx.AsyncClient,
    doc_id: str,
    action: str,
    actor: dict[str, str],
    previous: httpx.Response,
) -> httpx.Response:
    """One transition (``submit``, ``approve``, ``issue``) at the version ``previous`` showed;
    it must succeed."""
    response = await client.post(
        f"/api/v1/documents/{doc_id}/{action}", headers=with_version(actor, previous)
    )
    assert response.status_code == 200, response.text
    return response


async def approved(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    """A draft taken through submit and approve by its unit."""
    created = await create(client, **overrides)
    doc_id = created.json()["id"]
    submitted = await step(client, doc_id, "submit", drafter(), created)
    return await step(client, doc_id, "approve", approver(), submitted)


async def issued(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    ready = await approved(client, **overrides)
    return await step(client, ready.json()["id"], "issue", clerk(), ready)


async def issue_draft(client: httpx.AsyncClient, doc_id: str) -> httpx.Response:
    """A draft as it is now (after attachments, say) submitted, approved and issued."""
    current = await client.get(f"/api/v1/documents/{doc_id}", headers=drafter())
    submitted = await step(client, doc_id, "submit", drafter(), current)
    approved = await step(client, doc_id, "approve", approver(), submitted)
    return await step(client, doc_id, "issue", clerk(), approved)


async def register_numbers(
    client: httpx.AsyncClient, book: str, year: int, page_size: int = 200
) -> list[int]:
    """Every number of the register ``BNG:book:year``, page after page."""
    numbers: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": page_size}
        if cursor:
            params["cursor"] = cursor
        page = await client.get(
            f"/api/v1/registers/BNG/{book}/{year}", params=params, headers=clerk()
        )
        numbers.extend(e["number"] for e in page.json()["items"])
        cursor = page.json()["next_cursor"]
        if not cursor:
            return numbers


def delivery_status(
    doc_id: str,
    code: str,
    version: int,
    *,
    delivery_id: str,
    state: DeliveryState | None = None,
    receiver: IncomingStatus | None = None,
    note: str = "",
) -> DeliveryStatusChanged:
    """What the LGSP reports of one recipient of a document: a delivery state, the
    receiver's status, or both."""
    return DeliveryStatusChanged(
        document_id=doc_id,
        delivery_id=delivery_id,
        delivery_version=version,
        recipient_code=code,
        delivery_state=state,
        receiver_status=receiver,
        note=note,
        changed_at=dt.datetime.now(dt.UTC),
    )


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
