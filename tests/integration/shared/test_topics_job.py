"""Where only the topic job may create topics (EGOV_CREATE_TOPICS=false), a service creates
none: it waits for them, and gives up with a clear error if the job never ran."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from egov_cli.main import app as cli
from shared.messaging.topics_admin import TopicsMissingError, missing_topics, planned_topics
from shared.settings import ServiceSettings
from tests.support.infra import kafka_bootstrap, mongo_url, unique
from tests.support.kafka import delete_topics
from tests.support.services import probe_app, running_app


def _settings(suffix: str, wait_s: float) -> ServiceSettings:
    return ServiceSettings(
        service_name="probe",
        kafka_bootstrap_servers=kafka_bootstrap(),
        mongo_url=mongo_url(),
        mongo_database=unique("t_"),
        topic_suffix=suffix,
        create_topics=False,
        topics_wait_s=wait_s,
    )


async def test_a_service_that_may_not_create_topics_refuses_to_start_without_them(
    servers: None,
) -> None:
    suffix = "." + unique("nojob")
    app = probe_app(_settings(suffix, wait_s=1))
    with pytest.raises(TopicsMissingError, match="EGOV_CREATE_TOPICS=false"):
        async with app.router.lifespan_context(app):
            pass
    assert len(await missing_topics(kafka_bootstrap(), suffix=suffix)) == len(planned_topics())


async def test_a_service_waits_for_the_topic_job_and_then_starts(servers: None) -> None:
    suffix = "." + unique("job")
    try:

        async def topic_job() -> None:
            await asyncio.sleep(3)
            result = await asyncio.to_thread(
                CliRunner().invoke,
                cli,
                [
                    "topics",
                    "--bootstrap",
                    kafka_bootstrap(),
                    "--suffix",
                    suffix,
                    "--partitions",
                    "1",
                ],
            )
            assert result.exit_code == 0, result.output

        job = asyncio.create_task(topic_job())
        async with running_app(probe_app, _settings(suffix, wait_s=60)) as client:
            assert job.done(), "the service started before the topics existed"
            assert (await client.get("/readyz")).status_code == 200
        await job
        assert await missing_topics(kafka_bootstrap(), suffix=suffix) == []
    finally:
        await delete_topics([t.name for t in planned_topics(suffix)])
