"""The image as operators run it: built here on a Debian base, the three services started
from it with production settings (no development key, service tokens from an identity
provider, signing keys from mounted files, a read-only root with a writable /tmp, topics
created only by the topic job) against the local Kafka and FerretDB, and one document taken
from draft to the portal and to a partner agency through them."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from shared.messaging.topics_admin import planned_topics
from tests.deploy.containers import (
    Container,
    build_image,
    env_file,
    podman,
    podman_missing_reason,
    run_once,
    run_refused,
    run_service,
)
from tests.deploy.identity_provider import IdentityProvider, identity_provider
from tests.deploy.production_secrets import write_secret_files
from tests.deploy.required import WORKSPACE
from tests.e2e.flow import draft, issue, register_partner
from tests.support.infra import free_port, kafka_bootstrap, mongo_url, unique
from tests.support.kafka import delete_topics, eventually
from tests.support.partner_server import PartnerServer, partner_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(podman_missing_reason() is not None, reason=str(podman_missing_reason())),
]
SERVICES = ("documents", "portal", "lgsp")
TAG = "localhost/egov:test"
FEED_CODE = "000.00.00.G22"


@pytest.fixture(scope="module")
def image() -> str:
    seconds = build_image(TAG)
    print(f"image built in {seconds:.0f} s")
    return TAG


def test_the_image_runs_unprivileged_without_build_tools(image: str) -> None:
    user = podman("image", "inspect", "--format", "{{.Config.User}}", image).strip()
    assert user == "10001:10001"
    found = podman(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        image,
        "-c",
        "id -u; command -v gcc cc make pip || true",
    ).split()
    assert found == ["10001"], f"the run stage carries build tools: {found[1:]}"


@dataclass
class Stack:
    containers: dict[str, Container]
    env: dict[str, str]
    idp: IdentityProvider

    def url(self, service: str) -> str:
        return self.containers[service].url


@pytest.fixture(scope="module")
async def stack(
    image: str, servers: None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    workdir = tmp_path_factory.mktemp("image")
    secrets = write_secret_files(workdir / "secrets")
    suffix = "." + unique("img")
    run = unique("egov-img-")
    ports = {service: free_port() for service in SERVICES}
    async with identity_provider() as idp:
        env = {
            "EGOV_ENVIRONMENT": "production",
            "EGOV_TRUST_DEV_KEYS": "false",
            "EGOV_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap(),
            "EGOV_MONGO_URL": mongo_url(),
            "EGOV_TOPIC_SUFFIX": suffix,
            "EGOV_TOPIC_PARTITIONS": "3",
            # As in production: only the topic job creates topics; the services wait for them.
            "EGOV_CREATE_TOPICS": "false",
            "EGOV_OAUTH_TOKEN_URL": idp.token_url,
            # The staff workspace: sign-in at the test's provider, one session secret for all.
            **idp.workspace(),
            "EGOV_SESSION_SECRET": token_hex(32),
            "EGOV_DOCUMENTS_LGSP_URL": f"http://127.0.0.1:{ports['lgsp']}",
            "EGOV_PORTAL_DOCUMENTS_URL": f"http://127.0.0.1:{ports['documents']}",
            "EGOV_LGSP_DOCUMENTS_URL": f"http://127.0.0.1:{ports['documents']}",
            "EGOV_LGSP_PUBLIC_URL": f"http://127.0.0.1:{ports['lgsp']}",
            # The partner is played by a server on this machine's loopback.
            "EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS": "true",
            "EGOV_LGSP_BACKOFF_BASE_S": "0.5",
            "EGOV_LGSP_WORKER_POLL_INTERVAL_S": "0.2",
            "EGOV_PORTAL_WORKER_INTERVAL_S": "0.5",
            "EGOV_PORTAL_FETCH_RETRY_BASE_S": "0.5",
            **secrets.env(),
        }
        for service in SERVICES:
            prefix = f"EGOV_{service.upper()}_"
            env |= idp.credentials(service)
            env |= {
                f"{prefix}HOST": "127.0.0.1",
                f"{prefix}PORT": str(ports[service]),
                f"{prefix}ADMIN_PORT": str(free_port()),
                f"{prefix}MONGO_DATABASE": unique(f"img_{service}_"),
                f"{prefix}CONSUMER_GROUP": unique(f"img-{service}-"),
            }
        settings = env_file(workdir / "egov.env", env)
        containers: dict[str, Container] = {}
        try:
            print(run_once(image, settings, "topics"))
            for service in SERVICES:
                containers[service] = run_service(
                    image, f"{run}-{service}", service, settings, secrets.directory, ports[service]
                )
            for container in containers.values():
                container.wait_ready()
            yield Stack(containers, env, idp)
        finally:
            for container in containers.values():
                container.remove()
            await _drop(env, suffix)


async def _drop(env: dict[str, str], suffix: str) -> None:
    await delete_topics([t.name for t in planned_topics(suffix)])
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url())
    try:
        for service in SERVICES:
            await client.drop_database(env[f"EGOV_{service.upper()}_MONGO_DATABASE"])
    finally:
        await client.close()


@pytest.fixture(scope="module")
async def feed_partner() -> AsyncIterator[PartnerServer]:
    async with partner_server() as server:
        yield server


def _pdf(size: int) -> bytes:
    """A PDF over 1 MiB: the upload is spooled to /tmp, the only writable place."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + b"%" + b"x" * (size - len(head) - len(tail) - 1) + tail


