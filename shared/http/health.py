"""/healthz and /readyz: the same in every service, on its public and its admin port.

/metrics and /asyncapi.json are served on the admin port only (shared/observability/admin.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from shared.http.views import HealthView, ReadinessView

if TYPE_CHECKING:
    from shared.runtime import Runtime


def health_router(runtime: Runtime, version: str) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", response_model=HealthView)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.settings.service_name}

    @router.get(
        "/readyz",
        response_model=ReadinessView,
        responses={503: {"model": ReadinessView, "description": "the database does not answer"}},
    )
    async def readyz() -> JSONResponse:
        """Ready when this replica can serve its HTTP traffic: its database answers.

        Kafka is reported but does not decide: every write goes through the outbox and is
        published when Kafka is back, and reads come from the service's own store, so the
        portal keeps serving pages (and staff keep working) while Kafka is away. Taking
        every replica out of the load balancer would turn a delay into an outage.
        """
        mongo, kafka = await runtime.mongo_ready(), await runtime.kafka_ready()
        status = "unavailable" if not mongo else "ready" if kafka else "degraded"
        body: dict[str, Any] = {
            "status": status,
            "checks": {
                "mongo": "ok" if mongo else "unreachable",
                "kafka": "ok" if kafka else "unreachable",
            },
        }
        return JSONResponse(body, status_code=200 if mongo else 503)

    return router
