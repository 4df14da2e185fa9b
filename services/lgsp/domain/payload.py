"""The JSON body of a delivery: a CloudEvents 1.0 event in structured JSON mode.

``id`` is the ``webhook-id`` header's value (Standard Webhooks), so a receiver deduplicates
on either; ``source`` names the service where the event happened; ``data`` is the event's
data with each attachment's claim check turned into a link on the LGSP.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.contracts.events import spec_for

SPECVERSION = "1.0"
DATACONTENTTYPE = "application/json"


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
        "specversion": SPECVERSION,
        "id": event_id,
        "source": event_source(ce_type),
        "type": ce_type,
        "subject": subject,
        "time": time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": DATACONTENTTYPE,
        "data": partner_data(data, public_url),
    }


def event_source(ce_type: str) -> str:
    """The producer's URN (``urn:egov:documents``), as in the Kafka envelope's ``ce_source``."""
    spec = spec_for(ce_type)
    return f"urn:egov:{spec.producer if spec else 'lgsp'}"
