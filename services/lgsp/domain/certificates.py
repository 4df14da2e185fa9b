"""X.509 certificates partners sign their edXML messages with: read and describe one PEM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.lgsp.errors import CertificateInvalid

MAX_PEM_CHARS = 20_000
MAX_PER_PARTNER = 20
_BEGIN = "-----BEGIN CERTIFICATE-----"


@dataclass(frozen=True)
class CertificateInfo:
    fingerprint: str  # SHA-256 of the DER certificate, lower-case hex
    subject: str
    issuer: str
    serial_number: str
    not_before: dt.datetime
    not_after: dt.datetime
    pem: str  # normalised: exactly the one certificate


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def load_certificate(pem: str) -> x509.Certificate:
    """One X.509 certificate from PEM; ValueError if it is not one."""
    return x509.load_pem_x509_certificate(pem.strip().encode())


def read_certificate(pem: str) -> CertificateInfo:
    """The certificate in ``pem`` (exactly one, RSA): CertificateInvalid saying why not."""
    text = pem.strip()
    if len(text) > MAX_PEM_CHARS:
        raise CertificateInvalid(f"the PEM is longer than {MAX_PEM_CHARS} characters")
    if text.count(_BEGIN) != 1:
        raise CertificateInvalid("give exactly one PEM certificate (-----BEGIN CERTIFICATE-----)")
    try:
        certificate = load_certificate(text)
    except ValueError as exc:
        raise CertificateInvalid(f"not a readable X.509 certificate: {exc}"[:300]) from None
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise CertificateInvalid("edXML signatures use RSA: the certificate's key is not RSA")
    return CertificateInfo(
        fingerprint=fingerprint(certificate),
        subject=certificate.subject.rfc4514_string()[:500],
        issuer=certificate.issuer.rfc4514_string()[:500],
        serial_number=format(certificate.serial_number, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )


def is_fingerprint(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)
