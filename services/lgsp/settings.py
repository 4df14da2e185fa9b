"""Settings of the lgsp service: environment variables prefixed EGOV_LGSP_."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EGOV_LGSP_", extra="ignore")

    service_name: str = "lgsp"
    port: int = 8002
    public_url: str = Field(
        default="http://127.0.0.1:8002",
        description="base URL partners use to reach the LGSP (file links in payloads)",
    )
    documents_url: str = Field(
        default="http://127.0.0.1:8001",
        description="base URL of the documents service, for claim-check file fetches",
    )
    organisation_code: str = Field(
        default="000.00.00.G06",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,63}$",
        description=(
            "the ministry's own code in the national directory of agencies: documents sent in "
            "must name it as a receiver, and it is the sender of what the LGSP writes"
        ),
    )
    organisation_name: str = Field(
        default="Bộ Ngoại giao", description="the ministry's name in the messages the LGSP writes"
    )
    promulgation_place: str = Field(
        default="Hà Nội",
        max_length=200,
        description="the place of promulgation the LGSP writes in edXML messages",
    )
    edxml_key_file: str = Field(
        default="",
        description=(
            "PEM RSA private key that signs the edXML messages the LGSP sends; empty in "
            "development: a key and self-signed certificate are generated under EGOV_HOME"
        ),
    )
    edxml_cert_file: str = Field(
        default="", description="PEM X.509 certificate of EGOV_LGSP_EDXML_KEY_FILE"
    )
    max_inbound_bytes: int = Field(
        default=50 * 1024 * 1024,
        gt=0,
        description="largest document a partner may send in (whole request body)",
    )
    allow_private_webhooks: bool = Field(
        default=False, description="accept webhook URLs on loopback or private addresses"
    )
    backoff_base_s: float = Field(default=5.0, gt=0, description="first retry delay")
    backoff_max_s: float = Field(default=3600.0, gt=0, description="longest retry delay")
    give_up_after_s: float = Field(
        default=3 * 86400.0, gt=0, description="a job not delivered within this is dead"
    )
    partner_concurrency: int = Field(
        default=2, ge=1, description="in-flight sends per partner, across all replicas"
    )
    worker_concurrency: int = Field(default=16, ge=1, description="in-flight sends per replica")
    rate_limit_per_s: float = Field(
        default=10.0, gt=0, description="sends per second per partner, across all replicas"
    )
    rate_limit_burst: int = Field(
        default=20, ge=1, description="burst of the per-partner limit, across all replicas"
    )
    partner_requests_per_min: int = Field(
        default=600,
        ge=1,
        description="requests per minute of one partner to the partner API, across all replicas",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="timeout of one webhook call")
    job_lease_s: float = Field(default=60.0, gt=0, description="lease of a claimed job")
    worker_poll_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="while jobs wait: how often the worker checks for partner changes",
    )
    worker_rescan_interval_s: float = Field(
        default=30.0,
        gt=0,
        description="how often the worker reads the active set for jobs it does not know",
    )
    inbox_visibility_s: float = Field(
        default=60.0, gt=0, description="an unacknowledged inbox item comes back after this"
    )
    secret_overlap_s: float = Field(
        default=86400.0, ge=0, description="old webhook secret still signs for this long"
    )
    file_fetch_timeout_s: float = Field(default=30.0, gt=0, description="claim-check fetch")
    max_file_bytes: int = Field(
        default=104857600, gt=0, description="largest attachment a claim-check fetch accepts"
    )
    retention_delivered_s: float = Field(
        default=30 * 86400.0,
        gt=0,
        description=(
            "finished delivery jobs (delivered, acknowledged inbox items, failed, dead) are "
            "deleted this long after they finished; pending and retrying jobs never are"
        ),
    )
    retention_events_s: float = Field(
        default=90 * 86400.0,
        gt=0,
        description=(
            "received events are deleted this long after their time, unless a stored delivery "
            "job still refers to them; replay can only re-send events inside this window"
        ),
    )
    replay_max_window_s: float = Field(
        default=7 * 86400.0,
        gt=0,
        description="the longest window one replay may re-send; longer ones are refused (422)",
    )
    replay_batch_events: int = Field(
        default=200, ge=1, le=1000, description="events a replay job re-sends per batch"
    )
    replay_max_running: int = Field(
        default=4, ge=1, description="replays running at once, across all replicas"
    )
    replay_lease_s: float = Field(
        default=30.0,
        gt=0,
        description="a replica running a replay renews this lease each batch; another one "
        "resumes the replay when it runs out",
    )
    replay_interval_s: float = Field(
        default=2.0, gt=0, description="how often each replica looks for replays to run"
    )
    retention_revoked_keys_s: float = Field(
        default=30 * 86400.0, gt=0, description="revoked API keys are deleted this long after"
    )
    idempotency_key_ttl_s: float = Field(
        default=86400.0,
        gt=0,
        description="an Idempotency-Key of a create request is kept this long",
    )
    retention_sweep_interval_s: float = Field(
        default=3600.0, gt=0, description="how often each replica runs the retention sweep"
    )
    message_log_bodies: Literal["full", "hash"] = Field(
        default="full",
        description=(
            "message log: keep each payload's body (up to message_log_max_body_bytes, larger "
            "ones truncated with a marker) or only its SHA-256 and size"
        ),
    )
    message_log_max_body_bytes: int = Field(
        default=64 * 1024, ge=0, description="message log: the most bytes of a body kept"
    )
    message_log_retention_s: float = Field(
        default=180 * 86400.0,
        gt=0,
        description=(
            "message log: entries older than this are deleted, up to a signed checkpoint "
            "(the administrators' audit log is kept forever)"
        ),
    )
    message_log_checkpoint_every: int = Field(
        default=100, ge=1, description="message and audit logs: a signed checkpoint every N"
    )
    log_signing_key_file: str = Field(
        default="",
        description=(
            "PEM (PKCS#8) Ed25519 key that signs the logs' checkpoints; empty = one generated "
            "and kept in the database (development only: set a file in production)"
        ),
    )
    log_signing_key_id: str = Field(default="", description="kid of the key in that file")
    log_retired_public_keys: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "JSON object kid -> PEM public key of earlier checkpoint keys (after a rotation): "
            "with a key file set, only these and the file's key are trusted, never the store"
        ),
    )

    @property
    def send_lease_s(self) -> float:
        """The lease of a claimed job and of its partner slot: outlasts one send."""
        return max(self.job_lease_s, self.webhook_timeout_s * 3)
