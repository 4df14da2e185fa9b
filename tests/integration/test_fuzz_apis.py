"""Schema fuzzing of the three services' HTTP APIs (see ``tests/integration/fuzz.py``): a few
hundred cases per service, from a fixed seed, with credentials that reach the handlers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pymongo import AsyncMongoClient

from services.documents.app import create_app as documents_app
from services.lgsp.app import create_app as lgsp_app
from services.portal.app import create_app as portal_app
from services.portal.settings import Settings as PortalSettings
from shared.auth.principal import Role
from shared.auth.tokens import issue_dev_token
from shared.contracts.vocabulary import Confidentiality
from tests.integration.documents.support import settings as documents_settings
from tests.integration.fuzz import Outcome, fuzz, served
from tests.integration.lgsp.support import lgsp_settings
from tests.support.infra import kafka_bootstrap, mongo_url, unique

# Cases per operation: with about 35 operations a service, a few hundred cases in all.
CASES = 12
# Enough cases must reach a handler and succeed, or the run proves little.
MIN_HANDLED = 10


def staff_token(*roles: Role) -> dict[str, str]:
    token = issue_dev_token(
        user="fuzzer", roles=list(roles), clearance=Confidentiality.TUYET_MAT, unit="CNTT"
    )
    return {"Authorization": f"Bearer {token}"}


async def _run_and_check(run: Callable[[], Outcome], database: str) -> None:
    """Fuzz in a thread (the service runs in another), drop its database, judge the run."""
    outcome = await asyncio.to_thread(run)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url())
    await client.drop_database(database)
    await client.close()
    assert not outcome.failures, outcome.report()
    print(sorted(outcome.statuses.items()))  # shown with -s: what the cases met
    assert outcome.handled >= MIN_HANDLED, outcome.statuses


async def test_the_documents_api_holds_against_its_own_schema(topic_suffix: str) -> None:
    settings = documents_settings(topic_suffix)
    staff = staff_token(Role.ADMIN, Role.CLERK, Role.DRAFTER, Role.APPROVER, Role.RECORDS_OFFICER)

    def run() -> Outcome:
        with served(documents_app(settings)) as service:
            created = httpx.post(
                f"{service.base_url}/api/v1/documents",
                json={"doc_type": "quyet_dinh", "subject": "Fuzz", "drafting_unit": "CNTT"},
                headers=staff,
            )
            assert created.status_code == 201, created.text
            return fuzz(service, cases_per_operation=CASES, credentials=lambda _p, _m: staff)

    await _run_and_check(run, settings.database_name())


async def test_the_lgsp_api_holds_against_its_own_schema(topic_suffix: str) -> None:
    settings = lgsp_settings(topic_suffix)
    admin = staff_token(Role.LGSP_ADMIN, Role.SERVICE_DOCUMENTS)

    def run() -> Outcome:
        with served(lgsp_app(settings)) as service:
            created = httpx.post(
                f"{service.base_url}/api/v1/partners",
                json={"code": "000.00.00.G22", "name": "Bộ Tư pháp"},
                headers=admin,
            )
            assert created.status_code == 201, created.text
            partner_id = created.json()["id"]
            for service_name in ("document-lookup",):
                httpx.post(
                    f"{service.base_url}/api/v1/partners/{partner_id}/grants/{service_name}",
                    headers=admin,
                )
            key = httpx.post(
                f"{service.base_url}/api/v1/partners/{partner_id}/keys", headers=admin
            ).json()["api_key"]
            partner = {"X-API-Key": key}
            admin_paths = (
                "/api/v1/partners",
                "/api/v1/services",
                "/api/v1/replays",
                "/api/v1/message-log",
                "/api/v1/admin-audit",
                "/api/v1/inbound-files",
            )

            def credentials(path: str, method: str) -> dict[str, str]:
                if path.startswith(admin_paths) or (
                    path.startswith("/api/v1/deliveries") and not (path.endswith("/status"))
                ):
                    return admin
                return partner

            return fuzz(service, cases_per_operation=CASES, credentials=credentials)

    await _run_and_check(run, settings.database_name())


async def test_the_portal_api_holds_against_its_own_schema(topic_suffix: str) -> None:
    settings = PortalSettings(
        kafka_bootstrap_servers=kafka_bootstrap(),
        mongo_url=mongo_url(),
        mongo_database=unique("t_portal_"),
        consumer_group=unique("t-portal-"),
        topic_suffix=topic_suffix,
        documents_url="http://127.0.0.1:9",
    )
    editor = staff_token(Role.PORTAL_EDITOR)

    def run() -> Outcome:
        with served(portal_app(settings)) as service:
            return fuzz(service, cases_per_operation=CASES, credentials=lambda _p, _m: editor)

    await _run_and_check(run, settings.database_name())


class _Item(BaseModel):
    id: str
    count: int


def test_the_fuzzing_catches_a_5xx_a_broken_schema_and_a_bare_4xx() -> None:
    """The harness itself can fail: an app that breaks each rule once is caught each time."""
    app = FastAPI()

    @app.get("/items/{item_id}", response_model=_Item)
    async def item(item_id: str) -> JSONResponse:
        return JSONResponse({"id": item_id, "count": "many"})  # not the documented schema

    @app.get("/boom", response_model=_Item)
    async def boom() -> JSONResponse:
        return JSONResponse({"detail": "internal"}, status_code=500)

    @app.get("/bare", response_model=_Item, responses={404: {"description": "absent"}})
    async def bare() -> JSONResponse:
        return JSONResponse({"detail": "absent"}, status_code=404)  # not problem+json

    with served(app) as service:
        outcome = fuzz(service, cases_per_operation=3, credentials=lambda _p, _m: {})
    failed = {line.split(" -> ")[0] for line in outcome.failures}
    assert failed == {"GET /items/{item_id}", "GET /boom", "GET /bare"}, outcome.report()
