"""The three services as separate processes, started exactly as `make up` starts them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from egov_cli.platform import Platform, ServiceProcess
from tests.support.infra import free_port, kafka_bootstrap, mongo_url, unique

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningPlatform:
    platform: Platform
    env: dict[str, str]
    suffix: str
    log_dir: Path

    def replicas(self, name: str) -> list[ServiceProcess]:
        return [p for p in self.platform.processes if p.name == name]

    def url(self, name: str) -> str:
        return self.replicas(name)[0].url

    def logs(self, name: str) -> str:
        return "".join(p.log_path.read_text(errors="replace") for p in self.replicas(name))


@pytest.fixture(scope="module")
def platform(servers: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """Two replicas of each service on one Kafka and one FerretDB, isolated by name."""
    suffix = "." + unique("e2e")
    ports = {name: [free_port(), free_port()] for name in ("documents", "portal", "lgsp")}
    documents_url = f"http://127.0.0.1:{ports['documents'][0]}"
    env = {
        "EGOV_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap(),
        "EGOV_MONGO_URL": mongo_url(),
        "EGOV_TOPIC_SUFFIX": suffix,
        "EGOV_HOME": os.environ["EGOV_HOME"],
        "PYTHONPATH": str(ROOT),
        "EGOV_DOCUMENTS_MONGO_DATABASE": unique("e2e_documents_"),
        "EGOV_PORTAL_MONGO_DATABASE": unique("e2e_portal_"),
        "EGOV_LGSP_MONGO_DATABASE": unique("e2e_lgsp_"),
        "EGOV_DOCUMENTS_CONSUMER_GROUP": unique("e2e-documents-"),
        "EGOV_PORTAL_CONSUMER_GROUP": unique("e2e-portal-"),
        "EGOV_LGSP_CONSUMER_GROUP": unique("e2e-lgsp-"),
        "EGOV_PORTAL_DOCUMENTS_URL": documents_url,
        "EGOV_LGSP_DOCUMENTS_URL": documents_url,
        "EGOV_DOCUMENTS_LGSP_URL": f"http://127.0.0.1:{ports['lgsp'][0]}",
        "EGOV_LGSP_PUBLIC_URL": f"http://127.0.0.1:{ports['lgsp'][0]}",
        "EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS": "true",
        # Partners that come back are retried within the test's patience.
        "EGOV_LGSP_BACKOFF_BASE_S": "0.5",
        "EGOV_LGSP_BACKOFF_MAX_S": "2",
        "EGOV_LGSP_WORKER_POLL_INTERVAL_S": "0.2",
        "EGOV_PORTAL_WORKER_INTERVAL_S": "0.5",
        "EGOV_PORTAL_FETCH_RETRY_BASE_S": "0.5",
        "EGOV_PORTAL_JWKS_MIN_REFRESH_S": "0",
        "EGOV_LOG_LEVEL": "INFO",
    }
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    platform = Platform()
    try:
        for name, service_ports in ports.items():
            for port in service_ports:
                platform.start(name, port, env, log_dir)
        platform.wait_ready(timeout=120)
        yield RunningPlatform(platform, env, suffix, log_dir)
    finally:
        platform.stop()
