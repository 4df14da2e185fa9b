"""401 and 403 come back as RFC 9457 problem bodies naming the problem."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
from fastapi import Depends, FastAPI

from shared.auth.dependencies import require_roles
from shared.auth.principal import Principal, Role
from shared.auth.verifier import TokenVerifier
from shared.http.problems import install_problem_handlers
from shared.settings import ServiceSettings
from tests.support.services import auth


def _app() -> FastAPI:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(
        verifier=TokenVerifier(ServiceSettings(service_name="lgsp"))
    )
    install_problem_handlers(app)

    @app.get("/admin")
    async def admin(p: Principal = Depends(require_roles(Role.LGSP_ADMIN))) -> dict[str, str]:
        return {"user": p.user}

    return app


async def _get(path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path, headers=headers)


async def test_no_token_gets_401_with_a_problem_body() -> None:
    response = await _get("/admin")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "a bearer token is required"
    assert "Bearer" in response.headers["www-authenticate"]


async def test_a_missing_role_gets_403() -> None:
    response = await _get("/admin", auth(Role.CLERK))
    assert response.status_code == 403
    assert "lgsp_admin" in response.json()["detail"]


async def test_the_right_role_passes() -> None:
    response = await _get("/admin", auth(Role.LGSP_ADMIN, user="minh"))
    assert response.json() == {"user": "minh"}


async def test_a_wrong_audience_token_gets_401() -> None:
    response = await _get("/admin", auth(Role.LGSP_ADMIN, audience=("documents",)))
    assert response.status_code == 401
    assert "not meant for the lgsp" in response.json()["detail"]
