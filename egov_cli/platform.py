"""Starting the three services (and the demo receiver) as processes, as `make up` does.

Also used by the end-to-end tests, so what they prove is what an operator runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

DEFAULT_PORTS = {"portal": 8000, "documents": 8001, "lgsp": 8002}


ADMIN_PORT_OFFSET = 1000  # the admin port's default: the public port + 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    admin_port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_url(self) -> str | None:
        return f"http://127.0.0.1:{self.admin_port}" if self.admin_port else None


@dataclass
class Platform:
    processes: list[ServiceProcess] = field(default_factory=list)

    def start(
        self,
        name: str,
        port: int,
        env: dict[str, str],
        log_dir: Path,
        *,
        module: str | None = None,
        admin_port: int | None = None,
    ) -> ServiceProcess:
        """Start a service (admin port: given, else from the environment, else a free one)."""
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{name}-{port}.log"
        full_env = {**os.environ, **env}
        if module is None:
            full_env[f"EGOV_{name.upper()}_PORT"] = str(port)
            admin_key = f"EGOV_{name.upper()}_ADMIN_PORT"
            if admin_port is None:
                admin_port = int(full_env.get(admin_key) or free_port())
            full_env[admin_key] = str(admin_port)
            command = [sys.executable, "-m", "egov_cli.main", "serve", name]
        else:
            command = [sys.executable, "-m", module]
        log_file = log_path.open("ab")
        process = subprocess.Popen(
            command,
            env=full_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started = ServiceProcess(name, port, log_path, process, admin_port)
        self.processes.append(started)
        return started

    def wait_ready(self, timeout: float = 60.0, path: str = "/readyz") -> None:
        deadline = time.monotonic() + timeout
        for service in self.processes:
            check = "/healthz" if service.name == "demo-receiver" else path
            while True:
                if service.process.poll() is not None:
                    raise RuntimeError(
                        f"{service.name} exited with {service.process.returncode}; "
                        f"see {service.log_path}"
                    )
                try:
                    if httpx.get(service.url + check, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service.name} not ready; see {service.log_path}")
                time.sleep(0.3)

    def stop(self, service: ServiceProcess | None = None, *, kill: bool = False) -> None:
        targets = [service] if service else list(self.processes)
        for proc in targets:
            if proc.process.poll() is None:
                proc.process.kill() if kill else proc.process.terminate()
        for proc in targets:
            try:
                proc.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.process.kill()
                proc.process.wait()
            if service is not None:
                self.processes.remove(proc)
        if service is None:
            self.processes.clear()
