"""Numbers are unique and gapless across replicas, under concurrency and crashes."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from services.documents.app import create_app
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality
from tests.integration.documents import support
from tests.integration.documents.support import clerk, with_version
from tests.support.infra import unique
from tests.support.services import running_app

ISSUANCES = 200
CLIENTS = 10
CLERK = Principal(
    user="clerk", roles=frozenset({Role.CLERK}), clearance=Confidentiality.TUYET_MAT, unit="VP"
)


async def approved_copies(client: httpx.AsyncClient, count: int) -> list[str]:
    """Approved documents in bulk: one through the API, the rest copied in the database."""
    template = (await support.approved(client, access="internal")).json()
    collection = support.components_behind(client).documents.collection
    raw = await collection.find_one({"_id": template["id"]})
    assert raw is not None and raw["version"] == 3
    copies = [{**raw, "_id": f"{template['id']}-{i:03d}"} for i in range(1, count)]
    await collection.insert_many(copies)
    return [template["id"], *(c["_id"] for c in copies)]


async def test_two_replicas_and_ten_clients_issue_numbers_one_to_n(topic_suffix: str) -> None:
    database = unique("t_documents_")
    async with (
        running_app(create_app, support.settings(topic_suffix, database)) as one,
        running_app(create_app, support.settings(topic_suffix, database)) as two,
    ):
        queue = await approved_copies(one, ISSUANCES)
        started = time.perf_counter()

        async def issue_all(index: int) -> None:
            replica = (one, two)[index % 2]
            while queue:
                doc_id = queue.pop()
                response = await replica.post(
                    f"/api/v1/documents/{doc_id}/issue", headers={**clerk(), "If-Match": '"3"'}
                )
                assert response.status_code == 200, response.text

        await asyncio.gather(*(issue_all(i) for i in range(CLIENTS)))
        elapsed = time.perf_counter() - started
        numbers = await support.register_numbers(one, "outgoing", time.gmtime().tm_year)
        assert numbers == list(range(1, ISSUANCES + 1))
        print(f"\n{ISSUANCES} issuances on 2 replicas by {CLIENTS} clients in {elapsed:.1f}s")


async def test_a_register_can_start_at_a_configured_number(topic_suffix: str) -> None:
    year = time.gmtime().tm_year
    starts = {f"BNG:outgoing:{year}": 1637, f"BNG:outgoing:{year + 1}": 1637}
    async with running_app(
        create_app, support.settings(topic_suffix, register_starts=starts)
    ) as client:
        doc = (await support.issued(client)).json()
        assert doc["notation"] == "1637/QĐ-BNG"


async def approved_doc(client: httpx.AsyncClient) -> dict[str, Any]:
    doc: dict[str, Any] = (await support.approved(client)).json()
    return doc


@pytest.mark.parametrize("step", [1, 2, 3, 4])
async def test_a_crash_after_any_issuance_step_is_completed_without_gap_or_duplicate(
    topic_suffix: str, step: int
) -> None:
    async with running_app(create_app, support.settings(topic_suffix)) as client:
        cases = support.components_behind(client)
        crashed = await approved_doc(client)
        with pytest.MonkeyPatch.context() as patch:
            support.crash_after_issuance_step(patch, cases, step)
            with pytest.raises(support.InjectedCrash):
                await cases.issuance.issue(CLERK, crashed["id"], crashed["version"])
        # Another clerk goes on issuing while the crashed issuance is pending.
        after = (await support.issued(client)).json()
        await cases.recovery.recover(grace_s=0)
        recovered = (await client.get(f"/api/v1/documents/{crashed['id']}", headers=clerk())).json()
        assert recovered["state"] == "issued"
        assert sorted([recovered["number"], after["number"]]) == [1, 2]
        counter = await cases.counters.get(f"BNG:outgoing:{recovered['year']}")
        assert counter is not None and counter["reservations"] == [] and counter["last"] == 2
        trail = [e["action"] for e in await cases.trail.trail(crashed["id"])]
        assert trail.count("issue") == 1
        verdict = await cases.trail.verify(crashed["id"])
        assert verdict.valid


async def test_recovery_runs_when_a_replica_starts(topic_suffix: str) -> None:
    database = unique("t_documents_")
    config = support.settings(topic_suffix, database, recovery_grace_s=0)
    async with running_app(create_app, config) as client:
        doc = await approved_doc(client)
        with pytest.MonkeyPatch.context() as patch:
            support.crash_after_issuance_step(patch, support.components_behind(client), 1)
            with pytest.raises(support.InjectedCrash):
                await support.components_behind(client).issuance.issue(
                    CLERK, doc["id"], doc["version"]
                )
        # A second replica starting on the same database finishes the issuance.
        async with running_app(create_app, config) as other:
            fresh = await other.get(f"/api/v1/documents/{doc['id']}", headers=clerk())
            assert fresh.json()["state"] == "issued" and fresh.json()["number"] == 1


async def test_two_clerks_issuing_the_same_document_consume_one_number(
    client: httpx.AsyncClient,
) -> None:
    ready = await support.approved(client)
    url = f"/api/v1/documents/{ready.json()['id']}/issue"
    results = await asyncio.gather(
        *(client.post(url, headers=with_version(clerk(), ready)) for _ in range(4))
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 200 and statuses[1:] == [412, 412, 412]
    winner = next(r for r in results if r.status_code == 200).json()
    after = (await support.issued(client)).json()
    assert after["number"] == winner["number"] + 1
