"""XML-DSig of edXML messages: the ministry signs what it sends, and what agencies send in is
checked against the certificates registered for them.

Signing: enveloped, RSA-SHA256, exclusive C14N, the certificate in ``KeyInfo/X509Data``,
the unprefixed ``Signature`` as the last child of ``edXML:edXMLHeader``. Checking never
raises for a bad signature: it gives a verdict and a short reason, and staff decide.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from services.lgsp.domain.certificates import fingerprint, load_certificate
from services.lgsp.domain.edxml import DSIG_NS, NS, parse_xml, safe_parser, to_bytes
from services.lgsp.errors import EdxmlInvalid
from services.lgsp.settings import Settings
from shared.contracts.vocabulary import SignatureVerdict
from shared.settings import default_home

DEV_KEY_FILE = "dev-edxml-signing.pem"  # key and self-signed certificate, development only
_PLACEHOLDER = "placeholder"
# Older agency systems sign with RSA-SHA1: accepted when checking, never used to sign.
_ACCEPTED = SignatureConfiguration(
    signature_methods=frozenset(
        {
            SignatureMethod.RSA_SHA1,
            SignatureMethod.RSA_SHA256,
            SignatureMethod.RSA_SHA384,
            SignatureMethod.RSA_SHA512,
        }
    ),
    digest_algorithms=frozenset(
        {
            DigestAlgorithm.SHA1,
            DigestAlgorithm.SHA256,
            DigestAlgorithm.SHA384,
            DigestAlgorithm.SHA512,
        }
    ),
    expect_references=1,
)


# Keys -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Material:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def self_signed_pem(organisation_code: str, organisation_name: str) -> bytes:
    """A development RSA key and a self-signed certificate for it, as one PEM file."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation_code} (development)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem + certificate.public_bytes(serialization.Encoding.PEM)


def load_or_create_dev_pem(
    organisation_code: str, organisation_name: str, file_name: str = DEV_KEY_FILE
) -> bytes:
    """A development key and self-signed certificate in ``$EGOV_HOME``, made on first use."""
    path = default_home() / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(self_signed_pem(organisation_code, organisation_name))
        os.chmod(tmp, 0o600)
        # link() fails if another process won the race: every replica then uses its key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        tmp.unlink()
    return path.read_bytes()


def _material_from_pem(key_pem: bytes, cert_pem: bytes, source: str) -> _Material:
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{source}: the edXML signing key must be an RSA private key")
    certificate = x509.load_pem_x509_certificate(cert_pem)
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey) or (
        public.public_numbers() != key.public_key().public_numbers()
    ):
        raise ValueError(f"{source}: the certificate is not the signing key's")
    return _Material(key, certificate)


# Signing ----------------------------------------------------------------------------------
class _Signer(XMLSigner):
    """signxml's signer, parsing with the safe parser that accepts huge base64 text nodes."""

    @property
    def parser(self) -> Any:
        return safe_parser()


class XmlSigner:
    """Signs edXML messages with the ministry's RSA key (production: PEM files from the
    settings; development: a key and self-signed certificate generated on first use under
    ``$EGOV_HOME``, refused in production)."""

    def __init__(self, settings: Settings) -> None:
        key_file, cert_file = settings.edxml_key_file, settings.edxml_cert_file
        if bool(key_file) != bool(cert_file):
            raise ValueError("set both EGOV_LGSP_EDXML_KEY_FILE and EGOV_LGSP_EDXML_CERT_FILE")
        if not key_file and settings.environment == "production":
            raise ValueError(
                "production needs EGOV_LGSP_EDXML_KEY_FILE and EGOV_LGSP_EDXML_CERT_FILE "
                "(a generated development key is refused)"
            )
        self._key_file = Path(key_file) if key_file else None
        self._cert_file = Path(cert_file) if cert_file else None
        self._organisation = (settings.organisation_code, settings.organisation_name)
        self._material: _Material | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> _Material:
        with self._lock:
            if self._material is None:
                if self._key_file is not None and self._cert_file is not None:
                    self._material = _material_from_pem(
                        self._key_file.read_bytes(),
                        self._cert_file.read_bytes(),
                        str(self._key_file),
                    )
                else:
                    pem = load_or_create_dev_pem(*self._organisation)
                    self._material = _material_from_pem(pem, pem, DEV_KEY_FILE)
            return self._material

    @property
    def certificate_pem(self) -> str:
        return self._loaded().certificate_pem

    def sign(self, element: etree._Element) -> bytes:
        """The message signed (enveloped, RSA-SHA256, exclusive C14N), as UTF-8 bytes.
        CPU-bound on large messages: call it in a worker thread."""
        return _sign(self._loaded(), element)


