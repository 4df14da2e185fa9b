"""The stack under test: the three services as separate processes, exactly as `make up`
starts them, on this run's own databases, topics and consumer groups; logs go to files.

Kafka and FerretDB are the servers already running (or started by with-infra.sh): the bench
never stops them, it only reads their pids for the CPU figure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from egov_cli.platform import Platform, ServiceProcess
from shared.messaging.topics_admin import planned_topics
from tests.support.infra import free_port, kafka_bootstrap, mongo_url

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("documents", "portal", "lgsp")
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Stack:
    """One bench run's services; ``start`` and ``stop`` may be called once per round."""

    run_id: str
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    platform: Platform = field(default_factory=Platform)

    def __post_init__(self) -> None:
        self.ports = {name: free_port() for name in SERVICES}

    @property
    def suffix(self) -> str:
        return f".{self.run_id}"

    def database(self, service: str) -> str:
        return f"{self.run_id}_{service}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def topics(self) -> list[str]:
        return [t.name for t in planned_topics(self.suffix, 1, 1)]

    def env(self) -> dict[str, str]:
        """What `make up` sets, plus the names that keep this run apart from anyone's data."""
        env = {
            "EGOV_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap(),
            "EGOV_MONGO_URL": mongo_url(),
            "EGOV_TOPIC_SUFFIX": self.suffix,
            "PYTHONPATH": str(ROOT),
            # The bench's partners listen on loopback, as the demo receiver of `make up` does.
            "EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS": "true",
            "EGOV_PORTAL_DOCUMENTS_URL": self.url("documents"),
            "EGOV_LGSP_DOCUMENTS_URL": self.url("documents"),
            "EGOV_LGSP_PUBLIC_URL": self.url("lgsp"),
        }
        for name in SERVICES:
            prefix = f"EGOV_{name.upper()}_"
            env[prefix + "MONGO_DATABASE"] = self.database(name)
            env[prefix + "CONSUMER_GROUP"] = f"{self.run_id}-{name}"
        return env

    def start(self, timeout: float = 120.0, services: tuple[str, ...] = SERVICES) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in services:
            self.platform.start(name, self.ports[name], self.env(), self.log_dir)
        self.platform.wait_ready(timeout=timeout)

    def stop(self) -> None:
        self.platform.stop()

    def processes(self) -> list[ServiceProcess]:
        return list(self.platform.processes)

    def service_pids(self) -> dict[str, int]:
        return {p.name: p.process.pid for p in self.platform.processes}

    def log_paths(self) -> list[Path]:
        return sorted(self.log_dir.glob("*.log"))


def infra_pids() -> dict[str, int]:
    """Kafka's and FerretDB's pids from infra.sh's pid files (absent when run elsewhere)."""
    state = Path(os.environ.get("EGOV_STATE_DIR", ROOT / ".egov"))
    found: dict[str, int] = {}
    for name in ("kafka", "ferretdb"):
        try:
            pid = int((state / f"{name}.pid").read_text().strip())
        except (OSError, ValueError):
            continue
        if Path(f"/proc/{pid}").exists():
            found[name] = pid
    return found


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def with_descendants(pid: int) -> list[int]:
    tree = _children()
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(tree.get(current, []))
    return out


def cpu_ticks(pids: list[int]) -> int:
    """utime + stime of these processes, in clock ticks (a vanished process counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total


def rss_mb(pid: int) -> float:
    total_kb = 0
    for each in with_descendants(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024
