"""Settings shared by every service, read from the environment by pydantic-settings.

Each service subclasses :class:`ServiceSettings` with its own prefix (``EGOV_DOCUMENTS_``,
``EGOV_PORTAL_``, ``EGOV_LGSP_``). The infrastructure addresses are common to all three and
are read from un-prefixed ``EGOV_*`` variables, so one export points the whole platform at
another Kafka or MongoDB.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Where local development keys and tokens live: outside any clone."""
    return Path(os.environ.get("EGOV_HOME", Path.home() / ".config" / "egov"))


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", validate_default=True, populate_by_name=True)

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    environment: str = Field(
        default="development",
        validation_alias=AliasChoices("EGOV_ENVIRONMENT"),
        description="development or production; production refuses development shortcuts",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("EGOV_KAFKA_BOOTSTRAP_SERVERS"),
    )
    mongo_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017/"),
        validation_alias=AliasChoices("EGOV_MONGO_URL"),
    )
    mongo_database: str = ""
    topic_suffix: str = Field(
        default="",
        validation_alias=AliasChoices("EGOV_TOPIC_SUFFIX"),
        description="appended to every topic name; lets test runs share one broker",
    )
    consumer_group: str = ""
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("EGOV_LOG_LEVEL"))
    # Authentication of staff and service accounts (docs/architecture.md §6).
    jwt_issuer: str = Field(
        default="urn:egov:dev-idp", validation_alias=AliasChoices("EGOV_JWT_ISSUER")
    )
    jwks_url: str = Field(default="", validation_alias=AliasChoices("EGOV_JWKS_URL"))
    jwks_file: str = Field(default="", validation_alias=AliasChoices("EGOV_JWKS_FILE"))
    trust_dev_keys: bool = Field(
        default=True,
        validation_alias=AliasChoices("EGOV_TRUST_DEV_KEYS"),
        description="trust the local development signing key (never in production)",
    )
    oauth_token_url: str = Field(default="", validation_alias=AliasChoices("EGOV_OAUTH_TOKEN_URL"))
    oauth_client_id: str = ""
    oauth_client_secret: SecretStr = SecretStr("")
    # Consumers: bounded in-process retries before a record is dead-lettered.
    consumer_max_retries: int = 3
    consumer_retry_backoff_s: float = 0.2
    outbox_sweep_interval_s: float = 2.0
    outbox_lease_s: float = 15.0

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> ServiceSettings:
        if self.environment == "production" and self.trust_dev_keys:
            raise ValueError("EGOV_TRUST_DEV_KEYS must be false in production")
        if self.environment == "production" and not (self.jwks_url or self.jwks_file):
            raise ValueError("production needs EGOV_JWKS_URL or EGOV_JWKS_FILE")
        return self

    @property
    def audience(self) -> str:
        return self.service_name

    @property
    def source_urn(self) -> str:
        return f"urn:egov:{self.service_name}"

    def database_name(self) -> str:
        return self.mongo_database or f"egov_{self.service_name}"

    def group_id(self) -> str:
        return self.consumer_group or f"egov-{self.service_name}"
