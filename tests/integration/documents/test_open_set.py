"""The open set of outgoing documents on the real servers: every document not yet issued is
listed by state (whatever its age), the set follows each step in the same unit of work as
the document, a crash between the two is repaired, the one-off migration fills it for an
existing database, and two replicas writing at once leave it right."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from services.documents.app import create_app
from services.documents.components import DocumentsComponents
from services.documents.domain.lifecycle import Action
from services.documents.repositories import documents as repo_module
from services.documents.repositories.migrations import MigrationMarkers
from services.documents.repositories.open_documents import OpenDocuments
from services.documents.services.migration import OPEN_SET, Migration
from services.documents.web.waiting import WaitingForMe
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality
from tests.integration.documents import support
from tests.integration.documents.support import (
    InjectedCrash,
    approver,
    clerk,
    drafter,
    with_version,
)
from tests.support.infra import unique
from tests.support.services import auth, running_app

OPEN = "documents_open"


def _components(client: httpx.AsyncClient) -> DocumentsComponents:
    return support.components_behind(client)


async def _entry(client: httpx.AsyncClient, doc_id: str) -> dict[str, Any] | None:
    return await _components(client).documents.open_set.collection.find_one({"_id": doc_id})


async def _create(client: httpx.AsyncClient, unit: str, **fields: Any) -> httpx.Response:
    response = await client.post(
        "/api/v1/documents",
        json=support.body(drafting_unit=unit, **fields),
        headers=drafter(unit),
    )
    assert response.status_code == 201, response.text
    return response


async def _do(
    client: httpx.AsyncClient,
    doc_id: str,
    action: str,
    actor: dict[str, str],
    previous: httpx.Response,
    **body: Any,
) -> httpx.Response:
    response = await client.post(
        f"/api/v1/documents/{doc_id}/{action}",
        headers=with_version(actor, previous),
        json=body or None,
    )
    assert response.status_code == 200, response.text
    return response


async def _listed(
    client: httpx.AsyncClient, state: str, actor: dict[str, str], limit: int = 200, **params: Any
) -> list[str]:
    """Every id of a listing by state, page after page."""
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        query: dict[str, Any] = {"state": state, "limit": limit, **params}
        if cursor:
            query["cursor"] = cursor
        page = await client.get("/api/v1/documents", params=query, headers=actor)
        assert page.status_code == 200, page.text
        ids += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return ids
    raise AssertionError("the listing never ended")


def _staff(role: Role, unit: str | None, user: str | None = None) -> Principal:
    return Principal(
        user=user or f"{role.value}-{unit}",
        roles=frozenset({role}),
        clearance=Confidentiality.TUYET_MAT,
        unit=unit,
    )


async def _waiting(client: httpx.AsyncClient, principal: Principal) -> dict[str, list[str]]:
    lists = await WaitingForMe(_components(client)).lists(principal)
    return {w.key: [str(d["_id"]) for d in w.items] for w in lists}


async def test_a_document_waiting_behind_the_walk_bound_is_still_to_approve(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day-bucket walk stops after a bounded number of documents (lowered here from
    2,000 to 3); a submitted document older than that many newer ones is still listed."""
    monkeypatch.setattr(repo_module, "MAX_EXAMINED", 3)
    monkeypatch.setattr(repo_module, "BATCH", 2)
    unit = "TCCB"
    created = await _create(client, unit, subject="Tờ trình chờ duyệt lâu nhất")
    old_id = created.json()["id"]
    await _do(client, old_id, "submit", drafter(unit), created)
    for n in range(6):
        await _create(client, "VP", subject=f"Dự thảo mới hơn {n}")

    walked, cursor = await _components(client).documents.walk_newest_first(
        lambda doc: doc["_id"] == old_id, None, 50
    )
    assert walked == [] and cursor is not None  # the walk alone would never reach it

    assert old_id in await _listed(client, "submitted", approver(unit))
    waiting = await _waiting(client, _staff(Role.APPROVER, unit))
    assert old_id in waiting["to_approve"]


