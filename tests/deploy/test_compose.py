"""deploy/compose.yaml works as shipped: Compose accepts it, refuses to start without any
required setting, and every service gets what it needs in production."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from shared.web.directory import read_directory
from tests.deploy.required import LINKS, PORTS, SERVICES, WORKSPACE, missing, production_settings
from tests.deploy.tools import load_yaml, tool

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
EXAMPLE = ROOT / "deploy" / "compose.env.example"
STAFF_EXAMPLE = ROOT / "deploy" / "staff-directory.example.json"
INFRA = ROOT / "deploy" / "local" / "infra.sh"


def example_env() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in EXAMPLE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {key: value for key, value in pairs}


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    return subprocess.run(
        [tool("podman-compose"), "-f", str(COMPOSE), "config"],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = compose_config(example_env())
    assert result.returncode == 0, result.stderr[-3000:]
    (resolved,) = load_yaml(result.stdout)
    return resolved


def test_compose_refuses_to_start_without_any_required_setting() -> None:
    env = example_env()
    assert env, "the example names the required settings"
    for name in env:
        result = compose_config({k: v for k, v in env.items() if k != name})
        assert result.returncode != 0, f"Compose starts without {name}"
        assert name in result.stderr, result.stderr[-1000:]


def test_kafka_is_the_local_stack_version_and_keeps_its_data_on_the_volume(
    config: dict[str, Any],
) -> None:
    local = re.search(r'^KAFKA_VERSION="([^"]+)"', INFRA.read_text(), re.MULTILINE)
    assert local
    kafka = config["services"]["kafka"]
    assert kafka["image"].split("/")[-2:] == ["apache", f"kafka:{local.group(1)}"]
    log_dir = kafka["environment"]["KAFKA_LOG_DIRS"]
    assert any(v.split(":")[1] == log_dir for v in kafka["volumes"]), kafka["volumes"]
    mongo = config["services"]["mongo"]
    assert any(v.split(":")[1] == "/data/db" for v in mongo["volumes"])


def test_topics_are_made_once_before_the_services_start(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["topics"]["command"] == ["topics"]
    assert services["topics"]["restart"] == "no"
    for name in SERVICES:
        depends = services[name]["depends_on"]
        assert depends["topics"]["condition"] == "service_completed_successfully"
        assert depends["kafka"]["condition"] == depends["mongo"]["condition"] == "service_healthy"
    assert services["portal"]["depends_on"]["documents"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_every_setting_it_needs_in_production(
    config: dict[str, Any], service: str
) -> None:
    spec = config["services"][service]
    env = {k: str(v) for k, v in spec["environment"].items()}
    assert not missing(service, env), missing(service, env)
    settings = production_settings(service, env)
    assert settings.host == "0.0.0.0"
    for setting, other in LINKS[service]:
        assert env[setting] == f"http://{other}:{PORTS[other]}"
    # Key files come from Compose secrets mounted into this service.
    mounted = {f"/run/secrets/{name}" for name in spec.get("secrets", [])}
    for name, value in env.items():
        if name.endswith(("_KEY_FILE", "_CERT_FILE")):
            assert value in mounted, f"{name}={value} is not a mounted secret"
            assert Path(config["secrets"][value.rsplit("/", 1)[1]]["file"]).name.endswith(".pem")
    # The staff directory is a Compose config, from the directory of the key files.
    targets = {c["target"]: c["source"] for c in spec.get("configs", [])}
    source = targets.get(env["EGOV_STAFF_DIRECTORY_FILE"])
    assert source, f"{env['EGOV_STAFF_DIRECTORY_FILE']} is not a mounted config"
    assert (
        Path(config["configs"][source]["file"]).parent
        == Path(config["secrets"]["documents-signing-key"]["file"]).parent
    )


def test_every_service_shares_the_workspace_settings(config: dict[str, Any]) -> None:
    """One sign-in client, one session secret (a cookie verifies whichever replica answers)
    and one staff directory for the whole platform."""
    seen = {
        tuple(str(config["services"][s]["environment"][name]) for name in WORKSPACE)
        for s in SERVICES
    }
    assert len(seen) == 1, seen


def test_the_example_staff_directory_is_one_the_services_read() -> None:
    members = read_directory(STAFF_EXAMPLE)
    raw = json.loads(STAFF_EXAMPLE.read_text(encoding="utf-8"))
    assert members and len(members) == len(raw), "an example entry is refused"
    assert all(member.roles for member in members.values())


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_read_only_with_a_writable_tmp_and_a_health_check(
    config: dict[str, Any], service: str
) -> None:
    spec = config["services"][service]
    assert spec["read_only"] is True
    assert any(mount.split(":")[0] == "/tmp" for mount in spec["tmpfs"])
    probe = " ".join(spec["healthcheck"]["test"])
    assert f"http://127.0.0.1:{PORTS[service]}/readyz" in probe
    assert spec["command"] == ["serve", service]
