"""`egov portal rebuild`: a fresh read model replayed from the topic equals the live one,
the portal keeps answering meanwhile, then serves the new model, and can switch back."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.portal.app import create_app
from services.portal.components import PortalComponents
from services.portal.rebuilding import rebuild, switch
from services.portal.settings import Settings
from shared.contracts.events import DocumentReplaced, DocumentRevoked, DocumentUnpublished
from shared.contracts.models import OrgRef
from shared.contracts.vocabulary import Confidentiality, DocumentType
from tests.integration.portal.conftest import portal_settings
from tests.integration.portal.support import DocumentsStandIn, published, signed_document
from tests.support.kafka import eventually, produce_event
from tests.support.services import running_app


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def components(client: httpx.AsyncClient) -> PortalComponents:
    app = client._transport.app  # type: ignore[attr-defined]
    found = app.state.runtime.components
    assert isinstance(found, PortalComponents)
    return found


@pytest.fixture
async def live(
    topic_suffix: str, stand_in: DocumentsStandIn
) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    settings = portal_settings(topic_suffix, stand_in.url, read_model_refresh_s=0.2)
    async with running_app(create_app, settings) as client:
        yield client, settings


CORPUS_SIZE = 12


async def publish_corpus(suffix: str, server: DocumentsStandIn) -> dict[str, Any]:
    docs = []
    for n in range(CORPUS_SIZE):
        docs.append(
            signed_document(
                notation=f"{300 + n}/{'QĐ' if n % 2 else 'TT'}-BNG",
                doc_type=DocumentType.QUYET_DINH if n % 2 else DocumentType.THONG_TU,
                subject=f"Về việc hợp tác lãnh sự số {n} và chuyển đổi số",
                body=f"Điều {n}. Nội dung về hộ chiếu ngoại giao, đợt {n}.",
                issue_date=dt.date(2025, 1 + n % 6, 1 + n),
                issuer=OrgRef(code="000.00.31.H01", name="Cục Lãnh sự") if n % 3 == 0 else None,
            )
        )
    for doc in docs:
        await produce_event(published(server, doc, version=3), suffix)
    secret = signed_document(notation="9/QĐ-BNG", confidentiality=Confidentiality.MAT)
    await produce_event(published(server, secret), suffix)
    revoked, replaced, replacement, gone = docs[1], docs[2], docs[3], docs[4]
    await produce_event(
        DocumentRevoked(
            document_id=revoked.document_id,
            document_version=4,
            notation=revoked.notation,
            reason="Ban hành sai thẩm quyền",
            revoked_at=now(),
        ),
        suffix,
    )
    await produce_event(
        DocumentReplaced(
            document_id=replaced.document_id,
            document_version=4,
            notation=replaced.notation,
            replaced_by_id=replacement.document_id,
            replaced_by_notation=replacement.notation,
            reason="Cập nhật",
            replaced_at=now(),
        ),
        suffix,
    )
    await produce_event(
        DocumentUnpublished(
            document_id=gone.document_id,
            document_version=4,
            notation=gone.notation,
            explanation="Đăng nhầm lên Cổng",
            unpublished_at=now(),
        ),
        suffix,
    )
    # A redelivered publication (same version) changes nothing, in either model.
    await produce_event(published(server, docs[5], version=3), suffix)
    return {"docs": docs, "gone": gone, "revoked": revoked, "replaced": replaced}


async def snapshot(client: httpx.AsyncClient, corpus: dict[str, Any]) -> dict[str, Any]:
    """Every public answer the corpus shows, as the citizen gets it (bodies only)."""
    html = {"accept": "text/html"}
    shots: dict[str, Any] = {}
    for doc in corpus["docs"]:
        response = await client.get(f"/api/v1/documents/{doc.document_id}")
        shots[f"json:{doc.document_id}"] = (response.status_code, response.json())
        if response.status_code == 200:
            page = await client.get(response.json()["url"], headers=html)
            shots[f"html:{doc.document_id}"] = (page.status_code, page.text)
    for path in (
        "/",
        "/en",
        "/van-ban",
        "/van-ban?type=quyet_dinh",
        "/van-ban?q=lanh+su",
        "/en/documents?q=ho+chieu",
        "/api/v1/documents?limit=100",
        "/api/v1/search?q=chuyen+doi+so",
        "/api/v1/search?q=301/QĐ-BNG",
        "/feed.atom",
        "/sitemap.xml",
        "/sitemap-2025-03.xml",
    ):
        response = await client.get(path, headers=html)
        shots[path] = (response.status_code, response.text)
    gone = await client.get(f"/van-ban/{corpus['gone'].document_id}", headers=html)
    shots["gone"] = (gone.status_code, gone.text)
    return shots


async def settled(client: httpx.AsyncClient, corpus: dict[str, Any]) -> None:
    """Pages shown, signatures checked and words indexed (the worker's part)."""

    async def ready() -> bool:
        for doc in corpus["docs"]:
            if doc is corpus["gone"]:
                continue
            body = (await client.get(f"/api/v1/documents/{doc.document_id}")).json()
            if body.get("signature", {}).get("status") != "verified":
                return False
        found = (await client.get("/api/v1/search", params={"q": "hop tac lanh su"})).json()
        return found["total"] == CORPUS_SIZE - 1

    await eventually(ready, timeout=30)
    gone = await client.get(f"/api/v1/documents/{corpus['gone'].document_id}")
    assert gone.status_code == 410


async def test_a_rebuilt_model_equals_the_live_one_and_the_switch_goes_both_ways(
    live: tuple[httpx.AsyncClient, Settings], topic_suffix: str, stand_in: DocumentsStandIn
) -> None:
    client, settings = live
    corpus = await publish_corpus(topic_suffix, stand_in)
    await settled(client, corpus)
    before = await snapshot(client, corpus)

    answers: list[int] = []
    stop = asyncio.Event()

    async def keep_asking() -> None:
        while not stop.is_set():
            for path in ("/", "/van-ban", "/api/v1/documents", "/van-ban?q=lanh+su"):
                answers.append((await client.get(path)).status_code)
            await asyncio.sleep(0.01)

    asker = asyncio.create_task(keep_asking())
    progress: list[tuple[int, int]] = []
    try:
        report = await rebuild(
            settings, batch=4, progress=lambda done, total: progress.append((done, total))
        )
    finally:
        stop.set()
        await asker
    assert answers and set(answers) == {200}, "the portal kept answering during the rebuild"
    assert report.events == CORPUS_SIZE + 5 and report.refused == 1
    assert report.pages == CORPUS_SIZE and report.visible == CORPUS_SIZE - 1
    assert progress[-1] == (CORPUS_SIZE + 5, CORPUS_SIZE + 5) and len(progress) > 2

    portal = components(client)
    await eventually(lambda: _serving(portal, report.model), timeout=10)
    after = await snapshot(client, corpus)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], f"{key} differs after the rebuild"

    # The live consumer now projects into the new model.
    late = signed_document(notation="777/QĐ-BNG", subject="Văn bản sau khi chuyển mô hình")
    await produce_event(published(stand_in, late), topic_suffix)

    async def shown() -> bool:
        return (await client.get(f"/api/v1/documents/{late.document_id}")).status_code == 200

    await eventually(shown)
    assert await portal.documents.by_id(late.document_id) is not None

    previous, current = await switch(settings, None)
    assert (previous, current) == (report.model, "")
    await eventually(lambda: _serving(portal, ""), timeout=10)
    old = await client.get(f"/api/v1/documents/{corpus['docs'][0].document_id}")
    assert old.json() == before[f"json:{corpus['docs'][0].document_id}"][1]
    with pytest.raises(ValueError):
        await switch(settings, "rm-no-such-model_")


async def _serving(portal: PortalComponents, prefix: str) -> bool:
    return portal.model.prefix == prefix