async def test_the_open_set_follows_a_document_until_it_is_issued(
    client: httpx.AsyncClient,
) -> None:
    unit = "PL"
    me = _staff(Role.DRAFTER, unit, user=f"drafter-{unit}")
    created = await _create(client, unit, urgency="khan")
    doc_id = created.json()["id"]

    async def entry_is(state: str, response: httpx.Response, returned: bool) -> None:
        entry = await _entry(client, doc_id)
        assert entry is not None
        assert entry["state"] == state and entry["version"] == response.json()["version"]
        assert entry["returned"] is returned
        assert (entry["drafting_unit"], entry["urgency"]) == (unit, "khan")
        assert entry["created_by"] == f"drafter-{unit}"
        assert entry["confidentiality"] == "thuong"

    await entry_is("draft", created, returned=False)
    assert doc_id in await _listed(client, "draft", drafter(unit))
    submitted = await _do(client, doc_id, "submit", drafter(unit), created)
    await entry_is("submitted", submitted, returned=False)
    assert doc_id not in await _listed(client, "draft", drafter(unit))

    returned = await _do(client, doc_id, "return", approver(unit), submitted, reason="Sửa căn cứ")
    await entry_is("draft", returned, returned=True)
    assert doc_id in (await _waiting(client, me))["returned_drafts"]
    edited = await client.patch(
        f"/api/v1/documents/{doc_id}",
        json={"subject": "Đã sửa căn cứ pháp lý"},
        headers=with_version(drafter(unit), returned),
    )
    assert edited.status_code == 200, edited.text
    await entry_is("draft", edited, returned=True)

    again = await _do(client, doc_id, "submit", drafter(unit), edited)
    await entry_is("submitted", again, returned=False)
    assert doc_id not in (await _waiting(client, me))["returned_drafts"]
    assert doc_id in await _listed(client, "submitted", approver(unit))

    approved = await _do(client, doc_id, "approve", approver(unit), again)
    await entry_is("approved", approved, returned=False)
    assert doc_id in await _listed(client, "approved", clerk())
    assert doc_id in (await _waiting(client, _staff(Role.CLERK, "VP")))["to_issue"]

    await _do(client, doc_id, "issue", clerk(), approved)
    assert await _entry(client, doc_id) is None
    assert doc_id not in await _listed(client, "approved", clerk())


async def test_an_open_listing_shows_only_what_the_user_may_see(
    client: httpx.AsyncClient,
) -> None:
    unit = "TTBC"
    secret = await _create(client, unit, confidentiality="mat", access="internal")
    secret_id = secret.json()["id"]
    await _do(client, secret_id, "submit", drafter(unit), secret)
    plain = await _create(client, unit)
    plain_id = plain.json()["id"]

    other_unit = auth(
        Role.APPROVER, user="approver-VP", unit="VP", clearance=Confidentiality.THUONG
    )
    assert secret_id not in await _listed(client, "submitted", other_unit)
    not_cleared = auth(
        Role.APPROVER, user="approver-TTBC", unit=unit, clearance=Confidentiality.THUONG
    )
    assert secret_id not in await _listed(client, "submitted", not_cleared)
    assert secret_id in await _listed(client, "submitted", approver(unit))
    # Approvers never see drafts; drafters of another unit see none of this unit's.
    assert plain_id not in await _listed(client, "draft", approver(unit))
    assert plain_id not in await _listed(client, "draft", drafter("VP"))
    assert plain_id in await _listed(client, "draft", drafter(unit))
    # Clerks see documents from approval on only.
    assert secret_id not in await _listed(client, "submitted", clerk())
    vp_waiting = await _waiting(client, _staff(Role.APPROVER, "VP"))
    assert secret_id not in vp_waiting["to_approve"]


async def test_pages_of_an_open_state_rank_urgent_first_and_end(
    client: httpx.AsyncClient,
) -> None:
    unit = "CNTT"
    ids: dict[str, str] = {}
    for urgency in ("thuong", "hoa_toc", "khan", "thuong", "thuong_khan"):
        created = await _create(client, unit, urgency=urgency, doc_type="cong_van")
        await _do(client, created.json()["id"], "submit", drafter(unit), created)
        ids[created.json()["id"]] = urgency
    listed = [
        i
        for i in await _listed(client, "submitted", approver(unit), limit=2, type="cong_van")
        if i in ids
    ]
    assert sorted(listed) == sorted(ids)  # each once, none missing
    order = [ids[i] for i in listed]
    assert order[:3] == ["hoa_toc", "thuong_khan", "khan"]
    # Of equal urgency, the longest waiting first.
    plain = [i for i in listed if ids[i] == "thuong"]
    assert plain == sorted(plain)


