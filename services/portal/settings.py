"""Settings of the portal service: environment variables prefixed EGOV_PORTAL_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EGOV_PORTAL_", extra="ignore")

    service_name: str = "portal"
    port: int = 8000
