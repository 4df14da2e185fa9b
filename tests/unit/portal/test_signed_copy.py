"""A page keeps the signed document as the exact bytes signed, one string; pages written
before kept a nested object, and both are read back the same for the signature check."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.portal.domain.page import page_fields, signed_document, signed_payload, signed_text
from shared.contracts.events import DocumentPublished
from shared.contracts.models import DocumentSignature, OrgRef, SignedDocument, Signer
from shared.contracts.vocabulary import Access, DocumentType
from shared.signing import canonical_bytes, public_jwk, signature_for, verify

KEY = Ed25519PrivateKey.generate()
JWKS = {"keys": [public_jwk(KEY.public_key(), "k1")]}


def publication(subject: str = 'Về việc Đôn đốc "chuyển đổi số" \\ tab\t') -> DocumentPublished:
    document = SignedDocument(
        document_id="doc-1",
        notation="1637/QĐ-BNG",
        number=1637,
        year=2025,
        doc_type=DocumentType.QUYET_DINH,
        subject=subject,
        issuer=OrgRef(code="000.00.00.G10", name="Bộ Ngoại giao"),
        signer=Signer(name="Bùi Thanh Sơn", position="Bộ trưởng"),
        issue_date=dt.date(2025, 3, 28),
        access=Access.PUBLIC,
        body="Điều 1. Ban hành kèm theo Quyết định này Kế hoạch.",
    )
    signature = signature_for(document, KEY, "k1", dt.datetime(2025, 3, 28, tzinfo=dt.UTC))
    return DocumentPublished(
        document_id="doc-1",
        document_version=3,
        document=document,
        signature=signature,
        published_at=dt.datetime(2025, 3, 28, 8, tzinfo=dt.UTC),
    )


def test_the_signed_document_is_stored_as_the_canonical_bytes_it_was_signed_over() -> None:
    event = publication()
    stored = page_fields(event)["signed"]
    assert isinstance(stored, str)
    assert stored.encode() == canonical_bytes(event.document)
    assert json.loads(stored) == event.document.model_dump(mode="json")


def test_both_shapes_read_back_as_the_document_and_verify_as_stored() -> None:
    event = publication()
    signature = DocumentSignature.model_validate(event.signature.model_dump(mode="json"))
    new_shape = {"signed": page_fields(event)["signed"]}
    old_shape = {"signed": event.document.model_dump(mode="json")}
    assert signed_document(new_shape) == signed_document(old_shape)
    assert verify(signed_document(new_shape), signature, JWKS)
    assert verify(signed_document(old_shape), signature, JWKS)
    other = {"signed": page_fields(publication(subject="khác"))["signed"]}
    assert not verify(signed_document(other), signature, JWKS)
    # The stored copy is checked as it is: it is the canonical JSON the signature covers.
    assert signed_payload(new_shape) == signed_payload(old_shape)
    assert signed_payload(new_shape) == canonical_bytes(event.document)
    assert verify(signed_payload(new_shape), signature, JWKS)
    assert verify(signed_payload(old_shape), signature, JWKS)
    tampered = {"signed": str(new_shape["signed"]).replace("1637", "1638")}
    assert not verify(signed_payload(tampered), signature, JWKS)


def test_the_fast_canonical_form_equals_rfc_8785_for_every_character() -> None:
    every = "".join(chr(c) for c in range(0x10FFFF) if not 0xD800 <= c < 0xE000)
    for start in range(0, len(every), 2000):
        event = publication(subject=every[start : start + 2000])
        stored = page_fields(event)["signed"]
        assert stored.encode() == canonical_bytes(event.document), start


def test_numbers_beyond_the_safe_integers_take_the_full_canonicalisation() -> None:
    huge = publication().document.model_copy(update={"number": 2**60})
    with pytest.raises(rfc8785.IntegerDomainError):  # never signable, so never stored
        signed_text(huge)
    assert signed_text(publication().document) == canonical_bytes(publication().document).decode()
