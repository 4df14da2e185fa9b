"""The issuer's Ed25519 document-signing keys (not the staff-token keys).

A key is generated on first start and kept in the service's database, created race-safely
so two replicas end up with the same key; or it is loaded from a configured PEM file. Every
key ever used stays in the JWKS so older signatures remain verifiable after a rotation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.documents.domain.numbering import register_year
from services.documents.repositories.keys import SigningKeyRepository
from shared.signing import load_private_key, private_key_pem, public_jwk


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey


def _load(pem: bytes) -> Ed25519PrivateKey:
    return load_private_key(pem, "document-signing key")


class KeyRing:
    def __init__(
        self, repository: SigningKeyRepository, issuer: str, pem_file: str = "", kid: str = ""
    ) -> None:
        self._repository = repository
        self._issuer = issuer
        self._pem_file = pem_file
        self._kid = kid
        self._current: SigningKey | None = None

    async def load(self) -> SigningKey:
        if self._pem_file:
            pem = await asyncio.to_thread(Path(self._pem_file).read_bytes)
            key = _load(pem)
            kid = self._kid or f"{self._issuer}-{hashlib.sha256(pem).hexdigest()[:8]}"
            public = public_jwk(key.public_key(), kid)
            await self._repository.insert_if_absent(
                {
                    "_id": kid,
                    "issuer": self._issuer,
                    "active": True,
                    "public_jwk": public,
                    "created_at": dt.datetime.now(dt.UTC),
                }
            )
            self._current = SigningKey(kid, key)
            return self._current
        record = await self._repository.active(self._issuer)
        if record is None:
            now = dt.datetime.now(dt.UTC)
            key = Ed25519PrivateKey.generate()
            kid = f"{self._issuer}-{register_year(now)}-1"
            record = await self._repository.insert_if_absent(
                {
                    "_id": kid,
                    "issuer": self._issuer,
                    "active": True,
                    "private_pem": private_key_pem(key),
                    "public_jwk": public_jwk(key.public_key(), kid),
                    "created_at": now,
                }
            )
        self._current = SigningKey(str(record["_id"]), _load(str(record["private_pem"]).encode()))
        return self._current

    @property
    def current(self) -> SigningKey:
        if self._current is None:
            raise RuntimeError("the signing key is loaded at start-up")
        return self._current

    async def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(r["public_jwk"]) for r in await self._repository.all()]}