def sign_with_pem(element: etree._Element, pem: bytes) -> bytes:
    """An edXML message signed with a key and certificate in one PEM (as an agency would)."""
    return _sign(_material_from_pem(pem, pem, "PEM"), element)


def _sign(material: _Material, element: etree._Element) -> bytes:
    _place_signature(element)
    signer = _Signer(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signer.namespaces = {None: DSIG_NS}  # type: ignore[dict-item]  # unprefixed Signature
    signed = signer.sign(element, key=material.key, cert=[material.certificate])
    return to_bytes(signed)


def _place_signature(root: etree._Element) -> None:
    """A placeholder where signxml puts the signature: last child of edXML:edXMLHeader."""
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    if header is None:
        raise ValueError("not an edXML message: no edXML:edXMLHeader to sign")
    placeholder = etree.SubElement(header, f"{{{DSIG_NS}}}Signature", nsmap={None: DSIG_NS})
    placeholder.set("Id", _PLACEHOLDER)


# Checking ---------------------------------------------------------------------------------
def _signature_of(root: etree._Element) -> tuple[etree._Element | None, str]:
    """The Signature element and its signxml location: in the header or under the root."""
    tag = f"{{{DSIG_NS}}}Signature"
    for child in root:
        if child.tag == tag:
            return child, "./"
    for envelope in root:
        if not isinstance(envelope.tag, str) or etree.QName(envelope).localname != "edXMLEnvelope":
            continue
        for header in envelope:
            if not isinstance(header.tag, str) or etree.QName(header).localname != "edXMLHeader":
                continue
            for child in header:
                if child.tag == tag:
                    return child, f"./{envelope.tag}/{header.tag}/"
    return root.find(f".//{tag}"), ""


def _embedded(signature: etree._Element) -> tuple[x509.Certificate | None, str]:
    """The certificate the message carries, or None and why it could not be read."""
    found = signature.find(
        f"{{{DSIG_NS}}}KeyInfo/{{{DSIG_NS}}}X509Data/{{{DSIG_NS}}}X509Certificate"
    )
    if found is None or not (found.text or "").strip():
        return None, "the signature carries no certificate"
    try:
        der = base64.b64decode("".join((found.text or "").split()), validate=True)
        return x509.load_der_x509_certificate(der), ""
    except (binascii.Error, ValueError):
        return None, "the certificate in the signature cannot be read (truncated?)"


def _whole_message(signature: etree._Element) -> bool:
    references = signature.findall(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}Reference")
    return len(references) == 1 and references[0].get("URI", "") == ""


def _subject(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()[:200]


def verify_signature(data: bytes, certificates_pem: Sequence[str]) -> tuple[SignatureVerdict, str]:
    """The verdict on the message's signature against the partner's registered certificates
    and a short reason. VALID only when it verifies with one of them."""
    try:
        root = parse_xml(data)
    except EdxmlInvalid as exc:
        return SignatureVerdict.INVALID, f"the message cannot be read: {exc.detail}"[:500]
    signature, location = _signature_of(root)
    if signature is None:
        return SignatureVerdict.UNSIGNED, "the message carries no signature"
    registered: list[x509.Certificate] = []
    for pem in certificates_pem:
        with contextlib.suppress(ValueError):
            registered.append(load_certificate(pem))
    if not registered:
        return SignatureVerdict.UNKNOWN_CERTIFICATE, "no certificate is registered for the sender"
    embedded, unreadable = _embedded(signature)
    candidates = registered
    if embedded is not None:
        print_ = fingerprint(embedded)
        candidates = [c for c in registered if fingerprint(c) == print_]
        if not candidates:
            return (
                SignatureVerdict.UNKNOWN_CERTIFICATE,
                f"signed with a certificate not registered for the sender: {_subject(embedded)} "
                f"(SHA-256 {print_[:16]}…)",
            )
    if not location:
        return (
            SignatureVerdict.INVALID,
            "the signature is neither in edXML:edXMLHeader nor under the root",
        )
    if not _whole_message(signature):
        return SignatureVerdict.INVALID, "the signature does not cover the whole message"
    problem = ""
    config = SignatureConfiguration(
        location=location,
        signature_methods=_ACCEPTED.signature_methods,
        digest_algorithms=_ACCEPTED.digest_algorithms,
        expect_references=1,
    )
    for certificate in candidates:
        try:
            XMLVerifier().verify(
                data, x509_cert=certificate, parser=safe_parser(), expect_config=config
            )
        except Exception as exc:  # whatever fails is a verdict, never an error
            problem = f"{type(exc).__name__}: {exc}"
            continue
        return (
            SignatureVerdict.VALID,
            f"verified with the registered certificate {_subject(certificate)}",
        )
    prefix = f"{unreadable}; " if unreadable and embedded is None else ""
    return SignatureVerdict.INVALID, f"{prefix}the signature does not verify: {problem}"[:500]
