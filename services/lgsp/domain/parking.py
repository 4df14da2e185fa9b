"""When a partner cannot be sent to at all: its webhook jobs are parked, not retried.

A parked partner's jobs are neither claimed nor attempted, so they cost nothing while an
administrator fixes the cause (rotate the secret, resume the partner, set a new endpoint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from services.lgsp.domain.partners import PartnerState
from shared.kit.clock import as_utc


def signing_secrets(partner: Mapping[str, Any], at: dt.datetime) -> list[str]:
    """Secrets that still sign: the current one and any within its overlap window."""
    out = []
    for entry in partner.get("secrets") or []:
        expires = entry.get("expires_at")
        if expires is None or as_utc(expires) > at:
            out.append(str(entry["secret"]))
    return out


def parked_reason(partner: Mapping[str, Any], at: dt.datetime) -> str | None:
    """Why webhook jobs of this partner cannot be sent now; None when they can.

    A disabled partner is not parked (its jobs fail) and a partner without a webhook URL
    is served by the pull inbox.
    """
    if partner.get("state") == PartnerState.SUSPENDED.value:
        return "the partner is suspended; set its state to active to resume deliveries"
    if not partner.get("webhook_url") or partner.get("state") == PartnerState.DISABLED.value:
        return None
    if not partner.get("webhook_enabled", True):
        cause = partner.get("webhook_disabled_reason") or "disabled"
        return f"the webhook endpoint is disabled ({cause}); set a webhook URL to re-enable it"
    parked = partner.get("parked")
    if isinstance(parked, Mapping) and parked.get("reason"):
        return str(parked["reason"])
    if not signing_secrets(partner, at):
        return "the partner has no webhook signing secret; rotate one to resume deliveries"
    return None
