"""Settings of the documents service: environment variables prefixed EGOV_DOCUMENTS_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EGOV_DOCUMENTS_", extra="ignore")

    service_name: str = "documents"
    port: int = 8001
