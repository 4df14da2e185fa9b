"""Each service starts on the real servers and answers the operational endpoints."""

from __future__ import annotations

import importlib

import pytest

from tests.support.infra import kafka_bootstrap, mongo_url, unique
from tests.support.services import running_app


@pytest.mark.parametrize("service", ["documents", "portal", "lgsp"])
async def test_service_is_ready_and_describes_itself(service: str, topic_suffix: str) -> None:
    app_module = importlib.import_module(f"services.{service}.app")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings = settings_module.Settings(
        kafka_bootstrap_servers=kafka_bootstrap(),
        mongo_url=mongo_url(),
        mongo_database=unique("t_"),
        topic_suffix=topic_suffix,
    )
    async with running_app(app_module.create_app, settings) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"mongo": "ok", "kafka": "ok"}
        metrics = await client.get("/metrics")
        assert "egov_http_requests_total" in metrics.text
        asyncapi = (await client.get("/asyncapi.json")).json()
        assert asyncapi["asyncapi"].startswith("3.")
        assert asyncapi["components"]["messages"], "every service produces or consumes events"
        missing = await client.get("/no-such-path")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "x-correlation-id" in missing.headers
