"""What each service needs to run in production, checked against the deployment files."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from shared.auth.service_token import check_service_credentials
from shared.settings import ServiceSettings

SERVICES = ("documents", "portal", "lgsp")
PORTS = {"documents": 8001, "portal": 8000, "lgsp": 8002}

# The staff workspace of every service: sign-in, session cookies, the staff directory.
WORKSPACE = (
    "EGOV_OIDC_ISSUER",
    "EGOV_OIDC_CLIENT_ID",
    "EGOV_OIDC_CLIENT_SECRET",
    "EGOV_SESSION_SECRET",
    "EGOV_STAFF_DIRECTORY_FILE",
)
COMMON = (
    "EGOV_KAFKA_BOOTSTRAP_SERVERS",
    "EGOV_MONGO_URL",
    "EGOV_JWKS_URL",
    "EGOV_JWT_ISSUER",
    "EGOV_OAUTH_TOKEN_URL",
    *WORKSPACE,
)
# Besides the common ones and the service account (EGOV_<SERVICE>_OAUTH_CLIENT_ID/_SECRET).
OWN: dict[str, tuple[str, ...]] = {
    "documents": (
        "EGOV_DOCUMENTS_HOST",
        "EGOV_DOCUMENTS_LGSP_URL",
        "EGOV_DOCUMENTS_SIGNING_KEY_FILE",
        "EGOV_DOCUMENTS_SIGNING_KEY_ID",
    ),
    "portal": ("EGOV_PORTAL_HOST", "EGOV_PORTAL_DOCUMENTS_URL", "EGOV_PORTAL_PUBLIC_URL"),
    "lgsp": (
        "EGOV_LGSP_HOST",
        "EGOV_LGSP_PUBLIC_URL",
        "EGOV_LGSP_DOCUMENTS_URL",
        "EGOV_LGSP_EDXML_KEY_FILE",
        "EGOV_LGSP_EDXML_CERT_FILE",
        "EGOV_LGSP_LOG_SIGNING_KEY_FILE",
        "EGOV_LGSP_LOG_SIGNING_KEY_ID",
    ),
}
# Where each service reaches the others: (setting, service it names).
LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (("EGOV_DOCUMENTS_LGSP_URL", "lgsp"),),
    "portal": (("EGOV_PORTAL_DOCUMENTS_URL", "documents"),),
    "lgsp": (("EGOV_LGSP_DOCUMENTS_URL", "documents"),),
}


def required(service: str) -> tuple[str, ...]:
    prefix = f"EGOV_{service.upper()}_"
    return (*COMMON, f"{prefix}OAUTH_CLIENT_ID", f"{prefix}OAUTH_CLIENT_SECRET", *OWN[service])


def missing(service: str, env: Mapping[str, str]) -> list[str]:
    return [name for name in required(service) if not env.get(name)]


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = {k: v for k, v in os.environ.items() if k.startswith("EGOV_") and k != "EGOV_HOME"}
    for key in saved:
        del os.environ[key]
    os.environ.update(env)
    try:
        yield
    finally:
        for key in env:
            os.environ.pop(key, None)
        os.environ.update(saved)


def production_settings(service: str, env: Mapping[str, str]) -> ServiceSettings:
    """The service's settings from exactly this environment, with its start-up checks."""
    with _environment(env):
        settings: Any = importlib.import_module(f"services.{service}.settings").Settings()
    check_service_credentials(settings)
    assert settings.environment == "production" and not settings.trust_dev_keys
    assert not settings.create_topics, "only the topic job creates topics in production"
    assert not settings.workspace_unconfigured()
    return settings  # type: ignore[no-any-return]
