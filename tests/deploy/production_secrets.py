"""The files a production deployment mounts from its Secrets, made for one test run."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID

from shared.auth.devkeys import dev_jwks

# Where the Compose file and the Kubernetes manifests mount them in the container.
MOUNT = "/run/secrets/egov"


@dataclass(frozen=True)
class SecretFiles:
    directory: Path

    def env(self) -> dict[str, str]:
        """The settings that point the services at the mounted files."""
        return {
            "EGOV_JWKS_FILE": f"{MOUNT}/jwks.json",
            "EGOV_DOCUMENTS_SIGNING_KEY_FILE": f"{MOUNT}/documents-signing-key.pem",
            "EGOV_DOCUMENTS_SIGNING_KEY_ID": "BNG-test-1",
            "EGOV_LGSP_EDXML_KEY_FILE": f"{MOUNT}/lgsp-edxml-key.pem",
            "EGOV_LGSP_EDXML_CERT_FILE": f"{MOUNT}/lgsp-edxml-cert.pem",
            "EGOV_LGSP_LOG_SIGNING_KEY_FILE": f"{MOUNT}/lgsp-log-signing-key.pem",
            "EGOV_LGSP_LOG_SIGNING_KEY_ID": "lgsp-log-test-1",
        }


def _pkcs8(key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _self_signed(key: rsa.RSAPrivateKey, name: str) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def write_secret_files(directory: Path) -> SecretFiles:
    """Signing keys, the edXML certificate and the identity provider's JWKS.

    The JWKS is the development key's, so the test's tokens verify; the services still run
    with EGOV_TRUST_DEV_KEYS=false and read it from the file like any provider's JWKS.
    """
    directory.mkdir(parents=True, exist_ok=True)
    edxml_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files = {
        "jwks.json": json.dumps(dev_jwks()).encode(),
        "documents-signing-key.pem": _pkcs8(ed25519.Ed25519PrivateKey.generate()),
        "lgsp-log-signing-key.pem": _pkcs8(ed25519.Ed25519PrivateKey.generate()),
        "lgsp-edxml-key.pem": _pkcs8(edxml_key),
        "lgsp-edxml-cert.pem": _self_signed(edxml_key, "Bộ Ngoại giao"),
    }
    for name, content in files.items():
        path = directory / name
        path.write_bytes(content)
        # The container's user (uid 10001) reads them through a read-only bind mount.
        path.chmod(0o644)
    directory.chmod(0o755)
    return SecretFiles(directory)
