"""Signing development tokens (the `egov token` command and local service accounts)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

import jwt

from shared.auth.devkeys import key_id, load_or_create_dev_key
from shared.auth.principal import SERVICES, Role
from shared.contracts.vocabulary import Confidentiality

DEV_ISSUER = "urn:egov:dev-idp"


def issue_dev_token(
    *,
    user: str,
    roles: Sequence[Role],
    clearance: Confidentiality = Confidentiality.THUONG,
    unit: str | None = None,
    audience: Sequence[str] = SERVICES,
    ttl_s: int = 8 * 3600,
    issuer: str = DEV_ISSUER,
) -> str:
    key = load_or_create_dev_key()
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": issuer,
        "sub": user,
        "aud": list(audience),
        "iat": now,
        "nbf": now - 5,
        "exp": now + ttl_s,
        "jti": uuid.uuid4().hex,
        "roles": [str(r) for r in roles],
        "clearance": str(clearance),
    }
    if unit:
        claims["unit"] = unit
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": key_id(key.public_key())})
