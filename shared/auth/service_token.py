"""A running service's own service-account token, obtained and renewed before expiry.

Locally it is signed with the development key; in production it comes from the identity
provider by the OAuth2 client-credentials grant.
"""

from __future__ import annotations

import time

import httpx

from shared.auth.principal import SERVICES, Role
from shared.auth.tokens import issue_dev_token
from shared.settings import ServiceSettings

RENEW_MARGIN_S = 120


class ServiceTokenConfigError(ValueError):
    """The service has no way to obtain its own token: refused at start-up, not on first use."""


def check_service_credentials(settings: ServiceSettings) -> None:
    """Refuse a configuration under which every call to another service would fail later.

    Without the development key the token must come from the identity provider; found out
    only at the first call, a claim-check fetch would fail and be retried again and again.
    """
    if settings.trust_dev_keys:
        return
    prefix = f"EGOV_{settings.service_name.upper()}_"
    missing = [
        name
        for name, value in (
            ("EGOV_OAUTH_TOKEN_URL", settings.oauth_token_url),
            (f"{prefix}OAUTH_CLIENT_ID", settings.oauth_client_id),
            (f"{prefix}OAUTH_CLIENT_SECRET", settings.oauth_client_secret.get_secret_value()),
        )
        if not value
    ]
    if missing:
        raise ServiceTokenConfigError(
            "the service account needs its client credentials when the development key is "
            f"not trusted (EGOV_TRUST_DEV_KEYS=false): set {', '.join(missing)}"
        )


class ServiceTokenProvider:
    def __init__(self, settings: ServiceSettings, *, ttl_s: int = 900) -> None:
        check_service_credentials(settings)
        self._settings = settings
        self._ttl_s = ttl_s
        self._token: str | None = None
        self._expires_at = 0.0

    @property
    def role(self) -> Role:
        return Role(f"service_{self._settings.service_name}")

    async def token(self) -> str:
        if self._token is None or time.time() > self._expires_at - RENEW_MARGIN_S:
            await self._renew()
        assert self._token is not None
        return self._token

    async def _renew(self) -> None:
        s = self._settings
        if s.oauth_token_url:
            async with httpx.AsyncClient(timeout=10.0) as client:
                response = await client.post(
                    s.oauth_token_url,
                    data={"grant_type": "client_credentials", "scope": " ".join(SERVICES)},
                    auth=(s.oauth_client_id, s.oauth_client_secret.get_secret_value()),
                )
                response.raise_for_status()
                body = response.json()
            self._token = str(body["access_token"])
            self._expires_at = time.time() + float(body.get("expires_in", 300))
            return
        self._token = issue_dev_token(
            user=f"service:{s.service_name}",
            roles=[self.role],
            audience=[svc for svc in SERVICES if svc != s.service_name],
            ttl_s=self._ttl_s,
            issuer=s.jwt_issuer,
        )
        self._expires_at = time.time() + self._ttl_s

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}"}
