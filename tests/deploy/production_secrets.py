"""The files a production deployment mounts from its Secrets (and its staff directory),
made for one test run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from shared.auth.devkeys import dev_jwks
from tests.support.certificates import pkcs8_pem, rsa_key, self_signed_pem

# Where the Compose file and the Kubernetes manifests mount them in the container.
MOUNT = "/run/secrets/egov"
STAFF_DIRECTORY_EXAMPLE = (
    Path(__file__).resolve().parents[2] / "deploy" / "staff-directory.example.json"
)


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
            # Compose and Kubernetes mount it apart from the keys; here it shares their mount.
            "EGOV_STAFF_DIRECTORY_FILE": f"{MOUNT}/staff-directory.json",
        }


def write_secret_files(directory: Path) -> SecretFiles:
    """Signing keys, the edXML certificate, the identity provider's JWKS and the example
    staff directory of deploy/.

    The JWKS is the development key's, so the test's tokens verify; the services still run
    with EGOV_TRUST_DEV_KEYS=false and read it from the file like any provider's JWKS.
    """
    directory.mkdir(parents=True, exist_ok=True)
    edxml_key = rsa_key()
    files = {
        "jwks.json": json.dumps(dev_jwks()).encode(),
        "documents-signing-key.pem": pkcs8_pem(ed25519.Ed25519PrivateKey.generate()),
        "lgsp-log-signing-key.pem": pkcs8_pem(ed25519.Ed25519PrivateKey.generate()),
        "lgsp-edxml-key.pem": pkcs8_pem(edxml_key),
        "lgsp-edxml-cert.pem": self_signed_pem(edxml_key, "Bộ Ngoại giao"),
        "staff-directory.json": STAFF_DIRECTORY_EXAMPLE.read_bytes(),
    }
    for name, content in files.items():
        path = directory / name
        path.write_bytes(content)
        # The container's user (uid 10001) reads them through a read-only bind mount.
        path.chmod(0o644)
    directory.chmod(0o755)
    return SecretFiles(directory)