async def test_a_document_goes_from_draft_to_the_portal_and_a_partner_through_the_image(
    stack: Stack, feed_partner: PartnerServer
) -> None:
    documents = httpx.AsyncClient(base_url=stack.url("documents"), timeout=30)
    portal = httpx.AsyncClient(base_url=stack.url("portal"), timeout=30)
    lgsp = httpx.AsyncClient(base_url=stack.url("lgsp"), timeout=30)
    try:
        partner = await register_partner(
            lgsp, FEED_CODE, "Bộ Nội vụ", webhook_url=feed_partner.url, feed=True
        )
        pdf = _pdf(3 * 1024 * 1024 // 2)
        digest = hashlib.sha256(pdf).hexdigest()
        issued = await issue(documents, draft(), attachments=[("ke-hoach.pdf", pdf)])
        doc_id = issued["id"]

        async def on_the_portal() -> dict[str, Any] | None:
            response = await portal.get(f"/api/v1/documents/{doc_id}")
            if response.status_code != 200:
                return None
            page: dict[str, Any] = response.json()
            files = page["attachments"]
            verified = page["signature"]["status"] == "verified"
            return page if verified and files and files[0]["available"] else None

        page = await _eventually(on_the_portal, stack, "the portal", timeout=60)
        assert page["notation"] == issued["notation"]
        download = await portal.get(page["attachments"][0]["url"])
        assert (
            download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == digest
        )

        async def at_the_partner() -> list[Any]:
            return [
                r
                for r in feed_partner.of_type("gov.egov.document.published.v1")
                if r.json["subject"] == doc_id
            ]

        received = (await _eventually(at_the_partner, stack, "the partner", timeout=60))[0]
        (claim,) = received.json["data"]["attachments"]
        # File links sent to partners name the LGSP's public URL, not the container's address.
        assert claim["url"].startswith(stack.env["EGOV_LGSP_PUBLIC_URL"] + "/")
        fetched = await lgsp.get(claim["url"], headers={"X-API-Key": partner.api_key})
        assert fetched.status_code == 200, fetched.text
        assert hashlib.sha256(fetched.content).hexdigest() == digest
        # The services called each other with tokens from the identity provider.
        assert {"portal", "lgsp"} <= set(stack.idp.issued)
    finally:
        for client in (documents, portal, lgsp):
            await client.aclose()


WORKSPACES = {"documents": "/workspace", "lgsp": "/console", "portal": "/editor"}


@pytest.mark.parametrize("service", SERVICES)
async def test_the_workspace_sends_staff_to_the_identity_provider(
    stack: Stack, service: str
) -> None:
    """The production workspace settings reach each service's workspace: sign-in starts at
    the configured provider with this deployment's client and PKCE."""
    async with httpx.AsyncClient(base_url=stack.url(service), timeout=30) as client:
        answer = await client.get(f"{WORKSPACES[service]}/auth/signin")
    assert answer.status_code == 302, answer.text[:500]
    target = httpx.URL(answer.headers["location"])
    assert str(target.copy_with(query=None)) == stack.idp.authorization_url
    assert target.params["client_id"] == stack.env["EGOV_OIDC_CLIENT_ID"]
    assert target.params["code_challenge_method"] == "S256"
    assert target.params["redirect_uri"] == (
        f"{stack.url(service)}{WORKSPACES[service]}/auth/callback"
    )


def test_production_refuses_to_start_on_the_workspace_development_defaults(
    image: str, stack: Stack, tmp_path: Path
) -> None:
    """Without its own workspace settings a service stops at once and names them; the
    secrets it was given are not printed."""
    kept = {k: v for k, v in stack.env.items() if k not in WORKSPACE}
    settings = env_file(tmp_path / "without-workspace.env", kept)
    result = run_refused(image, settings, "serve", "portal")
    assert result.returncode != 0
    for name in WORKSPACE:
        assert name in result.stderr, result.stderr[-2000:]
    secret_values = [v for k, v in kept.items() if k.endswith("_SECRET")]
    assert secret_values and not any(value in result.stderr for value in secret_values)


async def _eventually(check: Any, stack: Stack, what: str, timeout: float) -> Any:
    try:
        return await eventually(check, timeout=timeout, interval=0.5)
    except AssertionError as exc:
        logs = "\n".join(f"--- {n}\n{c.logs(40)}" for n, c in stack.containers.items())
        raise AssertionError(f"nothing reached {what}: {exc}\n{logs}") from None


@pytest.fixture(scope="module", autouse=True)
def _no_left_over_containers() -> Iterator[None]:
    yield
    left = podman("ps", "--all", "--filter", "name=egov-img-", "--format", "{{.Names}}")
    assert not left.strip(), f"containers left behind: {left}"
