"""The image and its containers, through podman as deploy/image/podman.sh runs it."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PODMAN = ["bash", str(ROOT / "deploy" / "image" / "podman.sh")]
BUILD = ROOT / "deploy" / "image" / "build.sh"


def podman_missing_reason() -> str | None:
    if shutil.which("podman") is None:
        return (
            "podman is not installed: the image test builds and runs the image with it "
            "(apt-get install podman runc debootstrap)"
        )
    return None


def podman(*args: str, timeout: float = 120, check: bool = True) -> str:
    result = subprocess.run(
        [*PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])} failed: {result.stderr[-3000:]}")
    return result.stdout


def build_image(tag: str) -> float:
    """Build the image on the debootstrapped Debian base; return the seconds it took."""
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(BUILD), "--debian-base", "--tag", tag],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, f"the image did not build:\n{result.stderr[-5000:]}"
    return time.monotonic() - started


@dataclass
class Container:
    name: str
    url: str

    def logs(self, tail: int = 80) -> str:
        """What the service wrote (its log lines go to stderr, which podman keeps apart)."""
        result = subprocess.run(
            [*PODMAN, "logs", "--tail", str(tail), self.name],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return result.stdout + result.stderr

    def running(self) -> bool:
        state = podman("inspect", "--format", "{{.State.Running}}", self.name, check=False)
        return state.strip() == "true"

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if not self.running():
                raise AssertionError(f"{self.name} exited during start-up:\n{self.logs()}")
            time.sleep(0.5)
        raise AssertionError(f"{self.name} was not ready within {timeout}s:\n{self.logs()}")

    def remove(self) -> None:
        podman("rm", "--force", "--time", "5", self.name, check=False)


def env_file(path: Path, env: dict[str, str]) -> Path:
    """Settings in a file rather than on the command line, where secrets would show."""
    path.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    path.chmod(0o600)
    return path


def run_service(
    image: str, name: str, service: str, env: Path, secrets: Path, port: int
) -> Container:
    """One service as production runs it: read-only root, writable /tmp, secrets mounted."""
    podman(
        "run",
        "--detach",
        "--name",
        name,
        "--network=host",
        "--read-only",
        "--tmpfs",
        "/tmp:rw,size=256m,mode=1777",
        "--volume",
        f"{secrets}:/run/secrets/egov:ro",
        "--env-file",
        str(env),
        image,
        "serve",
        service,
    )
    return Container(name, f"http://127.0.0.1:{port}")


def run_once(image: str, env: Path, *args: str) -> str:
    """A one-shot command of the image (the topic job)."""
    return podman(
        "run", "--rm", "--network=host", "--read-only", "--env-file", str(env), image, *args
    )


def run_refused(image: str, env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command of the image expected to stop by itself: its exit status and output."""
    command = ["run", "--rm", "--network=host", "--read-only", "--env-file", str(env), image]
    return subprocess.run(
        [*PODMAN, *command, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
