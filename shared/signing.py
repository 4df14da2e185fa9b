"""Document signatures (docs/architecture.md §10).

An issued document carries two Ed25519 signatures over the same bytes, the RFC 8785
canonical JSON of its ``SignedDocument`` (the metadata and each attachment's SHA-256):

- ``jws``: a JWS (RFC 7515) in compact serialization with a detached payload (Appendix F):
  ``<protected header>..<signature>``, header ``{"alg": "EdDSA", "kid": ...}``. Any JOSE
  library verifies it against the JWKS once the base64url of the canonical JSON is put back
  between the two dots;
- ``value``: the original form, the raw signature over the canonical JSON itself, kept so
  that documents signed before the JWS existed, and verifiers written for them, still work.

Anyone holding the issuer's published JWKS can verify: the portal, a partner, a citizen.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from enum import StrEnum
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.bindings import crypto_sign_BYTES, crypto_sign_open, crypto_sign_PUBLICKEYBYTES
from nacl.exceptions import BadSignatureError, CryptoError

from shared.contracts.models import DocumentSignature, SignedDocument

ALGORITHM = "EdDSA"
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class SignatureForm(StrEnum):
    """Which of a signature's two forms a verification relied on."""

    JWS = "jws"
    LEGACY = "ed25519-jcs"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


Signed = SignedDocument | dict[str, Any] | bytes  # bytes: its canonical JSON already


def canonical_bytes(document: Signed) -> bytes:
    if isinstance(document, bytes):
        return document  # kept as canonical JSON (a read model stores it so): as it is
    data = document.model_dump(mode="json") if isinstance(document, SignedDocument) else document
    return bytes(rfc8785.dumps(data))


def sign(document: SignedDocument, key: Ed25519PrivateKey) -> str:
    """The original form: base64url of Ed25519 over the canonical JSON."""
    return b64url(key.sign(canonical_bytes(document)))


def protected_header(kid: str) -> str:
    """The JWS protected header, base64url-encoded (compact JSON, sorted keys)."""
    header = {"alg": ALGORITHM, "kid": kid}
    return b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())


def _signing_input(header_b64: str, payload: bytes) -> bytes:
    return f"{header_b64}.{b64url(payload)}".encode("ascii")


def sign_jws(document: SignedDocument, key: Ed25519PrivateKey, kid: str) -> str:
    """A compact JWS with a detached payload: ``<header>..<signature>``."""
    header_b64 = protected_header(kid)
    signature = key.sign(_signing_input(header_b64, canonical_bytes(document)))
    return f"{header_b64}..{b64url(signature)}"


def attach_payload(jws: str, document: SignedDocument | dict[str, Any]) -> str:
    """The ordinary compact JWS that a detached one stands for, for libraries that want it."""
    header_b64, _, signature_b64 = jws.partition("..")
    return f"{header_b64}.{b64url(canonical_bytes(document))}.{signature_b64}"


def signature_for(
    document: SignedDocument, key: Ed25519PrivateKey, kid: str, signed_at: dt.datetime
) -> DocumentSignature:
    """Both forms of an issuance's signature."""
    return DocumentSignature(
        kid=kid,
        value=sign(document, key),
        jws=sign_jws(document, key, kid),
        signed_at=signed_at,
    )


def public_jwk(key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(_raw_public(key)),
        "kid": kid,
        "alg": ALGORITHM,
        "use": "sig",
    }


def private_key_pem(key: Ed25519PrivateKey) -> str:
    """The key as an unencrypted PKCS#8 PEM, the form key files and stored keys take."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def load_private_key(pem: bytes, purpose: str) -> Ed25519PrivateKey:
    """An unencrypted PEM private key, refused (``ValueError``) unless it is Ed25519."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"the {purpose} must be Ed25519")
    return key


def key_from_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 key")
    if jwk.get("alg", ALGORITHM) != ALGORITHM:
        raise ValueError("the key is not for EdDSA")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(str(jwk["x"])))


def _key_for(jwks: dict[str, Any], kid: str) -> bytes | None:
    """The raw public key of ``kid`` in ``jwks`` (None: no such Ed25519 key)."""
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            try:
                return _raw_public(key_from_jwk(jwk))
            except (ValueError, KeyError, binascii.Error):
                return None
    return None


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def ed25519_valid(public: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is Ed25519 of ``message`` under the raw ``public`` key.

    Checked by libsodium (through PyNaCl): twice as fast as the OpenSSL check here, which
    counts when a rebuild checks every published signature, and stricter (it also refuses
    small-order keys and non-canonical signatures, which no honest signer makes)."""
    if len(public) != crypto_sign_PUBLICKEYBYTES or len(signature) != crypto_sign_BYTES:
        return False
    try:
        crypto_sign_open(signature + message, public)
    except (BadSignatureError, CryptoError):
        return False
    return True


def _decode_segment(segment: str) -> bytes | None:
    if not _B64URL.match(segment):
        return None
    try:
        return b64url_decode(segment)
    except (ValueError, binascii.Error):
        return None


def jws_header(jws: str) -> dict[str, Any] | None:
    """The protected header of a detached compact JWS, or None when it is not one."""
    header_b64, dots, signature_b64 = jws.partition("..")
    if not dots or "." in signature_b64 or "." in header_b64:
        return None
    raw = _decode_segment(header_b64)
    if raw is None:
        return None
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return header if isinstance(header, dict) else None


def verify_jws(document: Signed, jws: str, jwks: dict[str, Any]) -> bool:
    """True when ``jws`` (detached) signs the canonical JSON of ``document`` under ``jwks``.

    Refuses what RFC 7515 says a verifier must not accept blindly: another algorithm, any
    ``crit`` extension (none is understood here, so RFC 7797's unencoded payload is refused
    too), an unknown ``kid``.
    """
    header = jws_header(jws)
    if header is None or header.get("alg") != ALGORITHM or "crit" in header:
        return False
    if header.get("b64", True) is not True or not isinstance(header.get("kid"), str):
        return False
    key = _key_for(jwks, header["kid"])
    signature = _decode_segment(jws.partition("..")[2])
    if key is None or signature is None:
        return False
    header_b64 = jws.partition("..")[0]
    return ed25519_valid(key, signature, _signing_input(header_b64, canonical_bytes(document)))


def verify_legacy(document: Signed, value: str, kid: str, jwks: dict[str, Any]) -> bool:
    key = _key_for(jwks, kid)
    signature = _decode_segment(value)
    if key is None or signature is None:
        return False
    return ed25519_valid(key, signature, canonical_bytes(document))


def form_of(signature: DocumentSignature) -> SignatureForm:
    """The form a verification relies on: the JWS whenever the signature carries one."""
    return SignatureForm.JWS if signature.jws else SignatureForm.LEGACY


def verify(
    document: Signed,
    signature: DocumentSignature,
    jwks: dict[str, Any],
) -> bool:
    """True when ``signature`` is valid for ``document`` under a key of ``jwks``: its JWS
    when it has one (whose ``kid`` must be the signature's), else its original form."""
    if signature.jws:
        header = jws_header(signature.jws)
        if header is None or header.get("kid") != signature.kid:
            return False
        return verify_jws(document, signature.jws, jwks)
    return verify_legacy(document, signature.value, signature.kid, jwks)
