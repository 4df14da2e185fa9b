"""Production refuses to start on the staff workspace's development defaults, and says which
settings are missing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import (
    DEV_OIDC_CLIENT_SECRET,
    DEV_OIDC_ISSUER,
    DEV_SESSION_SECRET,
    ServiceSettings,
)
from shared.web.workspace import Workspace, WorkspaceUnconfigured
from tests.support.production import production_settings_values

WORKSPACE = {
    "oidc_issuer": "EGOV_OIDC_ISSUER",
    "oidc_client_id": "EGOV_OIDC_CLIENT_ID",
    "oidc_client_secret": "EGOV_OIDC_CLIENT_SECRET",
    "session_secret": "EGOV_SESSION_SECRET",
    "staff_directory_file": "EGOV_STAFF_DIRECTORY_FILE",
}


def _without(*fields: str) -> dict[str, str | bool]:
    return {k: v for k, v in production_settings_values().items() if k not in fields}


def test_production_with_its_own_workspace_settings_starts() -> None:
    settings = ServiceSettings(**production_settings_values())
    assert settings.workspace_unconfigured() == []


def test_production_without_any_workspace_setting_names_them_all() -> None:
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(**_without(*WORKSPACE))
    message = str(refused.value)
    for name in WORKSPACE.values():
        assert name in message
    assert "development defaults are refused" in message


@pytest.mark.parametrize("field", WORKSPACE)
def test_each_workspace_setting_is_required_alone(field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(**_without(field))
    named = [name for name in WORKSPACE.values() if name in str(refused.value)]
    assert named == [WORKSPACE[field]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("oidc_issuer", DEV_OIDC_ISSUER),
        ("oidc_client_secret", DEV_OIDC_CLIENT_SECRET),
        ("session_secret", DEV_SESSION_SECRET),
        ("oidc_issuer", ""),
        ("oidc_client_id", " "),
        ("staff_directory_file", ""),
    ],
)
def test_a_development_default_or_an_empty_value_given_explicitly_is_refused(
    field: str, value: str
) -> None:
    with pytest.raises(ValidationError, match=WORKSPACE[field]):
        ServiceSettings(**(production_settings_values() | {field: value}))


def test_a_short_session_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="EGOV_SESSION_SECRET must have at least 32"):
        ServiceSettings(**(production_settings_values() | {"session_secret": "x" * 31}))
    ServiceSettings(**(production_settings_values() | {"session_secret": "x" * 32}))


def test_settings_read_from_the_environment_count_as_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = production_settings_values()
    monkeypatch.setenv("EGOV_ENVIRONMENT", "production")
    monkeypatch.setenv("EGOV_TRUST_DEV_KEYS", "false")
    monkeypatch.setenv("EGOV_JWKS_FILE", "x")
    for field, name in WORKSPACE.items():
        monkeypatch.setenv(name, str(values[field]))
    assert ServiceSettings().workspace_unconfigured() == []
    monkeypatch.delenv("EGOV_STAFF_DIRECTORY_FILE")
    with pytest.raises(ValidationError, match="EGOV_STAFF_DIRECTORY_FILE"):
        ServiceSettings()


def test_every_production_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(environment="production")
    message = str(refused.value)
    assert "EGOV_TRUST_DEV_KEYS must be false" in message
    assert "EGOV_JWKS_URL or EGOV_JWKS_FILE" in message
    assert "EGOV_SESSION_SECRET" in message


def test_development_keeps_its_defaults() -> None:
    settings = ServiceSettings()
    assert settings.oidc_issuer == DEV_OIDC_ISSUER
    assert settings.workspace_unconfigured() == []


def test_no_workspace_opens_on_production_settings_that_skipped_the_check() -> None:
    unchecked = ServiceSettings.model_construct(environment="production")
    with pytest.raises(WorkspaceUnconfigured, match="EGOV_OIDC_ISSUER"):
        Workspace(unchecked, prefix="/workspace", title_key="workspace")


def test_a_refusal_does_not_print_the_secrets_it_was_given() -> None:
    # The secret comes last: an error that shows its input shows the end of it.
    given = {"environment": "production", "session_secret": "session-secret-3f9a7c"}
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(**given)
    message = str(refused.value)
    assert "EGOV_OIDC_ISSUER" in message
    assert "session-secret-3f9a7c" not in message
