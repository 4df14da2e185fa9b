"""A running service obtains its own service-account token and renews it before expiry."""

from __future__ import annotations

import jwt
import pytest
from typer.testing import CliRunner

from egov_cli.main import app
from shared.auth.service_token import ServiceTokenConfigError, ServiceTokenProvider
from shared.auth.verifier import TokenVerifier
from shared.settings import ServiceSettings
from tests.support.production import production_settings_values


async def test_a_service_token_names_the_service_account_and_other_services_accept_it() -> None:
    provider = ServiceTokenProvider(ServiceSettings(service_name="portal"))
    token = await provider.token()
    principal = await TokenVerifier(ServiceSettings(service_name="documents")).verify(token)
    assert {str(r) for r in principal.roles} == {"service_portal"}
    assert principal.is_service


async def test_the_token_is_reused_while_fresh_and_renewed_near_expiry() -> None:
    provider = ServiceTokenProvider(ServiceSettings(service_name="lgsp"), ttl_s=600)
    first = await provider.token()
    assert await provider.token() == first
    short = ServiceTokenProvider(ServiceSettings(service_name="lgsp"), ttl_s=60)
    a = await short.token()  # lives less than the renewal margin: renewed on every use
    b = await short.token()
    assert a != b
    assert jwt.decode(b, options={"verify_signature": False})["exp"] > 0


def test_egov_token_prints_a_token_the_services_accept() -> None:
    result = CliRunner().invoke(
        app,
        [
            "token",
            "--user",
            "lan",
            "--role",
            "drafter",
            "--unit",
            "CNTT",
            "--audience",
            "documents",
        ],
    )
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), options={"verify_signature": False})
    assert claims["aud"] == ["documents"] and claims["roles"] == ["drafter"]
    assert claims["unit"] == "CNTT"


def test_egov_token_refuses_an_unknown_role() -> None:
    result = CliRunner().invoke(app, ["token", "--user", "x", "--role", "king"])
    assert result.exit_code != 0


def test_without_the_development_key_the_service_account_is_required_at_start_up() -> None:
    production = production_settings_values()
    with pytest.raises(ServiceTokenConfigError) as refused:
        ServiceTokenProvider(ServiceSettings(service_name="lgsp", **production))
    message = str(refused.value)
    for name in (
        "EGOV_OAUTH_TOKEN_URL",
        "EGOV_LGSP_OAUTH_CLIENT_ID",
        "EGOV_LGSP_OAUTH_CLIENT_SECRET",
    ):
        assert name in message
    with pytest.raises(ServiceTokenConfigError, match=r"EGOV_LGSP_OAUTH_CLIENT_SECRET$"):
        ServiceTokenProvider(
            ServiceSettings(
                service_name="lgsp",
                oauth_token_url="https://idp.example/token",
                oauth_client_id="egov-lgsp",
                **production,
            )
        )
    ServiceTokenProvider(
        ServiceSettings(
            service_name="lgsp",
            oauth_token_url="https://idp.example/token",
            oauth_client_id="egov-lgsp",
            oauth_client_secret="s3cret",
            **production,
        )
    )
