"""Each service starts on the real servers and answers the operational endpoints."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

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
    apps: list[FastAPI] = []

    def create_app(settings: Any) -> FastAPI:
        apps.append(app_module.create_app(settings))
        return apps[-1]

    async with running_app(create_app, settings) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"mongo": "ok", "kafka": "ok"}
        # Metrics and the event description are for operators: the admin port only.
        assert (await client.get("/metrics")).status_code == 404
        assert (await client.get("/asyncapi.json")).status_code == 404
        public_openapi = await client.get("/openapi.json")
        assert public_openapi.status_code == (404 if service == "portal" else 200)
        transport = httpx.ASGITransport(app=apps[0].state.admin_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://admin") as admin:
            assert (await admin.get("/healthz")).json()["status"] == "ok"
            assert (await admin.get("/readyz")).status_code == 200
            metrics = await admin.get("/metrics")
            assert "egov_http_requests_total" in metrics.text
            asyncapi = (await admin.get("/asyncapi.json")).json()
            assert asyncapi["asyncapi"].startswith("3.")
            assert asyncapi["components"]["messages"], "every service produces or consumes events"
            openapi = (await admin.get("/openapi.json")).json()
            assert openapi["paths"], "the public API's description, served to operators"
        missing = await client.get("/no-such-path")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "x-correlation-id" in missing.headers
