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


# The IANA special-purpose address registries (RFC 6890 and its updates), plus multicast and
# the reserved blocks: none of them is a partner's public server. 100.64.0.0/10 (shared
# address space) holds cloud metadata endpoints such as 100.100.100.200.
SPECIAL_PURPOSE: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "192.175.48.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "::ffff:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "2002::/16",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)


def is_private_address(address: str) -> bool:
    """True for every address a webhook must not reach (not only RFC 1918 ones)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in SPECIAL_PURPOSE if network.version == ip.version):
        return True
    return not ip.is_global or ip.is_multicast


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
