"""A document goes from draft to issued through the HTTP API."""

from __future__ import annotations

from services.documents.app import create_app
from tests.integration.documents import support
from tests.support.services import running_app


async def test_a_public_decision_is_numbered_signed_and_registered(topic_suffix: str) -> None:
    async with running_app(create_app, support.settings(topic_suffix)) as client:
        first = (await support.issued(client)).json()
        second = (await support.issued(client, doc_type="cong_van")).json()
        assert first["state"] == "issued"
        assert first["notation"] == "01/QĐ-BNG"
        assert second["notation"] == "02/BNG-CNTT"
        assert first["signature"]["kid"].startswith("BNG-")
