"""deploy/k8s renders with kustomize, its objects validate against the Kubernetes API
schemas (no cluster needed), and they hold what production needs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.required import LINKS, PORTS, SERVICES, missing, production_settings
from tests.deploy.tools import load_yaml, tool

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.34.0"
Objects = dict[tuple[str, str], dict[str, Any]]


def render(overlay: str) -> str:
    result = subprocess.run(
        [tool("kustomize"), "build", str(K8S / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def validate(manifests: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "rendered.yaml"
    path.write_text(manifests)
    return subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", "-k", KUBERNETES_VERSION, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def objects(manifests: str) -> Objects:
    return {(o["kind"], o["metadata"]["name"]): o for o in load_yaml(manifests) if o}


@pytest.fixture(scope="module", params=["base", "overlays/production"])
def rendered(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param, render(request.param)


def test_the_objects_are_valid_kubernetes_objects(
    rendered: tuple[str, str], tmp_path: Path
) -> None:
    _, manifests = rendered
    result = validate(manifests, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_validation_refuses_a_misspelt_field(tmp_path: Path) -> None:
    broken = render("base").replace("readinessProbe:", "readynessProbe:", 1)
    result = validate(broken, tmp_path)
    assert result.returncode != 0 and "readynessProbe" in result.stdout + result.stderr


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container  # type: ignore[no-any-return]


def _environment(objs: Objects, container: dict[str, Any]) -> dict[str, str]:
    """What the container sees: the ConfigMap, the keys of each Secret it reads whole (as
    operators fill them in), its env."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= objs[("ConfigMap", source["configMapRef"]["name"])]["data"]
        if "secretRef" in source:
            env |= _secret_keys(source["secretRef"]["name"])
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", "from-a-secret")
    return env


def _secret_keys(name: str) -> dict[str, str]:
    """What docs/operations.md tells operators to put in the Secret ``name``."""
    if name == "egov-workspace":
        return {"EGOV_OIDC_CLIENT_SECRET": "secret", "EGOV_SESSION_SECRET": "s" * 64}
    prefix = f"EGOV_{name.removeprefix('egov-').upper()}_"
    return {
        "EGOV_MONGO_URL": "mongodb://user:password@mongo/",
        f"{prefix}OAUTH_CLIENT_ID": "client",
        f"{prefix}OAUTH_CLIENT_SECRET": "secret",
        "EGOV_KAFKA_SASL_USERNAME": "user",
        "EGOV_KAFKA_SASL_PASSWORD": "password",
    }


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_has_what_its_service_needs(
    rendered: tuple[str, str], service: str
) -> None:
    _, manifests = rendered
    objs = objects(manifests)
    name = f"egov-{service}"
    deployment = objs[("Deployment", name)]
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    assert container["args"] == ["serve", service]
    assert {"secretRef": {"name": name}} in container["envFrom"]
    env = _environment(objs, container)
    assert not missing(service, env), missing(service, env)
    production_settings(service, env)
    for setting, other in LINKS[service]:
        assert env[setting] == f"http://egov-{other}:{PORTS[other]}"

    # Probes: alive is /healthz, ready is /readyz (its database), start-up may take a while.
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    # Unprivileged, read-only root, a writable /tmp.
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]
    # Every key file lies in a mounted Secret.
    for setting, value in env.items():
        if setting.endswith(("_KEY_FILE", "_CERT_FILE")):
            directory = str(Path(value).parent)
            assert directory in mounts, f"{setting}={value} is not mounted"
            assert "secret" in volumes[mounts[directory]]
    assert "requests" in container["resources"] and "limits" in container["resources"]
    # The staff directory: a ConfigMap mounted as a directory, so that edits reach the pod.
    directory = str(Path(env["EGOV_STAFF_DIRECTORY_FILE"]).parent)
    assert directory in mounts, f"the staff directory {directory} is not mounted"
    assert volumes[mounts[directory]]["configMap"]["name"] == "egov-staff-directory"
    assert not any(m.get("subPath") for m in container["volumeMounts"])

    # Available through disruptions; scaled no further than the partitions of its topics.
    partitions = int(objs[("ConfigMap", "egov-config")]["data"]["EGOV_TOPIC_PARTITIONS"])
    budget = objs[("PodDisruptionBudget", name)]["spec"]
    assert budget["minAvailable"] >= 1
    scaler = objs[("HorizontalPodAutoscaler", name)]["spec"]
    assert scaler["scaleTargetRef"]["name"] == name
    assert 2 <= scaler["minReplicas"] <= scaler["maxReplicas"] <= partitions
    ports = {p["name"]: p["port"] for p in objs[("Service", name)]["spec"]["ports"]}
    assert ports["http"] == PORTS[service]


def test_every_service_signs_sessions_with_the_one_shared_secret(
    rendered: tuple[str, str],
) -> None:
    """A session cookie must verify whichever replica answers: the session secret comes from
    the one Secret every Deployment reads, never from a per-service or per-pod value."""
    _, manifests = rendered
    objs = objects(manifests)
    for service in SERVICES:
        container = _container(objs[("Deployment", f"egov-{service}")])
        assert {"secretRef": {"name": "egov-workspace"}} in container["envFrom"]
        own = {item["name"] for item in container.get("env", [])}
        assert not own & {"EGOV_SESSION_SECRET", "EGOV_OIDC_CLIENT_SECRET"}, service
    config = objs[("ConfigMap", "egov-config")]["data"]
    assert not {"EGOV_SESSION_SECRET", "EGOV_OIDC_CLIENT_SECRET"} & set(config)


def test_the_topic_job_is_the_only_creator_of_topics(rendered: tuple[str, str]) -> None:
    _, manifests = rendered
    objs = objects(manifests)
    config = objs[("ConfigMap", "egov-config")]["data"]
    assert config["EGOV_CREATE_TOPICS"] == "false"
    job = objs[("Job", "egov-topics")]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["topics"]
    assert {"configMapRef": {"name": "egov-config"}} in container["envFrom"]


def test_production_uses_tls_sasl_and_replicated_topics() -> None:
    objs = objects(render("overlays/production"))
    config = objs[("ConfigMap", "egov-config")]["data"]
    assert config["EGOV_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["EGOV_KAFKA_SASL_MECHANISM"].startswith("SCRAM-")
    assert config["EGOV_TOPIC_REPLICATION"] == "3"
    assert config["EGOV_TOPIC_MIN_INSYNC_REPLICAS"] == "2"
    ca_dir = str(Path(config["EGOV_KAFKA_SSL_CAFILE"]).parent)
    pods = [objs[("Deployment", f"egov-{s}")] for s in SERVICES] + [objs[("Job", "egov-topics")]]
    for pod in pods:
        container = pod["spec"]["template"]["spec"]["containers"][0]
        mounted = {m["mountPath"] for m in container["volumeMounts"]}
        assert {ca_dir, "/etc/egov/mongo-ca"} <= mounted, pod["metadata"]["name"]
        assert container["image"].startswith("registry.")
