"""XML signatures of edXML: the ministry's verify, agencies' get an honest verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner
from signxml.verifier import XMLVerifier

from services.lgsp.domain.certificates import read_certificate
from services.lgsp.domain.edxml import DSIG_NS, parse_message, safe_parser, to_bytes, write_document
from services.lgsp.errors import CertificateInvalid
from services.lgsp.services.xml_signatures import XmlSigner, verify_signature
from services.lgsp.settings import Settings
from shared.contracts.vocabulary import SignatureVerdict
from tests.support.certificates import key_and_certificate
from tests.support.production import production_settings_values
from tests.unit.lgsp.test_edxml import a_document, agency_sample


class _Sha1Signer(XMLSigner):
    """What older agency systems do: RSA-SHA1 (signxml refuses it unless told)."""

    def check_deprecated_methods(self) -> None:
        return None


def agency_signed(
    key: rsa.RSAPrivateKey, cert_pem: str, data: bytes, *, in_root: bool = False
) -> bytes:
    root = etree.fromstring(data, parser=safe_parser())
    if not in_root:
        header = root[0][0]  # edXMLEnvelope / edXMLHeader
        etree.SubElement(header, f"{{{DSIG_NS}}}Signature", nsmap={None: DSIG_NS}).set(
            "Id", "placeholder"
        )
    signer = _Sha1Signer(
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signer.namespaces = {None: DSIG_NS}  # type: ignore[dict-item]
    return to_bytes(signer.sign(root, key=key, cert=cert_pem))


def ministry_signer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> XmlSigner:
    monkeypatch.setenv("EGOV_HOME", str(tmp_path))
    return XmlSigner(Settings())


def test_the_ministry_signs_and_signxml_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = ministry_signer(tmp_path, monkeypatch)
    signed = signer.sign(write_document(a_document()))
    text = signed.decode()
    # Enveloped, unprefixed, last child of the header, RSA-SHA256, exclusive C14N.
    assert '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">' in text
    assert text.index("</edXML:TraceHeaderList><Signature") < text.index("</edXML:edXMLHeader>")
    assert "xmldsig-more#rsa-sha256" in text and "xml-exc-c14n#" in text
    assert "enveloped-signature" in text and "<X509Certificate>" in text
    XMLVerifier().verify(signed, x509_cert=signer.certificate_pem, parser=safe_parser())
    assert verify_signature(signed, [signer.certificate_pem])[0] is SignatureVerdict.VALID
    # The signature does not disturb reading.
    assert parse_message(signed) == a_document()
    # The development key is kept: a second signer uses the same certificate.
    assert XmlSigner(Settings()).certificate_pem == signer.certificate_pem


def test_changing_one_text_node_after_signing_is_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = ministry_signer(tmp_path, monkeypatch)
    signed = signer.sign(write_document(a_document()))
    tampered = signed.replace("Điều 1.".encode(), "Điều 2.".encode())
    assert tampered != signed
    verdict, note = verify_signature(tampered, [signer.certificate_pem])
    assert verdict is SignatureVerdict.INVALID and "Digest mismatch" in note


def test_production_refuses_a_generated_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_HOME", str(tmp_path))
    with pytest.raises(ValueError, match="production needs"):
        XmlSigner(Settings(**production_settings_values()))


def test_production_signs_with_its_files(tmp_path: Path) -> None:
    key, cert_pem = key_and_certificate("Bộ Ngoại giao")
    key_file, cert_file = tmp_path / "k.pem", tmp_path / "c.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_text(cert_pem)
    settings = Settings(
        **production_settings_values(),
        edxml_key_file=str(key_file),
        edxml_cert_file=str(cert_file),
    )
    signed = XmlSigner(settings).sign(write_document(a_document()))
    assert verify_signature(signed, [cert_pem]) == (
        SignatureVerdict.VALID,
        "verified with the registered certificate CN=Bộ Ngoại giao",
    )


def test_an_agency_rsa_sha1_signature_is_accepted_when_it_verifies() -> None:
    key, cert_pem = key_and_certificate()
    signed = agency_signed(key, cert_pem, agency_sample())
    assert b"rsa-sha1" in signed
    assert verify_signature(signed, [cert_pem])[0] is SignatureVerdict.VALID
    # Older systems put the signature under the root: accepted there too.
    in_root = agency_signed(key, cert_pem, agency_sample(), in_root=True)
    assert verify_signature(in_root, [cert_pem])[0] is SignatureVerdict.VALID


def test_an_agency_rsa_sha1_signature_that_does_not_verify_is_invalid() -> None:
    key, cert_pem = key_and_certificate()
    signed = agency_signed(key, cert_pem, agency_sample())
    broken = signed.replace(b"<edXML:PageAmount>2<", b"<edXML:PageAmount>3<")
    verdict, note = verify_signature(broken, [cert_pem])
    assert verdict is SignatureVerdict.INVALID and note.startswith("the signature does not verify")
    # The message itself is still read: the clerk decides.
    assert parse_message(broken).sender_document_id  # type: ignore[union-attr]


def test_a_truncated_certificate_in_the_message_is_invalid() -> None:
    key, cert_pem = key_and_certificate()
    signed = agency_signed(key, cert_pem, agency_sample())
    start = signed.index(b"<X509Certificate>") + len(b"<X509Certificate>")
    truncated = signed[: start + 40] + signed[signed.index(b"</X509Certificate>") :]
    other_key, other_pem = key_and_certificate("Khác")
    del other_key
    verdict, note = verify_signature(truncated, [other_pem])
    assert verdict is SignatureVerdict.INVALID and "cannot be read" in note


def test_a_signature_by_an_unregistered_certificate_is_unknown() -> None:
    key, cert_pem = key_and_certificate()
    _, registered = key_and_certificate("Sở Tài chính (cũ)")
    signed = agency_signed(key, cert_pem, agency_sample())
    verdict, note = verify_signature(signed, [registered])
    assert verdict is SignatureVerdict.UNKNOWN_CERTIFICATE and "not registered" in note
    assert verify_signature(signed, [])[0] is SignatureVerdict.UNKNOWN_CERTIFICATE


def test_no_signature_is_unsigned() -> None:
    _, cert_pem = key_and_certificate()
    assert verify_signature(agency_sample(), [cert_pem]) == (
        SignatureVerdict.UNSIGNED,
        "the message carries no signature",
    )


def test_unreadable_input_is_a_verdict_not_an_error() -> None:
    _, cert_pem = key_and_certificate()
    verdict, _ = verify_signature(b"<edXML", [cert_pem])
    assert verdict is SignatureVerdict.INVALID
    doctype = agency_sample(doctype="<!DOCTYPE edXML>\n")
    assert verify_signature(doctype, [cert_pem])[0] is SignatureVerdict.INVALID


def test_a_certificate_is_read_and_a_bad_pem_refused() -> None:
    _, cert_pem = key_and_certificate()
    info = read_certificate(cert_pem)
    assert len(info.fingerprint) == 64 and info.subject == "CN=Sở Tài chính"
    with pytest.raises(CertificateInvalid):
        read_certificate("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----")
    with pytest.raises(CertificateInvalid):
        read_certificate(cert_pem + cert_pem)
