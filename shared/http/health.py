"""/healthz, /readyz, /metrics and /asyncapi.json: the same in every service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.asyncapi import asyncapi_document

if TYPE_CHECKING:
    from shared.runtime import Runtime


def health_router(runtime: Runtime, version: str) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.settings.service_name}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = {"mongo": await runtime.mongo_ready(), "kafka": await runtime.kafka_ready()}
        ready = all(checks.values())
        body: dict[str, Any] = {
            "status": "ready" if ready else "unavailable",
            "checks": {k: "ok" if v else "unreachable" for k, v in checks.items()},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/asyncapi.json")
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document(runtime.broker, runtime.settings.service_name, version)

    return router
