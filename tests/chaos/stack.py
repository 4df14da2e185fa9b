"""What a chaos run starts and stops: a private Kafka and FerretDB, and two replicas of each
service started as `make up` starts them (egov_cli.platform), on that private pair.

The private pair has its own ports and its own state directory under the run's results, so a
developer's running stack (and anyone's tests on it) is never touched, even when the run
restarts its Kafka or its FerretDB.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from egov_cli.platform import Platform, ServiceProcess
from tests.support.infra import free_port

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "deploy" / "local" / "infra.sh"
SERVICES = ("documents", "portal", "lgsp")
REPLICAS = 2


@dataclass
class PrivateInfra:
    """A Kafka and a FerretDB of the run's own, managed through deploy/local/infra.sh."""

    state_dir: Path
    kafka_port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    mongo_port: int = field(default_factory=free_port)
    log_path: Path | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/"

    def _env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("EGOV_KAFKA_BOOTSTRAP_SERVERS", "EGOV_MONGO_URL")
        }
        env.update(
            EGOV_STATE_DIR=str(self.state_dir),
            EGOV_KAFKA_PORT=str(self.kafka_port),
            EGOV_KAFKA_CONTROLLER_PORT=str(self.controller_port),
            EGOV_MONGO_PORT=str(self.mongo_port),
            EGOV_KAFKA_HEAP=os.environ.get("EGOV_KAFKA_HEAP", "512m"),
            EGOV_DEX="off",  # the run needs no sign-in, and must not stop the shared Dex
        )
        return env

    def run(self, *args: str) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_path or self.state_dir / "infra.out").open("ab")
        with log:
            done = subprocess.run(
                ["bash", str(INFRA), *args], env=self._env(), stdout=log, stderr=log, check=False
            )
        if done.returncode != 0:
            raise RuntimeError(f"infra.sh {' '.join(args)} failed; see {log.name}")

    def start(self) -> None:
        self.run("start")

    def restart(self, which: str) -> None:
        self.run("restart", which)

    def stop(self) -> None:
        self.run("stop")

    def pids(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for name in ("kafka", "ferretdb"):
            try:
                found[name] = int((self.state_dir / f"{name}.pid").read_text().strip())
            except (OSError, ValueError):
                continue
        return found


@dataclass
class ChaosStack:
    run_id: str
    log_dir: Path
    infra: PrivateInfra
    settings: dict[str, str] = field(default_factory=dict)
    ports: dict[str, list[int]] = field(default_factory=dict)
    platform: Platform = field(default_factory=Platform)
    kills: int = 0

    def __post_init__(self) -> None:
        self.ports = {name: [free_port() for _ in range(REPLICAS)] for name in SERVICES}

    @property
    def suffix(self) -> str:
        return f".{self.run_id}"

    def urls(self, service: str) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports[service]]

    def env(self) -> dict[str, str]:
        """What `make up` sets, on the private pair, with the run's own names."""
        documents, lgsp = self.urls("documents")[0], self.urls("lgsp")[0]
        env = {
            "EGOV_KAFKA_BOOTSTRAP_SERVERS": self.infra.bootstrap,
            "EGOV_MONGO_URL": self.infra.mongo_url,
            "EGOV_TOPIC_SUFFIX": self.suffix,
            "EGOV_HOME": os.environ.get("EGOV_HOME", str(ROOT / ".egov" / "home")),
            "PYTHONPATH": str(ROOT),
            "EGOV_PORTAL_DOCUMENTS_URL": documents,
            "EGOV_LGSP_DOCUMENTS_URL": documents,
            "EGOV_DOCUMENTS_LGSP_URL": lgsp,
            "EGOV_LGSP_PUBLIC_URL": lgsp,
            "EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS": "true",
            "EGOV_LOG_LEVEL": "INFO",
            **self.settings,
        }
        for name in SERVICES:
            prefix = f"EGOV_{name.upper()}_"
            env[prefix + "MONGO_DATABASE"] = f"{self.run_id}_{name}"
            env[prefix + "CONSUMER_GROUP"] = f"{self.run_id}-{name}"
        return env

    def start(self, timeout: float = 180.0) -> None:
        for name in SERVICES:
            for port in self.ports[name]:
                self.platform.start(name, port, self.env(), self.log_dir)
        self.platform.wait_ready(timeout=timeout)

    def replicas(self) -> list[ServiceProcess]:
        return list(self.platform.processes)

    def kill_one(self, rng: random.Random) -> ServiceProcess:
        """kill -9 one replica at random; the caller restarts it with ``revive``."""
        victim = rng.choice(self.replicas())
        self.platform.stop(victim, kill=True)
        self.kills += 1
        return victim

    def revive(self, victim: ServiceProcess, timeout: float = 120.0) -> None:
        started = self.platform.start(victim.name, victim.port, self.env(), self.log_dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if started.process.poll() is not None:
                # A start during a server's restart may fail: try again, as an orchestrator would.
                self.platform.processes.remove(started)
                time.sleep(2)
                started = self.platform.start(victim.name, victim.port, self.env(), self.log_dir)
                continue
            try:
                if httpx.get(started.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{victim.name}:{victim.port} did not come back; see {victim.log_path}")

    def all_up(self) -> bool:
        return all(p.process.poll() is None for p in self.platform.processes) and len(
            self.platform.processes
        ) == REPLICAS * len(SERVICES)

    def stop(self) -> None:
        self.platform.stop()

    def log_paths(self) -> list[Path]:
        return sorted(self.log_dir.glob("*.log"))


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
