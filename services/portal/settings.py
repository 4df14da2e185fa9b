"""Settings of the portal service: environment variables prefixed EGOV_PORTAL_."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EGOV_PORTAL_", extra="ignore")

    service_name: str = "portal"
    port: int = 8000
    search_rate_per_min: int = Field(
        default=120,
        ge=1,
        description="searches per minute of one client (by address), counted per replica",
    )
    documents_url: str = Field(
        default="http://127.0.0.1:8001",
        description="base URL of the documents service: claim-check files and its JWKS",
    )
    site_name: str = "Cổng thông tin điện tử Bộ Ngoại giao"
    site_name_en: str = "Ministry of Foreign Affairs e-Portal"
    page_size: int = Field(default=20, ge=1, le=200, description="documents per HTML page")
    feed_size: int = Field(default=50, ge=1, le=500, description="entries in /feed.atom")
    fetch_timeout_s: float = Field(default=15.0, gt=0)
    fetch_retry_base_s: float = Field(default=5.0, gt=0, description="first retry delay")
    fetch_retry_max_s: float = Field(default=3600.0, gt=0, description="longest retry delay")
    fetch_max_attempts: int = Field(default=20, ge=1, description="then the file is given up")
    fetch_lease_s: float = Field(default=120.0, gt=0, description="claim on a fetch job")
    max_file_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    news_image_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1, description="largest image an editor may upload"
    )
    jwks_ttl_s: float = Field(default=3600.0, gt=0, description="JWKS cache lifetime")
    jwks_min_refresh_s: float = Field(
        default=5.0, ge=0, description="least time between two JWKS fetches (unknown kid)"
    )
    worker_interval_s: float = Field(default=2.0, gt=0, description="background job poll")
    featured_notations: list[str] = Field(
        default=["1637/QĐ-BNG"],
        description="notations of the documents the home page shows as important (JSON list)",
    )
    read_model_refresh_s: float = Field(
        default=1.0,
        gt=0,
        description="how often a replica re-reads the active read model and the change stamp",
    )
    shared_cache_s: int = Field(
        default=5, ge=0, description="how long a shared cache (CDN) may hold a public answer"
    )
    stale_while_revalidate_s: int = Field(
        default=30, ge=0, description="how long a shared cache may serve it stale while it asks"
    )
    html_cache_s: float = Field(
        default=1.0, ge=0, description="how long a replica reuses a rendered public page"
    )
