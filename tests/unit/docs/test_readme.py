"""The README's configuration tables name every setting the services read."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic import AliasChoices

from shared.settings import ServiceSettings

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()
# Not configuration: the service's identity.
INTERNAL = {"service_name"}


def _env_names(field_name: str, settings_cls: type[ServiceSettings], prefix: str) -> list[str]:
    field = settings_cls.model_fields[field_name]
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [f"{prefix}{field_name.upper()}"]


@pytest.mark.parametrize("service", ["documents", "portal", "lgsp"])
def test_every_setting_of_the_service_is_documented(service: str) -> None:
    settings_cls = importlib.import_module(f"services.{service}.settings").Settings
    prefix = f"EGOV_{service.upper()}_"
    missing = []
    for name in settings_cls.model_fields:
        if name in INTERNAL:
            continue
        names = _env_names(name, settings_cls, prefix)
        inherited = name in ServiceSettings.model_fields and names[0].startswith(prefix)
        documented = any(n in README for n in names) or (
            inherited and f"`…_{name.upper()}`" in README
        )
        if not documented:
            missing.append(names[0])
    assert not missing, f"README lacks: {', '.join(missing)}"
