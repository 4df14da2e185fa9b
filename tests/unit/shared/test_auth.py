"""Bearer tokens: forged, expired, wrong-audience, unsigned and untrusted tokens are refused."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth.devkeys import key_id
from shared.auth.principal import Role
from shared.auth.tokens import issue_dev_token
from shared.auth.verifier import AuthError, TokenVerifier
from shared.contracts.vocabulary import Confidentiality
from shared.settings import ServiceSettings


def _verifier(service: str = "documents") -> TokenVerifier:
    return TokenVerifier(ServiceSettings(service_name=service))


async def test_a_development_token_yields_the_principal_it_describes() -> None:
    token = issue_dev_token(
        user="lan", roles=[Role.APPROVER], clearance=Confidentiality.MAT, unit="CNTT"
    )
    principal = await _verifier().verify(token)
    assert principal.user == "lan"
    assert principal.roles == {Role.APPROVER}
    assert principal.cleared_for(Confidentiality.MAT)
    assert not principal.cleared_for(Confidentiality.TOI_MAT)
    assert principal.unit == "CNTT"


async def test_a_token_for_another_service_is_refused() -> None:
    token = issue_dev_token(user="a", roles=[Role.CLERK], audience=["portal"])
    with pytest.raises(AuthError, match="not meant for the documents"):
        await _verifier("documents").verify(token)


async def test_an_expired_token_is_refused() -> None:
    token = issue_dev_token(user="a", roles=[Role.CLERK], ttl_s=-60)
    with pytest.raises(AuthError, match="expired"):
        await _verifier().verify(token)


def _forged_admin_token(key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    """A token claiming the admin role, signed by a key of the forger's own."""
    claims = {
        "iss": "urn:egov:dev-idp",
        "sub": "x",
        "aud": ["documents"],
        "exp": time.time() + 60,
        "roles": ["admin"],
    }
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})


async def test_a_token_signed_by_a_foreign_key_is_refused() -> None:
    forged_key = ec.generate_private_key(ec.SECP256R1())
    forged = _forged_admin_token(forged_key, key_id(forged_key.public_key()))
    with pytest.raises(AuthError, match="unknown key"):
        await _verifier().verify(forged)


async def test_a_token_whose_kid_is_real_but_signature_forged_is_refused() -> None:
    real = issue_dev_token(user="a", roles=[Role.CLERK])
    header = jwt.get_unverified_header(real)
    forged = _forged_admin_token(ec.generate_private_key(ec.SECP256R1()), header["kid"])
    with pytest.raises(AuthError, match="invalid"):
        await _verifier().verify(forged)


async def test_an_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode({"sub": "x", "aud": "documents"}, key=None, algorithm="none")
    with pytest.raises(AuthError):
        await _verifier().verify(unsigned)


async def test_garbage_is_not_a_token() -> None:
    with pytest.raises(AuthError, match="well-formed"):
        await _verifier().verify("not-a-jwt")


async def test_production_refuses_to_trust_the_development_key() -> None:
    with pytest.raises(ValueError, match="TRUST_DEV_KEYS"):
        ServiceSettings(environment="production", trust_dev_keys=True)
