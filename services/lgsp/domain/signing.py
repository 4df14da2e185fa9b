"""Standard Webhooks signatures, webhook secrets and partner API keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"
KEY_PREFIX = "lgsp_"
KEY_ID_LENGTH = 12


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _secret_bytes(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(raw + "=" * (-len(raw) % 4))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(active_secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """Space-separated signatures, one per secret still valid (rotation overlap)."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in active_secrets)


def webhook_headers(
    active_secrets: list[str], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(active_secrets, msg_id, timestamp, body),
    }


@dataclass(frozen=True)
class NewApiKey:
    key_id: str
    plaintext: str
    secret_hash: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key() -> NewApiKey:
    key_id = secrets.token_hex(KEY_ID_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    return NewApiKey(key_id, f"{KEY_PREFIX}{key_id}_{secret}", hash_secret(secret))


def split_api_key(plaintext: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    if not plaintext.startswith(KEY_PREFIX):
        return None
    rest = plaintext[len(KEY_PREFIX) :]
    key_id, sep, secret = (
        rest[:KEY_ID_LENGTH],
        rest[KEY_ID_LENGTH : KEY_ID_LENGTH + 1],
        rest[KEY_ID_LENGTH + 1 :],
    )
    if sep != "_" or len(key_id) != KEY_ID_LENGTH or not secret or len(plaintext) > 200:
        return None
    return key_id, secret


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
