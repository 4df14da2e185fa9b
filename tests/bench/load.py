"""A small keep-alive HTTP/1.1 load client on raw asyncio streams.

httpx costs more CPU per request than a static file costs the server, so it would measure
itself; this client only writes a GET and reads the response (Content-Length or chunked).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length: int | None = None
    chunked = False
    closing = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        key = name.strip().lower()
        if key == "content-length":
            length = int(value.strip())
        elif key == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif key == "connection" and "close" in value.lower():
            closing = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    if closing:
        raise ConnectionResetError("the server asked to close")
    return status


async def hammer(url: str, seconds: float = 5.0, connections: int = 8) -> LoadResult:
    """GET ``url`` over ``connections`` keep-alive connections for ``seconds``."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n"
        "Accept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    done = 0
    errors = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def worker() -> None:
        nonlocal done, errors
        while time.perf_counter() < deadline:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                errors += 1
                await asyncio.sleep(0.05)
                continue
            try:
                while time.perf_counter() < deadline:
                    writer.write(request)
                    status = await _read_response(reader)
                    if status == 200:
                        done += 1
                    else:
                        errors += 1
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                errors += 1
            finally:
                writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return LoadResult(done, errors, time.perf_counter() - started)
