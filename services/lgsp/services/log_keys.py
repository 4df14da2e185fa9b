"""The Ed25519 key that signs the logs' checkpoints, and the public keys that verify them.

In production a PKCS#8 PEM file (``EGOV_LGSP_LOG_SIGNING_KEY_FILE``, ``…_ID``) is required.
With a file, only its key and the retired public keys listed in the settings are trusted —
never a key found in the store, which whoever could rewrite the log could also add to. In
development a key is generated on first use and kept in the store (insert-if-absent, so every
replica signs with the same one), and the store's public keys are trusted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.lgsp.domain.message_log import checkpoint_material_of
from services.lgsp.repositories.message_log import LogKeyRepository
from shared.signing import (
    b64url,
    b64url_decode,
    key_from_jwk,
    load_private_key,
    private_key_pem,
    public_jwk,
)

DEV_KEY_ID = "lgsp-log-dev"


def _load_private(pem: bytes) -> Ed25519PrivateKey:
    return load_private_key(pem, "log signing key")


def _retired_key(pem: str | None) -> Ed25519PublicKey | None:
    if not pem:
        return None
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        return None
    return key if isinstance(key, Ed25519PublicKey) else None


class LogKeys:
    def __init__(
        self,
        repository: LogKeyRepository,
        pem_file: str = "",
        kid: str = "",
        *,
        retired: Mapping[str, str] | None = None,
        production: bool = False,
    ) -> None:
        if production and not pem_file:
            raise ValueError(
                "production needs EGOV_LGSP_LOG_SIGNING_KEY_FILE: a generated key kept in the "
                "database cannot prove that the database's log is unchanged"
            )
        self._repository = repository
        self._pem_file = pem_file
        self._kid = kid
        self._retired = dict(retired or {})
        self._signing: tuple[str, Ed25519PrivateKey] | None = None
        self._public: dict[str, Ed25519PublicKey | None] = {}
        self._configured: tuple[str, Ed25519PrivateKey] | None = None

    async def _from_file(self) -> tuple[str, Ed25519PrivateKey] | None:
        if not self._pem_file:
            return None
        if self._configured is None:
            pem = await asyncio.to_thread(Path(self._pem_file).read_bytes)
            key = _load_private(pem)
            kid = self._kid or f"lgsp-log-{hashlib.sha256(pem).hexdigest()[:8]}"
            self._configured = (kid, key)
            self._public[kid] = key.public_key()
        return self._configured

    async def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The key new checkpoints are signed with (generated on first use locally)."""
        if self._signing is not None:
            return self._signing
        now = dt.datetime.now(dt.UTC)
        configured = await self._from_file()
        if configured is not None:
            kid, key = configured
            await self._repository.insert_if_absent(
                {"_id": kid, "public_jwk": public_jwk(key.public_key(), kid), "created_at": now}
            )
        else:
            generated = Ed25519PrivateKey.generate()
            record = await self._repository.insert_if_absent(
                {
                    "_id": DEV_KEY_ID,
                    "private_pem": private_key_pem(generated),
                    "public_jwk": public_jwk(generated.public_key(), DEV_KEY_ID),
                    "created_at": now,
                }
            )
            kid, key = DEV_KEY_ID, _load_private(str(record["private_pem"]).encode())
        self._signing = (kid, key)
        self._public[kid] = key.public_key()
        return self._signing

    async def sign(self, checkpoint: Mapping[str, Any]) -> dict[str, str]:
        kid, key = await self.signing_key()
        return {"kid": kid, "signature": b64url(key.sign(checkpoint_material_of(checkpoint)))}

    async def _public_key(self, kid: str) -> Ed25519PublicKey | None:
        configured = await self._from_file()
        if configured is not None:
            if configured[0] == kid:
                return configured[1].public_key()
            return _retired_key(self._retired.get(kid))
        if kid not in self._public:
            record = await self._repository.get(kid)
            try:
                self._public[kid] = key_from_jwk(dict(record["public_jwk"])) if record else None
            except (KeyError, ValueError):
                self._public[kid] = None
        return self._public[kid]

    async def verifier(self, kids: Iterable[str]) -> Callable[[Mapping[str, Any]], bool]:
        """A check of checkpoint signatures, with the public keys of ``kids`` loaded."""
        keys = {kid: await self._public_key(kid) for kid in set(kids)}

        def signature_ok(checkpoint: Mapping[str, Any]) -> bool:
            key = keys.get(str(checkpoint.get("kid")))
            if key is None:
                return False
            try:
                key.verify(
                    b64url_decode(str(checkpoint.get("signature", ""))),
                    checkpoint_material_of(checkpoint),
                )
            except (InvalidSignature, ValueError, KeyError, TypeError, AttributeError):
                return False
            return True

        return signature_ok
