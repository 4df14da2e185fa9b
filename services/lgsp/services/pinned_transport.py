"""An HTTP transport that connects only to the addresses the SSRF guard has just checked.

Checking a host's addresses and then letting the HTTP client resolve it again leaves a
window in which the name can be re-pointed at an internal address (DNS rebinding). Here the
one resolution is both checked and used: the connection goes to the very address that passed
the guard, while TLS still verifies the certificate against the host name.
"""

from __future__ import annotations

import typing

import httpcore
import httpx
from httpcore._backends.auto import AutoBackend

from services.lgsp.domain.webhook_url import UnsafeWebhookUrl, check_addresses

Resolver = typing.Callable[[str], typing.Awaitable[list[str]]]
SocketOption = typing.Any


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to a checked address: never a second resolution."""

    def __init__(self, resolve: Resolver) -> None:
        self._resolve = resolve
        self._inner = AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host)
        try:
            check_addresses(host, addresses)
        except UnsafeWebhookUrl as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise httpcore.ConnectError(f"could not connect to {host}: {last}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks never use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pinned_transport(resolve: Resolver) -> httpx.AsyncHTTPTransport:
    """An httpx transport (no proxies from the environment) whose connections are pinned."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    pool = transport._pool
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    pool._network_backend = PinnedBackend(resolve)
    return transport
