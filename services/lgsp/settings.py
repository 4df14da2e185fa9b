"""Settings of the lgsp service: environment variables prefixed EGOV_LGSP_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EGOV_LGSP_", extra="ignore")

    service_name: str = "lgsp"
    port: int = 8002
