"""The local development signing key for staff tokens (never the document-signing key).

Generated on first use under ``$EGOV_HOME`` (default ``~/.config/egov``), outside any clone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from shared.settings import default_home

KEY_FILE = "dev-jwt-key.pem"


def _key_path() -> Path:
    return default_home() / KEY_FILE


def load_or_create_dev_key() -> ec.EllipticCurvePrivateKey:
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        os.chmod(tmp, 0o600)
        # link() fails if another process won the race: both then use the winner's key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        tmp.unlink()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key")
    return loaded


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "dev-" + hashlib.sha256(der).hexdigest()[:16]


def dev_jwks() -> dict[str, Any]:
    public = load_or_create_dev_key().public_key()
    jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(public))
    jwk.update({"kid": key_id(public), "use": "sig", "alg": "ES256"})
    return {"keys": [jwk]}