async def test_a_crash_between_the_write_and_its_entry_is_repaired_by_the_sweep(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    components = _components(client)
    unit = "VP"
    created = await _create(client, unit)
    doc_id = created.json()["id"]
    sync = components.documents.open_set.sync

    async def dies(doc: Any) -> None:
        raise InjectedCrash("the process died before its open entry")

    monkeypatch.setattr(components.documents.open_set, "sync", dies)
    principal = _staff(Role.DRAFTER, unit)
    with pytest.raises(InjectedCrash):
        await components.drafting.transition(principal, doc_id, 1, Action.SUBMIT)
    monkeypatch.setattr(components.documents.open_set, "sync", sync)
    stale = await _entry(client, doc_id)
    assert stale is not None and (stale["state"], stale["version"]) == ("draft", 1)

    await components.relay.sweep_once(settle_s=0)
    entry = await _entry(client, doc_id)
    assert entry is not None and (entry["state"], entry["version"]) == ("submitted", 2)
    assert doc_id in await _listed(client, "submitted", approver(unit))


async def test_an_entry_put_back_after_its_document_left_is_dropped_by_the_listing(
    client: httpx.AsyncClient,
) -> None:
    """A slower writer's older entry can land after the document was issued (its entry
    deleted); the listing checks each document and removes such an entry."""
    ready = await support.approved(client)
    doc_id = ready.json()["id"]
    late = await _entry(client, doc_id)
    assert late is not None
    await _do(client, doc_id, "issue", clerk(), ready)
    assert await _entry(client, doc_id) is None
    await _components(client).documents.open_set.collection.insert_one(late)

    assert doc_id not in await _listed(client, "approved", clerk())
    assert await _entry(client, doc_id) is None


async def test_the_migration_fills_the_open_set_of_an_existing_database_once(
    topic_suffix: str, mongo: Any
) -> None:
    database = unique("t_documents_")
    settings = support.settings(topic_suffix, database)
    async with running_app(create_app, settings) as client:
        unit = "CNTT"
        draft = await _create(client, unit)
        submitted = await _create(client, unit)
        await _do(client, submitted.json()["id"], "submit", drafter(unit), submitted)
        back = await _create(client, unit)
        sent = await _do(client, back.json()["id"], "submit", drafter(unit), back)
        await _do(client, back.json()["id"], "return", approver(unit), sent, reason="Bổ sung")
        ready = await support.approved(client)
        done = await support.issued(client)
        db: AsyncDatabase[Any] = mongo[database]
        before = {e["_id"]: e async for e in db[OPEN].find({})}
        open_ids = {
            draft.json()["id"],
            submitted.json()["id"],
            back.json()["id"],
            ready.json()["id"],
        }
        assert set(before) == open_ids and done.json()["id"] not in before
        marker = await db["documents_migrations"].find_one({"_id": OPEN_SET})
        assert marker is not None and marker["documents"] == 0  # a new database

        # A database of the version before the open set: documents but no entries.
        await db[OPEN].drop()
        await db["documents_migrations"].drop()
        # A second replica starts on it: its start migrates before it serves.
        async with running_app(create_app, settings) as replica:
            after = {e["_id"]: e async for e in db[OPEN].find({})}
            assert after == before
            assert after[back.json()["id"]]["returned"] is True
            marker = await db["documents_migrations"].find_one({"_id": OPEN_SET})
            assert marker is not None and marker["documents"] == len(open_ids)
            assert submitted.json()["id"] in await _listed(replica, "submitted", approver(unit))

            # Once: a later start leaves the set to the writes.
            await db[OPEN].delete_one({"_id": draft.json()["id"]})
            migration = Migration(_components(replica).documents, MigrationMarkers(db))
            assert await migration.run_once() is False
            assert await db[OPEN].find_one({"_id": draft.json()["id"]}) is None


async def _race(
    clients: list[httpx.AsyncClient],
    doc_id: str,
    action: str,
    actor: dict[str, str],
    previous: httpx.Response,
    json: dict[str, Any] | None = None,
) -> httpx.Response:
    """The same step sent to both replicas at once: one wins, the other is told it is late."""
    headers = with_version(actor, previous)
    if action == "edit":
        sends = [
            c.patch(f"/api/v1/documents/{doc_id}", json=json, headers=headers) for c in clients
        ]
    else:
        url = f"/api/v1/documents/{doc_id}/{action}"
        sends = [c.post(url, json=json, headers=headers) for c in clients]
    answers = await asyncio.gather(*sends)
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    return next(a for a in answers if a.status_code == 200)


async def test_two_replicas_writing_at_once_keep_the_open_set_right(
    topic_suffix: str, mongo: Any
) -> None:
    database = unique("t_documents_")
    settings = support.settings(topic_suffix, database)
    unit = "CNTT"
    async with (
        running_app(create_app, settings) as first,
        running_app(create_app, settings) as second,
    ):
        replicas = [first, second]

        async def one_document(n: int) -> tuple[str, int, bool]:
            current = await _create(replicas[n % 2], unit, subject=f"Văn bản song song {n}")
            doc_id = current.json()["id"]
            steps: list[tuple[str, dict[str, str], dict[str, Any] | None]] = [
                ("edit", drafter(unit), {"subject": f"Sửa lần một {n}"}),
                ("submit", drafter(unit), None),
                ("return", approver(unit), {"reason": "Chưa đủ căn cứ"}),
                ("edit", drafter(unit), {"urgency": "khan"}),
                ("submit", drafter(unit), None),
                ("approve", approver(unit), None),
            ]
            if n % 2:
                steps.append(("issue", clerk(), None))
            for action, actor, body in steps:
                current = await _race(replicas, doc_id, action, actor, current, body)
            return doc_id, current.json()["version"], n % 2 == 1

        results = await asyncio.gather(*(one_document(n) for n in range(6)))
        db: AsyncDatabase[Any] = mongo[database]
        for doc_id, version, issued in results:
            entry = await db[OPEN].find_one({"_id": doc_id})
            doc = await db["documents"].find_one({"_id": doc_id})
            assert doc is not None and doc["version"] >= version
            if issued:
                assert entry is None and doc["state"] == "issued"
            else:
                assert entry is not None
                assert (entry["state"], entry["version"], entry["urgency"]) == (
                    "approved",
                    doc["version"],
                    "khan",
                )
                assert entry["returned"] is False
        waiting = await _waiting(second, _staff(Role.CLERK, "VP"))
        approved = {doc_id for doc_id, _, issued in results if not issued}
        assert approved <= set(waiting["to_issue"])


def _version(doc_id: str, version: int, state: str) -> dict[str, Any]:
    return {
        "_id": doc_id,
        "version": version,
        "state": state,
        "drafting_unit": "CNTT",
        "confidentiality": "thuong",
        "urgency": "thuong",
        "updated_at": dt.datetime.now(dt.UTC),
        "created_by": "drafter-CNTT",
    }


async def test_entries_never_move_backwards_whatever_order_the_writers_finish_in(
    db: AsyncDatabase[Any],
) -> None:
    """Each write brings the entry in step after the document's own write; two replicas'
    follow-ups may land in any order, the newest version wins."""
    open_set = OpenDocuments(db)
    states = ["draft", "draft", "submitted", "draft", "submitted", "approved"]
    versions = [_version("d1", n + 1, state) for n, state in enumerate(states)]
    shuffled = versions[:]
    random.Random(7).shuffle(shuffled)
    await asyncio.gather(*(open_set.sync(v) for v in shuffled))
    entry = await open_set.collection.find_one({"_id": "d1"})
    assert entry is not None and (entry["version"], entry["state"]) == (6, "approved")

    await open_set.sync(_version("d1", 8, "issued"))
    await open_set.sync(_version("d1", 7, "issuing"))
    await open_set.sync(versions[2])  # a straggler older than the issuance
    straggler = await open_set.collection.find_one({"_id": "d1"})
    # Put back (the set keeps no tombstones); listings drop it when they read the document.
    assert straggler is not None and straggler["version"] == 3
    await open_set.sync(_version("d1", 8, "issued"))
    assert await open_set.collection.find_one({"_id": "d1"}) is None
