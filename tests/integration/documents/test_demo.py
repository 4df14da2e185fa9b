"""The demo loader issues its documents once, however often it runs."""

from __future__ import annotations

import httpx

from services.documents.app import create_app
from services.documents.demo import DOCUMENTS, demo_register_starts, load_demo
from tests.integration.documents import support
from tests.support.services import auth, running_app


async def test_the_demo_loads_once_and_the_decision_gets_1637(topic_suffix: str) -> None:
    config = support.settings(topic_suffix, register_starts=demo_register_starts())
    async with running_app(create_app, config) as client:
        # The in-process app, reached as a base URL would reach a running server.
        transport = httpx.ASGITransport(app=support.app_of(client))
        first = await load_demo("http://testserver", transport=transport)
        again = await load_demo("http://testserver", transport=transport)
        assert first == again and len(first) == len(DOCUMENTS)
        admin = auth("admin", clearance=support.SECRET)
        docs = [(await client.get(f"/api/v1/documents/{i}", headers=admin)).json() for i in first]
        assert all(d["state"] == "issued" for d in docs)
        assert docs[0]["notation"] == "1637/QĐ-BNG"
        assert docs[1]["notation"] == "1638/KH-BNG"
        assert docs[2]["notation"] == "1639/BNG-CNTT"
        assert docs[4]["book"] == "secret" and docs[4]["number"] == 1
        listed = await client.get("/api/v1/documents", params={"limit": 200}, headers=admin)
        assert len(listed.json()["items"]) == len(DOCUMENTS)
