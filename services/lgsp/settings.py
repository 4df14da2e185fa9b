"""Settings of the lgsp service: environment variables prefixed EGOV_LGSP_."""

from __future__ import annotations

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

    @property
    def send_lease_s(self) -> float:
        """The lease of a claimed job and of its partner slot: outlasts one send."""
        return max(self.job_lease_s, self.webhook_timeout_s * 3)
