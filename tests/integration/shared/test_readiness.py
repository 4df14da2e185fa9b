"""/readyz tells the truth: a replica that can serve its traffic is ready; Kafka being away
is reported (events wait in the outbox) but takes no replica out of the load balancer, while a
database that does not answer does."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.settings import ServiceSettings
from tests.support.infra import free_port, kafka_bootstrap, mongo_url, unique
from tests.support.services import probe_app, running_app

INFRA = Path(__file__).resolve().parents[3] / "deploy" / "local" / "infra.sh"


@pytest.fixture
def private_kafka(tmp_path: Path, servers: None) -> Iterator[tuple[str, dict[str, str]]]:
    """A Kafka of this test's own, so stopping it disturbs nobody else."""
    port, controller = free_port(), free_port()
    env = {
        **os.environ,
        "EGOV_KAFKA_PORT": str(port),
        "EGOV_KAFKA_CONTROLLER_PORT": str(controller),
        "EGOV_STATE_DIR": str(tmp_path / "state"),
        "EGOV_MONGO_URL": mongo_url(),  # only Kafka is provisioned here
        "EGOV_KAFKA_HEAP": "384m",
        "EGOV_DEX": "off",  # the shared Dex is not this test's to start or stop
    }
    env.pop("EGOV_KAFKA_BOOTSTRAP_SERVERS", None)
    subprocess.run(["bash", str(INFRA), "start"], env=env, check=True, timeout=120)
    try:
        yield f"127.0.0.1:{port}", env
    finally:
        subprocess.run(["bash", str(INFRA), "stop"], env=env, check=False, timeout=60)


async def _ready(client, expect: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(60):
        while True:
            response = await client.get("/readyz")
            if response.status_code == expect:
                return response.json()  # type: ignore[no-any-return]
            await asyncio.sleep(0.5)


async def _status(client, expect: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(60):
        while True:
            body: dict[str, object] = (await client.get("/readyz")).json()
            if body["status"] == expect:
                return body
            await asyncio.sleep(0.5)


async def test_readyz_stays_ready_while_kafka_is_stopped_and_says_so(
    private_kafka: tuple[str, dict[str, str]],
) -> None:
    bootstrap, env = private_kafka
    settings = ServiceSettings(
        service_name="probe",
        kafka_bootstrap_servers=bootstrap,
        mongo_url=mongo_url(),
        mongo_database=unique("t_"),
    )
    async with running_app(probe_app, settings) as client:
        ready = await _ready(client, 200)
        assert ready == {"status": "ready", "checks": {"mongo": "ok", "kafka": "ok"}}
        subprocess.run(["bash", str(INFRA), "stop", "kafka"], env=env, check=True, timeout=60)
        down = await _status(client, "degraded")
        assert down == {"status": "degraded", "checks": {"mongo": "ok", "kafka": "unreachable"}}
        assert (await client.get("/readyz")).status_code == 200
        subprocess.run(["bash", str(INFRA), "start"], env=env, check=True, timeout=120)
        assert (await _status(client, "ready"))["checks"]["kafka"] == "ok"


async def test_readyz_fails_while_the_database_does_not_answer(topic_suffix: str) -> None:
    settings = ServiceSettings(
        service_name="probe",
        kafka_bootstrap_servers=kafka_bootstrap(),
        topic_suffix=topic_suffix,
        # Nothing listens there: the client is created lazily, every ping fails.
        mongo_url=f"mongodb://127.0.0.1:{free_port()}/",
        mongo_database=unique("t_"),
    )
    app = probe_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json() == {
                "status": "unavailable",
                "checks": {"mongo": "unreachable", "kafka": "ok"},
            }
            assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
