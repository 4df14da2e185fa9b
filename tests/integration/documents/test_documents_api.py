"""The staff API: drafts, concurrency, idempotency, listing, search, registers, audit."""

from __future__ import annotations

import httpx
import pytest

from services.documents.components import components_of
from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality
from tests.integration.documents import support
from tests.integration.documents.support import approver, clerk, drafter, with_version
from tests.support.services import auth


async def test_a_draft_is_created_read_and_edited_with_its_version(
    client: httpx.AsyncClient,
) -> None:
    created = await support.create(client)
    doc = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"/api/v1/documents/{doc['id']}"
    assert doc["state"] == "draft" and doc["version"] == 1
    assert "outbox" not in doc and "search" not in doc

    read = await client.get(f"/api/v1/documents/{doc['id']}", headers=drafter())
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'

    patched = await client.patch(
        f"/api/v1/documents/{doc['id']}",
        json={"subject": "Về việc tổ chức tập huấn kỹ năng số"},
        headers=with_version(drafter(), read),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["subject"] == "Về việc tổ chức tập huấn kỹ năng số"
    assert patched.headers["ETag"] == '"2"'


async def test_writes_need_the_current_version(client: httpx.AsyncClient) -> None:
    created = await support.create(client)
    url = f"/api/v1/documents/{created.json()['id']}"
    missing = await client.patch(url, json={"subject": "x"}, headers=drafter())
    assert missing.status_code == 428
    assert missing.headers["content-type"].startswith("application/problem+json")
    stale = await client.patch(url, json={"subject": "x"}, headers={**drafter(), "If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    submit_stale = await client.post(f"{url}/submit", headers={**drafter(), "If-Match": '"9"'})
    assert submit_stale.status_code == 412
    unchanged = await client.get(url, headers=drafter())
    assert unchanged.json()["state"] == "draft" and unchanged.json()["version"] == 1


async def test_a_transition_the_state_does_not_allow_is_a_conflict_naming_the_state(
    client: httpx.AsyncClient,
) -> None:
    created = await support.create(client)
    doc_id = created.json()["id"]
    response = await client.post(
        f"/api/v1/documents/{doc_id}/issue", headers=with_version(clerk(), created)
    )
    # A clerk may not even see a draft: 404 hides it.
    assert response.status_code == 404
    admin = auth("admin", clearance=support.SECRET)
    response = await client.post(
        f"/api/v1/documents/{doc_id}/issue", headers=with_version(admin, created)
    )
    assert response.status_code == 409
    assert response.json()["state"] == "draft"
    ready = await support.approved(client)
    edit = await client.patch(
        f"/api/v1/documents/{ready.json()['id']}",
        json={"subject": "late change"},
        headers=with_version(admin, ready),
    )
    assert edit.status_code == 409 and edit.json()["state"] == "approved"


async def test_a_returned_draft_carries_the_reason_and_can_be_resubmitted(
    client: httpx.AsyncClient,
) -> None:
    created = await support.create(client)
    doc_id = created.json()["id"]
    submitted = await client.post(
        f"/api/v1/documents/{doc_id}/submit", headers=with_version(drafter(), created)
    )
    no_reason = await client.post(
        f"/api/v1/documents/{doc_id}/return", json={}, headers=with_version(approver(), submitted)
    )
    assert no_reason.status_code == 422
    returned = await client.post(
        f"/api/v1/documents/{doc_id}/return",
        json={"reason": "Bổ sung căn cứ pháp lý"},
        headers=with_version(approver(), submitted),
    )
    assert returned.status_code == 200
    assert returned.json()["state"] == "draft"
    assert returned.json()["return_reason"] == "Bổ sung căn cứ pháp lý"
    again = await client.post(
        f"/api/v1/documents/{doc_id}/submit", headers=with_version(drafter(), returned)
    )
    assert again.json()["state"] == "submitted"


async def test_the_same_idempotency_key_and_body_give_the_first_document(
    client: httpx.AsyncClient,
) -> None:
    headers = {**drafter(), "Idempotency-Key": "create-plan-42"}
    first = await client.post("/api/v1/documents", json=support.body(), headers=headers)
    again = await client.post("/api/v1/documents", json=support.body(), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    other = await client.post(
        "/api/v1/documents", json=support.body(subject="Khác"), headers=headers
    )
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]


async def test_lists_page_with_an_opaque_cursor_and_filter(client: httpx.AsyncClient) -> None:
    unit = "TCCB"
    ids = []
    for i in range(5):
        response = await client.post(
            "/api/v1/documents",
            json=support.body(drafting_unit=unit, subject=f"Báo cáo số {i}", doc_type="bao_cao"),
            headers=drafter(unit),
        )
        ids.append(response.json()["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2, "unit": unit, "type": "bao_cao"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/documents", params=params, headers=drafter(unit))).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    too_many = await client.get("/api/v1/documents", params={"limit": 201}, headers=drafter())
    assert too_many.status_code == 422
    bad_cursor = await client.get("/api/v1/documents", params={"cursor": "%%%"}, headers=drafter())
    assert bad_cursor.status_code == 400


async def test_search_ignores_diacritics_and_finds_notations(client: httpx.AsyncClient) -> None:
    issued = (await support.issued(client, subject="Kế hoạch Bình dân học vụ số")).json()
    records = auth("records_officer", clearance=support.SECRET)
    for q in ("binh dan hoc vu", "Bình Dân", "HỌC VỤ SỐ", issued["notation"]):
        found = await client.get("/api/v1/documents", params={"q": q}, headers=records)
        assert issued["id"] in [i["id"] for i in found.json()["items"]], q
    regex = await client.get("/api/v1/documents", params={"q": ".*"}, headers=records)
    assert regex.status_code == 200 and regex.json()["items"] == []
    lookup = await client.get(
        "/api/v1/documents",
        params={"notation": issued["notation"], "year": issued["year"]},
        headers=records,
    )
    assert [i["id"] for i in lookup.json()["items"]] == [issued["id"]]
    filtered = await client.get(
        "/api/v1/documents",
        params={"state": "issued", "book": "outgoing", "year": issued["year"], "limit": 200},
        headers=records,
    )
    states = {i["state"] for i in filtered.json()["items"]}
    assert issued["id"] in [i["id"] for i in filtered.json()["items"]] and states == {"issued"}


async def test_the_register_lists_issued_entries_in_number_order(
    client: httpx.AsyncClient,
) -> None:
    docs = [(await support.issued(client, doc_type="thong_tu")).json() for _ in range(3)]
    year = docs[0]["year"]
    register = await client.get(f"/api/v1/registers/BNG/thong_tu/{year}", headers=clerk())
    assert register.status_code == 200
    numbers = [e["number"] for e in register.json()["items"]]
    assert numbers == sorted(numbers) and len(numbers) >= 3
    assert docs[0]["notation"] == f"{docs[0]['number']:02d}/{year}/TT-BNG"
    assert (
        await client.get(f"/api/v1/registers/BNG/nope/{year}", headers=clerk())
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/registers/BNG/thong_tu/{year}", headers=drafter())
    ).status_code == 403


async def test_revoke_and_replace_are_recorded_and_linked_both_ways(
    client: httpx.AsyncClient,
) -> None:
    old = await support.issued(client)
    newer = (await support.issued(client)).json()
    replaced = await client.post(
        f"/api/v1/documents/{old.json()['id']}/replace",
        json={"replaced_by": newer["id"], "reason": "Sửa sai sót"},
        headers=with_version(clerk(), old),
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["state"] == "replaced"
    assert replaced.json()["replaced_by_id"] == newer["id"]
    back = (await client.get(f"/api/v1/documents/{newer['id']}", headers=clerk())).json()
    assert back["replaces_id"] == old.json()["id"]

    current = await client.get(f"/api/v1/documents/{newer['id']}", headers=clerk())
    revoked = await client.post(
        f"/api/v1/documents/{newer['id']}/revoke",
        json={"reason": "Thu hồi theo chỉ đạo"},
        headers=with_version(clerk(), current),
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    twice = await client.post(
        f"/api/v1/documents/{newer['id']}/revoke",
        json={"reason": "again"},
        headers=with_version(clerk(), revoked),
    )
    assert twice.status_code == 409 and twice.json()["state"] == "revoked"


async def test_the_audit_trail_is_chained_and_a_tampered_entry_is_detected(
    client: httpx.AsyncClient,
) -> None:
    doc = (await support.issued(client)).json()
    records = auth("records_officer", clearance=support.SECRET)
    trail = (await client.get(f"/api/v1/documents/{doc['id']}/audit", headers=records)).json()
    actions = [e["action"] for e in trail["items"]]
    assert actions == ["create", "submit", "approve", "issue"]
    assert [e["seq"] for e in trail["items"]] == [1, 2, 3, 4]
    assert trail["items"][1]["prev_hash"] == trail["items"][0]["hash"]
    ok = await client.get(f"/api/v1/documents/{doc['id']}/audit/verify", headers=records)
    assert ok.json() == {"valid": True, "entries": 4, "broken_at": None, "reason": ""}

    app_db = support.app_of(client).state.runtime.db
    await app_db["audit"].update_one(
        {"document_id": doc["id"], "seq": 2}, {"$set": {"actor": "someone-else"}}
    )
    broken = await client.get(f"/api/v1/documents/{doc['id']}/audit/verify", headers=records)
    assert broken.json()["valid"] is False and broken.json()["broken_at"] == 2


async def test_reading_a_classified_document_is_itself_audited(
    client: httpx.AsyncClient,
) -> None:
    created = await support.create(client, confidentiality="mat")
    doc_id = created.json()["id"]
    await client.get(f"/api/v1/documents/{doc_id}", headers=drafter())
    records = auth("records_officer", user="reader", clearance=support.SECRET)
    await client.get(f"/api/v1/documents/{doc_id}", headers=records)
    trail = (await client.get(f"/api/v1/documents/{doc_id}/audit", headers=records)).json()
    reads = [e["actor"] for e in trail["items"] if e["action"] == "read"]
    assert reads == ["drafter-CNTT", "reader"]


async def test_a_lost_back_link_of_a_replacement_is_restored_by_recovery(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await support.issued(client)
    newer = (await support.issued(client)).json()
    app = support.app_of(client)
    cases = components_of(app.state.runtime)
    # As if the process died between the two writes of a replacement.
    monkeypatch.setattr(cases.revocation, "finish_link", support._dies)
    with pytest.raises(support.InjectedCrash):
        await cases.revocation.replace(
            Principal(user="clerk", roles=frozenset({Role.CLERK}), clearance=Confidentiality.MAT),
            old.json()["id"],
            int(old.json()["version"]),
            newer["id"],
        )
    monkeypatch.undo()
    lost = (await client.get(f"/api/v1/documents/{newer['id']}", headers=clerk())).json()
    assert lost.get("replaces_id") is None
    await cases.recovery.recover(grace_s=0)
    restored = (await client.get(f"/api/v1/documents/{newer['id']}", headers=clerk())).json()
    assert restored["replaces_id"] == old.json()["id"]


async def test_the_openapi_document_describes_the_staff_api(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/documents",
        "/api/v1/documents/{document_id}/issue",
        "/api/v1/documents/{document_id}/attachments",
        "/api/v1/registers/{issuer}/{book}/{year}",
        "/api/v1/files/{sha256}",
        "/.well-known/jwks.json",
        "/api/v1/verify",
    ):
        assert path in paths
