"""The published OpenAPI documents tell the truth about errors and credentials, and /docs
renders from the service's own files."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.documents.app import create_app as documents_app
from services.lgsp.app import create_app as lgsp_app
from services.portal.app import create_app as portal_app
from shared.http.docs import install_offline_docs

APPS = {"documents": documents_app, "lgsp": lgsp_app, "portal": portal_app}


@pytest.fixture(scope="module", params=sorted(APPS))
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    app = APPS[request.param]()
    doc: dict[str, Any] = app.openapi()
    doc["x-service"] = request.param
    return doc


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict)
    ]


def test_every_error_is_a_problem_and_fastapis_validation_error_is_gone(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "errors" in schemas["Problem"]["properties"]
    for path, method, op in operations(document):
        for code in ("422", "default"):
            content = op["responses"][code]["content"]
            assert list(content) == ["application/problem+json"], (path, method, code)
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }


def test_operations_that_check_credentials_declare_them(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["partnerApiKey"] == {
        **schemes["partnerApiKey"],
        "in": "header",
        "name": "X-API-Key",
    }
    open_paths = {"/healthz", "/readyz", "/.well-known/jwks.json"}
    for path, method, op in operations(document):
        if path in open_paths:
            assert "security" not in op
            continue
        if document["x-service"] == "portal" and method == "get":
            continue  # the public portal's reads are anonymous
        assert op.get("security"), (path, method)
        if {"bearerAuth": []} in op["security"] and {} not in op["security"]:
            assert {"401", "403"} <= op["responses"].keys(), (path, method)


def test_the_lgsp_partner_api_names_the_api_key_and_its_rate_limit() -> None:
    doc = lgsp_app().openapi()
    inbox = doc["paths"]["/api/v1/inbox"]["get"]
    assert inbox["security"] == [{"partnerApiKey": []}]
    assert "429" in inbox["responses"]
    admin = doc["paths"]["/api/v1/partners"]["post"]
    assert admin["security"] == [{"bearerAuth": []}]


def test_verify_is_open_but_may_carry_a_token_and_is_rate_limited() -> None:
    op = documents_app().openapi()["paths"]["/api/v1/verify"]["post"]
    assert op["security"] == [{}, {"bearerAuth": []}]
    assert "429" in op["responses"]


def test_writes_with_if_match_document_412_and_428() -> None:
    op = documents_app().openapi()["paths"]["/api/v1/documents/{document_id}"]["patch"]
    assert {"412", "428", "413", "404"} <= op["responses"].keys()


async def test_docs_render_from_local_assets_without_inline_script() -> None:
    app = FastAPI(title="egov test")
    install_offline_docs(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assert "http" not in page.text.split("<body>")[1]  # nothing from another origin
        assert "<script>" not in page.text
        assert 'data-openapi-url="/openapi.json"' in page.text
        for asset in (
            "/docs/assets/swagger-ui-bundle.js",
            "/docs/assets/swagger-ui-standalone-preset.js",
            "/docs/assets/swagger-ui.css",
            "/docs/assets/own/docs-init.js",
        ):
            response = await client.get(asset)
            assert response.status_code == 200, asset
        assert (await client.get("/redoc")).status_code == 404  # no CDN page left
