"""Document signatures: Ed25519 over the RFC 8785 canonical JSON of the signed document.

Anyone holding the issuer's published JWKS can verify an issued document: the portal, a
partner agency, a citizen.
"""

from __future__ import annotations

import base64
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.contracts.models import DocumentSignature, SignedDocument


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_bytes(document: SignedDocument | dict[str, Any]) -> bytes:
    data = document.model_dump(mode="json") if isinstance(document, SignedDocument) else document
    return bytes(rfc8785.dumps(data))


def sign(document: SignedDocument, key: Ed25519PrivateKey) -> str:
    return b64url(key.sign(canonical_bytes(document)))


def public_jwk(key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw),
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    }


def key_from_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 key")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(str(jwk["x"])))


def verify(
    document: SignedDocument | dict[str, Any],
    signature: DocumentSignature,
    jwks: dict[str, Any],
) -> bool:
    """True when ``signature`` is valid for ``document`` under a key of ``jwks``."""
    for jwk in jwks.get("keys", []):
        if jwk.get("kid") != signature.kid:
            continue
        try:
            key_from_jwk(jwk).verify(b64url_decode(signature.value), canonical_bytes(document))
            return True
        except (InvalidSignature, ValueError):
            return False
    return False
