"""Sign-in by OpenID Connect through Authlib: authorization code with PKCE (S256); state and
nonce kept in the session and checked; the ID token verified against the provider's JWKS
(signature, issuer, audience, expiry, nonce)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import authlib.deprecate
import httpx
from authlib.common.errors import AuthlibBaseError
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response

from shared.settings import ServiceSettings

with warnings.catch_warnings():
    # Authlib warns that it runs on httpx rather than its fork httpx2: httpx is what we use.
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth

SCOPES = "openid email profile"


class SignInFailed(Exception):
    """The provider's answer could not be accepted (state, nonce, token, unverified e-mail)."""


class ProviderUnreachable(Exception):
    """The identity provider did not answer."""


@dataclass(frozen=True)
class Identity:
    email: str
    name: str
    id_token: str


class OidcSignIn:
    def __init__(self, settings: ServiceSettings) -> None:
        self.issuer = settings.oidc_issuer.rstrip("/")
        oauth = OAuth()
        self._client: Any = oauth.register(
            name="egov",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "timeout": 10},
        )

    async def redirect(self, request: Request, callback_url: str) -> Response:
        """To the provider, with a fresh state, nonce and PKCE verifier kept in the session."""
        try:
            response: Response = await self._client.authorize_redirect(request, callback_url)
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
            # Unreachable, or a discovery document that is not one (a proxy's error page).
            raise ProviderUnreachable(str(exc)) from exc
        return response

    async def identity(self, request: Request) -> Identity:
        """Who signed in, from the callback: code exchanged, ID token verified."""
        # The ID token must come from our issuer and be meant for this client: Authlib checks
        # only the issuer of the discovery document unless told.
        claims_options = {
            "iss": {"essential": True, "values": [self.issuer, self.issuer + "/"]},
            "aud": {"essential": True, "value": self._client.client_id},
        }
        try:
            token = await self._client.authorize_access_token(
                request, claims_options=claims_options
            )
        except httpx.HTTPError as exc:
            raise ProviderUnreachable(str(exc)) from exc
        except (AuthlibBaseError, JoseError, ValueError, KeyError) as exc:
            raise SignInFailed(type(exc).__name__) from exc
        claims = token.get("userinfo")
        if not claims or not token.get("id_token"):
            raise SignInFailed("the provider returned no ID token")
        email = str(claims.get("email") or "").strip().lower()
        if not email or claims.get("email_verified") is not True:
            raise SignInFailed("the ID token carries no verified e-mail")
        return Identity(email=email, name=str(claims.get("name") or ""), id_token=token["id_token"])

    async def end_session_url(self, id_token: str | None, after: str) -> str | None:
        """Where to end the provider's own session, if it offers RP-initiated logout."""
        try:
            metadata = await self._client.load_server_metadata()
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError):
            return None
        endpoint = metadata.get("end_session_endpoint")
        if not endpoint:
            return None
        params = {"post_logout_redirect_uri": after, "client_id": self._client.client_id}
        if id_token:
            params["id_token_hint"] = id_token
        return str(httpx.URL(str(endpoint), params=params))
