"""Where the test servers are: the ones `make test` started, or those the env points at."""

from __future__ import annotations

import os
import socket
import uuid


def kafka_bootstrap() -> str:
    return os.environ.get("EGOV_KAFKA_BOOTSTRAP_SERVERS") or (
        f"127.0.0.1:{os.environ.get('EGOV_KAFKA_PORT', '9092')}"
    )


def mongo_url() -> str:
    return os.environ.get("EGOV_MONGO_URL") or (
        f"mongodb://127.0.0.1:{os.environ.get('EGOV_MONGO_PORT', '27017')}/"
    )


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def reachable(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1):
            return True
    except OSError:
        return False
