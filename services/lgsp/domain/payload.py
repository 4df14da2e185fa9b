"""The JSON body of a delivery: the event, with attachment links on the LGSP."""

from __future__ import annotations

import datetime as dt
from typing import Any


def file_url(public_url: str, sha256: str) -> str:
    return f"{public_url.rstrip('/')}/api/v1/files/{sha256}"


def partner_data(data: dict[str, Any], public_url: str) -> dict[str, Any]:
    """Each attachment claim check's fetch_path becomes an absolute URL on the LGSP."""
    out = dict(data)
    attachments = out.get("attachments")
    if isinstance(attachments, list):
        out["attachments"] = [_relink(a, public_url) for a in attachments]
    return out


def _relink(attachment: Any, public_url: str) -> Any:
    if not isinstance(attachment, dict) or "sha256" not in attachment:
        return attachment
    relinked = {k: v for k, v in attachment.items() if k != "fetch_path"}
    relinked["url"] = file_url(public_url, str(attachment["sha256"]))
    return relinked


def attachment_hashes(data: dict[str, Any]) -> list[str]:
    attachments = data.get("attachments")
    if not isinstance(attachments, list):
        return []
    return sorted({str(a["sha256"]) for a in attachments if isinstance(a, dict) and "sha256" in a})


def delivery_payload(
    event_id: str,
    ce_type: str,
    time: dt.datetime,
    subject: str,
    data: dict[str, Any],
    public_url: str,
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": ce_type,
        "time": time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "subject": subject,
        "data": partner_data(data, public_url),
    }
