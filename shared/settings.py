"""Settings shared by every service, read from the environment by pydantic-settings.

Each service subclasses :class:`ServiceSettings` with its own prefix (``EGOV_DOCUMENTS_``,
``EGOV_PORTAL_``, ``EGOV_LGSP_``). The infrastructure addresses are common to all three and
are read from un-prefixed ``EGOV_*`` variables, so one export points the whole platform at
another Kafka or MongoDB.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development defaults of the staff workspace, refused in production.
DEV_OIDC_ISSUER = "http://127.0.0.1:5556/dex"
DEV_OIDC_CLIENT_SECRET = "egov-workspace-dev-secret"
DEV_SESSION_SECRET = "egov-development-session-secret"
# Anyone who knows the session secret can sign a cookie as any staff member.
MIN_SESSION_SECRET_CHARS = 32


def default_home() -> Path:
    """Where local development keys and tokens live: outside any clone."""
    return Path(os.environ.get("EGOV_HOME", Path.home() / ".config" / "egov"))


class KafkaClientSettings(BaseSettings):
    """How every Kafka client of the platform connects: the services and `egov topics`."""

    # A refused setting must not print the environment it was read from: it holds secrets.
    model_config = SettingsConfigDict(
        extra="ignore", validate_default=True, populate_by_name=True, hide_input_in_errors=True
    )

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("EGOV_KAFKA_BOOTSTRAP_SERVERS"),
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", validation_alias=AliasChoices("EGOV_KAFKA_SECURITY_PROTOCOL")
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        default="SCRAM-SHA-512", validation_alias=AliasChoices("EGOV_KAFKA_SASL_MECHANISM")
    )
    kafka_sasl_username: str = Field(
        default="", validation_alias=AliasChoices("EGOV_KAFKA_SASL_USERNAME")
    )
    kafka_sasl_password: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("EGOV_KAFKA_SASL_PASSWORD")
    )
    kafka_ssl_cafile: str = Field(
        default="",
        validation_alias=AliasChoices("EGOV_KAFKA_SSL_CAFILE"),
        description="PEM bundle of the CAs that sign the brokers' certificates (SSL, SASL_SSL)",
    )

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> KafkaClientSettings:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password.get_secret_value()
        ):
            raise ValueError(
                f"EGOV_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "EGOV_KAFKA_SASL_USERNAME and EGOV_KAFKA_SASL_PASSWORD"
            )
        return self


class ServiceSettings(KafkaClientSettings):
    model_config = SettingsConfigDict(
        extra="ignore", validate_default=True, populate_by_name=True, hide_input_in_errors=True
    )

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    environment: str = Field(
        default="development",
        validation_alias=AliasChoices("EGOV_ENVIRONMENT"),
        description="development or production; production refuses development shortcuts",
    )
    create_topics: bool = Field(
        default=True,
        validation_alias=AliasChoices("EGOV_CREATE_TOPICS"),
        description=(
            "create missing topics at start-up; false in production, where only the topic "
            "job creates them (with its replication) and the services wait for them"
        ),
    )
    topics_wait_s: float = Field(
        default=120.0,
        gt=0,
        validation_alias=AliasChoices("EGOV_TOPICS_WAIT_S"),
        description="with EGOV_CREATE_TOPICS=false: how long start-up waits for the topics",
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
    max_body_bytes: int = Field(
        default=1024 * 1024,
        gt=0,
        description="largest request body of a route without a limit of its own (413 above)",
    )
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
    # Operations: the admin port (metrics, API descriptions) and tracing.
    admin_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="port of /metrics, /openapi.json, /asyncapi.json, /docs; default port + 1000",
    )
    admin_host: str = Field(default="", description="address of the admin port; default host")
    metrics_interval_s: float = Field(
        default=15.0, gt=0, description="how often consumer lag and dead letters are read"
    )
    otlp_endpoint: str = Field(
        default="",
        validation_alias=AliasChoices("EGOV_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
        description="OTLP/HTTP collector, e.g. http://otel-collector:4318 (empty: no export)",
    )

    # Staff workspace: OpenID Connect sign-in and the session cookie (docs/architecture.md,
    # "Staff workspace"). The development defaults match the local Dex of deploy/local;
    # production refuses to start with them (_refuse_unsafe_production).
    oidc_issuer: str = Field(
        default=DEV_OIDC_ISSUER,
        validation_alias=AliasChoices("EGOV_OIDC_ISSUER"),
        description="OpenID Connect issuer of staff sign-in (its discovery document is read)",
    )
    oidc_client_id: str = Field(
        default="egov-workspace", validation_alias=AliasChoices("EGOV_OIDC_CLIENT_ID")
    )
    oidc_client_secret: SecretStr = Field(
        default=SecretStr(DEV_OIDC_CLIENT_SECRET),
        validation_alias=AliasChoices("EGOV_OIDC_CLIENT_SECRET"),
    )
    session_secret: SecretStr = Field(
        default=SecretStr(DEV_SESSION_SECRET),
        validation_alias=AliasChoices("EGOV_SESSION_SECRET"),
        description="signs the workspace session cookies; the same on every replica",
    )
    session_idle_s: int = Field(
        default=30 * 60,
        gt=0,
        validation_alias=AliasChoices("EGOV_SESSION_IDLE_S"),
        description="a workspace session ends after this long without a request",
    )
    session_max_s: int = Field(
        default=10 * 3600,
        gt=0,
        validation_alias=AliasChoices("EGOV_SESSION_MAX_S"),
        description="a workspace session ends this long after sign-in, whatever the activity",
    )
    staff_directory_file: str = Field(
        default_factory=lambda: str(default_home() / "staff-directory.json"),
        validation_alias=AliasChoices("EGOV_STAFF_DIRECTORY_FILE"),
        description="JSON file: e-mail -> user, name, roles, unit, clearance of each staff member",
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        # Every problem at once: an operator fixes the deployment in one round.
        problems = []
        if self.trust_dev_keys:
            problems.append("EGOV_TRUST_DEV_KEYS must be false in production")
        if not (self.jwks_url or self.jwks_file):
            problems.append("production needs EGOV_JWKS_URL or EGOV_JWKS_FILE")
        missing = self.workspace_unconfigured()
        if missing:
            problems.append(
                "production needs the staff workspace's own " + ", ".join(missing) + " (the "
                "development defaults are refused; see docs/operations.md, Settings)"
            )
        secret = self.session_secret.get_secret_value()
        if "EGOV_SESSION_SECRET" not in missing and len(secret) < MIN_SESSION_SECRET_CHARS:
            problems.append(
                f"EGOV_SESSION_SECRET must have at least {MIN_SESSION_SECRET_CHARS} characters "
                "in production (e.g. openssl rand -hex 32)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def workspace_unconfigured(self) -> list[str]:
        """The workspace settings production lacks: not given, empty, or a development
        default. The client id and the directory's path have harmless defaults, but they
        name the local stack's client and a file in the home directory: production chooses
        them itself."""
        if self.environment != "production":
            return []
        given = self.model_fields_set
        workspace = (
            ("EGOV_OIDC_ISSUER", "oidc_issuer", self.oidc_issuer, DEV_OIDC_ISSUER),
            ("EGOV_OIDC_CLIENT_ID", "oidc_client_id", self.oidc_client_id, None),
            (
                "EGOV_OIDC_CLIENT_SECRET",
                "oidc_client_secret",
                self.oidc_client_secret.get_secret_value(),
                DEV_OIDC_CLIENT_SECRET,
            ),
            (
                "EGOV_SESSION_SECRET",
                "session_secret",
                self.session_secret.get_secret_value(),
                DEV_SESSION_SECRET,
            ),
            ("EGOV_STAFF_DIRECTORY_FILE", "staff_directory_file", self.staff_directory_file, None),
        )
        return [
            name
            for name, field, value, development in workspace
            if field not in given or not value.strip() or value == development
        ]

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
