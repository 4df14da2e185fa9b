"""Verifies bearer JWTs: signature against a JWKS, issuer, audience, expiry."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
from jwt import PyJWK, PyJWKSet

from shared.auth.devkeys import dev_jwks
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality
from shared.logging import get_logger
from shared.settings import ServiceSettings

log = get_logger(__name__)
ALGORITHMS = ["ES256", "RS256", "EdDSA", "PS256"]


class AuthError(Exception):
    def __init__(self, detail: str, status: int = 401) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


class TokenVerifier:
    def __init__(self, settings: ServiceSettings, *, cache_s: float = 300.0) -> None:
        self._settings = settings
        self._cache_s = cache_s
        self._keys: dict[str, PyJWK] = {}
        self._loaded_at = 0.0

    async def _load_keys(self, force: bool = False) -> None:
        if not force and self._keys and time.monotonic() - self._loaded_at < self._cache_s:
            return
        sets: list[dict[str, Any]] = []
        if self._settings.jwks_file:
            text = await asyncio.to_thread(Path(self._settings.jwks_file).read_text)
            sets.append(json.loads(text))
        if self._settings.jwks_url:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self._settings.jwks_url)
                response.raise_for_status()
                sets.append(response.json())
        if self._settings.trust_dev_keys:
            sets.append(dev_jwks())
        keys: dict[str, PyJWK] = {}
        for jwks in sets:
            for key in PyJWKSet.from_dict(jwks).keys:
                if key.key_id:
                    keys[key.key_id] = key
        self._keys = keys
        self._loaded_at = time.monotonic()

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("the bearer token is not a well-formed JWT") from exc
        kid = header.get("kid")
        if not kid:
            raise AuthError("the token names no signing key (kid)")
        try:
            await self._load_keys()
            if kid not in self._keys:  # keys may have rotated
                await self._load_keys(force=True)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            log.error("auth.jwks_unavailable", error=str(exc))
            raise AuthError("the identity provider's keys are unavailable", 503) from exc
        key = self._keys.get(kid)
        if key is None:
            raise AuthError("the token is signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self._settings.audience,
                issuer=self._settings.jwt_issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
                leeway=10,
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError(
                f"the token is not meant for the {self._settings.audience} service"
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError("the token comes from an untrusted issuer") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"the token is invalid: {exc}") from exc
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    roles: set[Role] = set()
    for raw in claims.get("roles", []):
        try:
            roles.add(Role(raw))
        except ValueError:
            continue  # roles of other systems mean nothing here
    try:
        clearance = Confidentiality(claims.get("clearance", Confidentiality.THUONG))
    except ValueError as exc:
        raise AuthError("the token carries an unknown clearance") from exc
    unit = claims.get("unit")
    return Principal(
        user=str(claims["sub"]),
        roles=frozenset(roles),
        clearance=clearance,
        unit=str(unit) if unit else None,
        claims=claims,
    )
