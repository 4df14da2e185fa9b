"""The SSRF guard: a partner's webhook may not point into the ministry's own network."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class UnsafeWebhookUrl(ValueError):
    pass


def parse_webhook_url(url: str) -> str:
    """The host of a well-formed http(s) URL, or raise UnsafeWebhookUrl."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeWebhookUrl("the webhook URL must be an absolute http or https URL")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("the webhook URL must not carry credentials")
    return parts.hostname


def is_private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_addresses(host: str, addresses: list[str]) -> None:
    """Refuse when the host is local or any address it resolves to is private."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
        ".localhost"
    ):
        raise UnsafeWebhookUrl("the webhook URL points at this machine")
    if not addresses:
        raise UnsafeWebhookUrl(f"the webhook host {host} does not resolve")
    for address in addresses:
        if is_private_address(address):
            raise UnsafeWebhookUrl(
                f"the webhook host {host} resolves to a private or loopback address"
            )
