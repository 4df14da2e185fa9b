"""An identity provider's token endpoint (OAuth2 client credentials), played inside the test.

It hands each service account a token signed with the development key, so the services —
which run as in production, without trusting that key directly — verify it through the JWKS
file they are given.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.auth.principal import SERVICES, Role
from shared.auth.tokens import issue_dev_token
from tests.support.infra import free_port, unique
from tests.support.serving import serving

TOKEN_TTL_S = 900


@dataclass
class IdentityProvider:
    port: int
    # client id -> (secret, service)
    clients: dict[str, tuple[str, str]] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # the services that obtained a token

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def credentials(self, service: str) -> dict[str, str]:
        """A client id and secret for one service account, as its settings."""
        client_id, secret = unique(f"egov-{service}-"), unique("s")
        self.clients[client_id] = (secret, service)
        prefix = f"EGOV_{service.upper()}_"
        return {f"{prefix}OAUTH_CLIENT_ID": client_id, f"{prefix}OAUTH_CLIENT_SECRET": secret}


def _basic_auth(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    user, _, password = base64.b64decode(value).decode().partition(":")
    return user, password


@contextlib.asynccontextmanager
async def identity_provider() -> AsyncIterator[IdentityProvider]:
    state = IdentityProvider(port=free_port())

    async def token(request: Request) -> Response:
        form = await request.form()
        presented = _basic_auth(request)
        known = state.clients.get(presented[0]) if presented else None
        if form.get("grant_type") != "client_credentials" or not presented or not known:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        secret, service = known
        if presented[1] != secret:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        state.issued.append(service)
        access_token = issue_dev_token(
            user=f"service:{service}",
            roles=[Role(f"service_{service}")],
            audience=[s for s in SERVICES if s != service],
            ttl_s=TOKEN_TTL_S,
        )
        return JSONResponse(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_TTL_S}
        )

    app = Starlette(routes=[Route("/token", token, methods=["POST"])])
    async with serving(app, state.port):
        yield state
