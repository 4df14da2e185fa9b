"""Document signatures: the JWS form verifies with JOSE libraries, the original form still
verifies, and what a verifier must refuse is refused."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

import jwt
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws as joserfc_jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from shared.contracts.events import DocumentPublished
from shared.contracts.models import DocumentSignature, SignedDocument
from shared.signing import (
    SignatureForm,
    attach_payload,
    b64url,
    form_of,
    public_jwk,
    sign,
    signature_for,
    verify,
    verify_jws,
)

FIXTURES = Path(__file__).parents[3] / "shared" / "contracts" / "fixtures"
KID = "BNG-2026-1"
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def jwks(key: Ed25519PrivateKey) -> dict[str, Any]:
    return {"keys": [public_jwk(key.public_key(), KID)]}


@pytest.fixture(scope="module")
def document() -> SignedDocument:
    event = json.loads((FIXTURES / "document.published.json").read_text())
    return SignedDocument.model_validate(event["document"])


def _header(fields: dict[str, Any]) -> str:
    return b64url(json.dumps(fields).encode())


def _jws_with_header(
    fields: dict[str, Any], document: SignedDocument, key: Ed25519PrivateKey
) -> str:
    header = _header(fields)
    signing_input = f"{header}.{b64url(rfc8785.dumps(document.model_dump(mode='json')))}"
    return f"{header}..{b64url(key.sign(signing_input.encode()))}"


def test_an_issuance_signature_carries_a_detached_jws_and_the_original_form(
    document: SignedDocument, key: Ed25519PrivateKey, jwks: dict[str, Any]
) -> None:
    signature = signature_for(document, key, KID, NOW)
    assert signature.jws is not None
    header, empty, sig = signature.jws.split(".")
    assert empty == "" and header and sig
    assert json.loads(jwt.utils.base64url_decode(header)) == {"alg": "EdDSA", "kid": KID}
    assert form_of(signature) is SignatureForm.JWS
    assert verify(document, signature, jwks)
    # Given as stored JSON, too (what the services keep and send).
    assert verify(document.model_dump(mode="json"), signature, jwks)
    # The original form on its own still verifies.
    legacy = signature.model_copy(update={"jws": None})
    assert form_of(legacy) is SignatureForm.LEGACY
    assert verify(document, legacy, jwks)


def test_pyjwt_verifies_the_jws_once_the_payload_is_put_back(
    document: SignedDocument, key: Ed25519PrivateKey, jwks: dict[str, Any]
) -> None:
    signature = signature_for(document, key, KID, NOW)
    assert signature.jws is not None
    token = attach_payload(signature.jws, document)
    public = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    payload = jwt.PyJWS().decode(token, public, algorithms=["EdDSA"])
    assert json.loads(payload) == document.model_dump(mode="json")
    tampered = attach_payload(signature.jws, {**document.model_dump(mode="json"), "number": 2})
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.PyJWS().decode(tampered, public, algorithms=["EdDSA"])


def test_joserfc_verifies_the_detached_jws_directly(
    document: SignedDocument, key: Ed25519PrivateKey, jwks: dict[str, Any]
) -> None:
    signature = signature_for(document, key, KID, NOW)
    assert signature.jws is not None
    keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    canonical = rfc8785.dumps(document.model_dump(mode="json"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc flags "EdDSA" as superseded by RFC 9864
        verified = joserfc_jws.deserialize_compact(
            signature.jws, keys, algorithms=["EdDSA"], payload=canonical
        )
        assert verified.protected["kid"] == KID
        with pytest.raises(BadSignatureError):
            joserfc_jws.deserialize_compact(
                signature.jws, keys, algorithms=["EdDSA"], payload=canonical + b" "
            )


def test_a_changed_document_or_an_unknown_key_fails(
    document: SignedDocument, key: Ed25519PrivateKey, jwks: dict[str, Any]
) -> None:
    signature = signature_for(document, key, KID, NOW)
    changed = document.model_copy(update={"subject": "Nội dung bị sửa"})
    assert not verify(changed, signature, jwks)
    assert not verify(changed, signature.model_copy(update={"jws": None}), jwks)
    other = {"keys": [public_jwk(Ed25519PrivateKey.generate().public_key(), KID)]}
    assert not verify(document, signature, other)
    assert not verify(document, signature, {"keys": []})


@pytest.mark.parametrize(
    "fields",
    [
        {"alg": "none", "kid": KID},
        {"alg": "HS256", "kid": KID},
        {"alg": "EdDSA", "kid": KID, "crit": ["exp"]},
        {"alg": "EdDSA", "kid": KID, "b64": False, "crit": ["b64"]},
        {"alg": "EdDSA"},
        {"alg": "EdDSA", "kid": "BNG-2026-9"},
    ],
    ids=["none", "hmac", "unknown-crit", "unencoded-payload", "no-kid", "unknown-kid"],
)
def test_headers_a_verifier_must_refuse(
    fields: dict[str, Any],
    document: SignedDocument,
    key: Ed25519PrivateKey,
    jwks: dict[str, Any],
) -> None:
    jws = _jws_with_header(fields, document, key)
    assert not verify_jws(document, jws, jwks)


def test_the_signature_kid_must_be_the_jws_kid(
    document: SignedDocument, key: Ed25519PrivateKey, jwks: dict[str, Any]
) -> None:
    second = {"keys": [*jwks["keys"], public_jwk(key.public_key(), "BNG-2026-2")]}
    signature = signature_for(document, key, "BNG-2026-2", NOW)
    assert verify(document, signature, second)
    assert not verify(document, signature.model_copy(update={"kid": KID}), second)


@pytest.mark.parametrize(
    "jws",
    ["", "..", "abc", "a.b.c", "a..b..c", "!!!..abc", "e30..abc", "bnVsbA..abc"],
)
def test_malformed_jws_never_verifies(
    jws: str, document: SignedDocument, jwks: dict[str, Any]
) -> None:
    assert not verify_jws(document, jws, jwks)


def test_the_contract_refuses_a_jws_that_is_not_detached_compact(
    document: SignedDocument, key: Ed25519PrivateKey
) -> None:
    signature = signature_for(document, key, KID, NOW)
    assert signature.jws is not None
    attached = attach_payload(signature.jws, document)
    with pytest.raises(ValueError):
        DocumentSignature.model_validate({**signature.model_dump(mode="json"), "jws": attached})


def test_a_signature_without_jws_serializes_exactly_as_before(
    document: SignedDocument, key: Ed25519PrivateKey
) -> None:
    legacy = DocumentSignature(kid=KID, value=sign(document, key), signed_at=NOW)
    assert set(legacy.model_dump(mode="json")) == {"alg", "kid", "value", "signed_at"}
    assert "jws" not in legacy.model_dump_json()
    event = json.loads((FIXTURES / "document.published.json").read_text())
    event["signature"] = legacy.model_dump(mode="json")
    assert "jws" not in DocumentPublished.model_validate(event).model_dump_json()
