"""An identity provider, played inside the test: its token endpoint (OAuth2 client
credentials) and the OpenID Connect discovery document staff sign-in starts from.

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

from shared.auth.devkeys import dev_jwks
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

    workspace_client: tuple[str, str] = field(
        default_factory=lambda: (unique("egov-workspace-"), unique("s"))
    )

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def authorization_url(self) -> str:
        return f"{self.issuer}/authorize"

    def workspace(self) -> dict[str, str]:
        """The staff workspace's OpenID Connect client, as the services' settings."""
        client_id, secret = self.workspace_client
        return {
            "EGOV_OIDC_ISSUER": self.issuer,
            "EGOV_OIDC_CLIENT_ID": client_id,
            "EGOV_OIDC_CLIENT_SECRET": secret,
        }

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

    async def discovery(_: Request) -> Response:
        return JSONResponse(
            {
                "issuer": state.issuer,
                "authorization_endpoint": state.authorization_url,
                "token_endpoint": state.token_url,
                "jwks_uri": f"{state.issuer}/keys",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def keys(_: Request) -> Response:
        return JSONResponse(dev_jwks())

    app = Starlette(
        routes=[
            Route("/token", token, methods=["POST"]),
            Route("/.well-known/openid-configuration", discovery),
            Route("/keys", keys),
        ]
    )
    async with serving(app, state.port):
        yield state
