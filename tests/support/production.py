"""The least a service's settings need to pass production's start-up checks, for unit tests
that build production settings to test something else."""

from __future__ import annotations

import secrets


def production_settings_values() -> dict[str, str | bool]:
    """Production with a JWKS and the staff workspace's own settings (fresh secrets)."""
    return {
        "environment": "production",
        "trust_dev_keys": False,
        "jwks_file": "x",
        "oidc_issuer": "https://idp.example.gov.vn/",
        "oidc_client_id": "egov-workspace",
        "oidc_client_secret": secrets.token_hex(16),
        "session_secret": secrets.token_hex(32),
        "staff_directory_file": "/etc/egov/staff/staff-directory.json",
    }
