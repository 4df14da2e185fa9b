"""The message log on the real store: replicas never fork a chain, tampering is found and
named, retention cuts only at a signed checkpoint, and the service logs what it exchanges."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

from typer.testing import CliRunner

from egov_cli.main import app as egov
from services.lgsp.app import create_app
from services.lgsp.components import build_logs
from services.lgsp.repositories import PartnerRepository
from services.lgsp.services.message_log import MessageLog
from services.lgsp.settings import Settings
from shared.auth.principal import Role
from shared.kit.clock import utcnow
from tests.integration.lgsp.support import ADMIN, lgsp_settings, partner_server, register
from tests.support.infra import mongo_url
from tests.support.kafka import eventually, produce_event
from tests.support.services import auth, running_app
from tests.unit.lgsp.factories import dispatched

G22, H26 = "000.00.00.G22", "000.00.00.H26"
PARTNER = "p-replicas"


async def _replica(db: Any, every: int = 50) -> MessageLog:
    settings = Settings(mongo_database=db.name, message_log_checkpoint_every=every)
    keys, message_log, _ = build_logs(db, settings, PartnerRepository(db))
    await keys.signing_key()
    return message_log


async def _append(log: MessageLog, n: int, tag: str) -> list[dict[str, Any]]:
    return list(
        await asyncio.gather(
            *(
                log.append(
                    partner_id=PARTNER,
                    partner_code=G22,
                    direction="out",
                    kind="document.dispatched",
                    headers={"webhook-id": f"{tag}-{i}", "Authorization": "Bearer secret"},
                    payload=f'{{"n":"{tag}-{i}"}}'.encode(),
                    outcome="delivered: HTTP 200",
                )
                for i in range(n)
            )
        )
    )


async def test_two_replicas_appending_to_one_chain_never_fork(db: Any) -> None:
    one, two = await _replica(db), await _replica(db)
    first, second = await asyncio.gather(_append(one, 100, "a"), _append(two, 100, "b"))

    seqs = sorted(e["seq"] for e in first + second)
    assert seqs == list(range(1, 201))  # one chain: every position once, no gap
    entries = [d async for d in db["message_log"].find({})]
    assert len(entries) == 200
    assert len({e["prev_hash"] for e in entries}) == 200  # nobody chained twice after one
    assert all("authorization" not in {h["name"] for h in e["headers"]} for e in entries)
    [verdict] = await one.verify(None)
    assert verdict.ok and verdict.checked == 200 and verdict.last_seq == 200, verdict
    checkpoints = sorted([d["seq"] async for d in db["message_log_checkpoints"].find({})])
    assert checkpoints == [50, 100, 150, 200]
    head = await db["message_log_heads"].find_one({"_id": PARTNER})
    assert head["seq"] == 200


async def test_two_replicas_appending_one_at_a_time_race_for_every_position(db: Any) -> None:
    one, two = await _replica(db), await _replica(db)

    async def one_by_one(log: MessageLog, tag: str) -> list[int]:
        return [(await _append(log, 1, f"{tag}{i}"))[0]["seq"] for i in range(60)]

    first, second = await asyncio.gather(one_by_one(one, "a"), one_by_one(two, "b"))
    assert sorted(first + second) == list(range(1, 121))
    assert first == sorted(first) and second == sorted(second)
    [verdict] = await two.verify(None)
    assert verdict.ok and verdict.checked == 120, verdict


async def test_a_lagging_head_is_overtaken_by_probing(db: Any) -> None:
    log = await _replica(db)
    await _append(log, 5, "a")
    # A crash between an insert and the head's update: the head says 2.
    await db["message_log_heads"].update_one({"_id": PARTNER}, {"$set": {"seq": 2}})
    fresh = await _replica(db)
    [entry] = await _append(fresh, 1, "b")
    assert entry["seq"] == 6
    assert (await fresh.verify(None))[0].ok


async def test_changed_deleted_swapped_entries_and_a_forged_checkpoint_are_named(
    db: Any,
) -> None:
    log = await _replica(db, every=10)
    await _append(log, 20, "a")
    env = {
        "EGOV_MONGO_URL": mongo_url(),
        "EGOV_LGSP_MONGO_DATABASE": db.name,
    }
    ok = await asyncio.to_thread(CliRunner().invoke, egov, ["lgsp", "verify-log"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "ok" in ok.output and "20 entries" in ok.output

    entries = db["message_log"]
    key = f"{PARTNER}|{{:012d}}".format
    await entries.update_one({"_id": key(5)}, {"$set": {"outcome": "delivered: HTTP 204"}})
    await entries.delete_one({"_id": key(9)})
    e14, e15 = await entries.find_one({"_id": key(14)}), await entries.find_one({"_id": key(15)})
    await entries.replace_one({"_id": key(14)}, {k: v for k, v in e15.items() if k != "_id"})
    await entries.replace_one({"_id": key(15)}, {k: v for k, v in e14.items() if k != "_id"})
    await db["message_log_checkpoints"].update_one({"_id": key(20)}, {"$set": {"seq": 20}})
    await db["message_log_checkpoints"].update_one({"_id": key(10)}, {"$set": {"at": utcnow()}})

    verdict = await log.chain.verify(PARTNER)
    found = [(f.seq, f.problem.value) for f in verdict.findings]
    assert found == [
        (5, "changed"),
        (9, "missing"),
        (10, "bad checkpoint signature"),
        (14, "reordered"),
        (15, "reordered"),
    ]

    bad = await asyncio.to_thread(CliRunner().invoke, egov, ["lgsp", "verify-log"], env=env)
    assert bad.exit_code == 1, bad.output
    assert "DAMAGED" in bad.output and "9 missing" in bad.output and "14 reordered" in bad.output


async def test_retention_cuts_at_a_signed_checkpoint_and_what_follows_still_verifies(
    db: Any,
) -> None:
    log = await _replica(db)
    await _append(log, 25, "old")
    cutoff = utcnow() + dt.timedelta(milliseconds=5)
    await asyncio.sleep(0.02)
    await _append(log, 10, "new")

    assert await log.chain.expire(PARTNER, cutoff) == 25
    assert await db["message_log"].count_documents({}) == 10
    head = await db["message_log_heads"].find_one({"_id": PARTNER})
    assert head["floor_seq"] == 25 and head["swept_through"] == 25
    verdict = await log.chain.verify(PARTNER)
    assert verdict.ok and verdict.floor_seq == 25 and verdict.checked == 10, verdict
    assert await log.chain.expire(PARTNER, cutoff) == 0  # nothing more is old

    # Appending goes on after the cut.
    [entry] = await _append(log, 1, "later")
    assert entry["seq"] == 36
    key = f"{PARTNER}|{{:012d}}".format
    # A changed entry stops retention: cutting past it would hide the damage.
    await db["message_log"].update_one({"_id": key(28)}, {"$set": {"outcome": "forged"}})
    assert await log.chain.expire(PARTNER, utcnow()) == 0
    found = [(f.seq, f.problem.value) for f in (await log.chain.verify(PARTNER)).findings]
    assert found == [(28, "changed")]
    await db["message_log"].update_one(
        {"_id": key(28)}, {"$set": {"outcome": "delivered: HTTP 200"}}
    )
    # A removed entry: retention cuts only up to it, so the gap stays visible.
    await db["message_log"].delete_one({"_id": key(30)})
    assert await log.chain.expire(PARTNER, utcnow()) == 4
    assert (await db["message_log_heads"].find_one({"_id": PARTNER}))["floor_seq"] == 29
    found = [(f.seq, f.problem.value) for f in (await log.chain.verify(PARTNER)).findings]
    assert found == [(30, "missing")]

    # A forged floor is reported.
    await db["message_log_heads"].update_one({"_id": PARTNER}, {"$set": {"floor.hash": "0" * 64}})
    found = [(f.seq, f.problem.value) for f in (await log.chain.verify(PARTNER)).findings]
    assert (29, "bad checkpoint signature") in found


async def test_the_service_logs_what_it_exchanges_and_lists_it_newest_first(
    topic_suffix: str,
) -> None:
    async with partner_server() as srv:
        settings = lgsp_settings(topic_suffix)
        async with running_app(create_app, settings) as client:
            await register(client, G22, webhook_url=srv.url("a"))
            _, b_key, _ = await register(client, H26)  # pull inbox
            b_headers = {"X-API-Key": b_key}
            await produce_event(dispatched([G22]), topic_suffix)
            to_b = dispatched([H26])
            await produce_event(to_b, topic_suffix)

            await eventually(lambda: _true(len(srv.delivered("a")) == 1))
            sent = srv.delivered("a")[0]
            page = await eventually(lambda: _log(client, G22))
            [out] = page["items"]
            assert out["direction"] == "out" and out["kind"] == "document.dispatched"
            assert out["payload_sha256"] == hashlib.sha256(sent.body).hexdigest()
            assert out["payload_size"] == len(sent.body)
            assert out["outcome"] == "delivered: HTTP 200"
            assert out["headers"]["webhook-signature"] == sent.headers["webhook-signature"]
            assert "body" not in out
            with_body = await client.get(
                "/api/v1/message-log", params={"partner": G22, "with_body": "true"}, headers=ADMIN
            )
            assert with_body.json()["items"][0]["body"].encode() == sent.body

            items = await eventually(lambda: _inbox(client, b_headers))
            delivery_id = items[0]["delivery_id"]
            acked = await client.post(f"/api/v1/inbox/{delivery_id}/ack", headers=b_headers)
            assert acked.status_code == 200
            refused = await client.post(
                "/api/v1/statuses",
                json={"document_id": "not-mine", "status": "03"},
                headers=b_headers,
            )
            assert refused.status_code == 404
            reported = await client.post(
                "/api/v1/statuses",
                json={"document_id": to_b.document_id, "status": "03", "note": "ok"},
                headers=b_headers,
            )
            assert reported.status_code == 200, reported.text

            first = await client.get(
                "/api/v1/message-log", params={"partner": H26, "limit": 2}, headers=ADMIN
            )
            assert first.status_code == 200, first.text
            newest = first.json()["items"]
            assert [(e["direction"], e["kind"], e["outcome"]) for e in newest] == [
                ("in", "document.status", "accepted"),
                ("in", "document.status", "refused: no delivery of this document to you"),
            ]
            assert all("x-api-key" not in e["headers"] for e in newest)
            second = await client.get(
                "/api/v1/message-log",
                params={"partner": H26, "limit": 2, "cursor": first.json()["next_cursor"]},
                headers=ADMIN,
            )
            older = second.json()["items"]
            assert [(e["direction"], e["kind"]) for e in older] == [
                ("in", "inbox.ack"),
                ("out", "document.dispatched"),
            ]
            assert older[1]["outcome"] == "handed out (inbox)"
            assert [e["seq"] for e in newest + older] == [4, 3, 2, 1]
            outs = await client.get(
                "/api/v1/message-log", params={"partner": H26, "direction": "out"}, headers=ADMIN
            )
            assert [e["seq"] for e in outs.json()["items"]] == [1]

            verified = await client.get("/api/v1/message-log/verify", headers=ADMIN)
            assert verified.status_code == 200 and verified.json()["ok"] is True
            assert len(verified.json()["chains"]) == 2
            one = await client.get(
                "/api/v1/message-log/verify", params={"partner": H26}, headers=ADMIN
            )
            assert one.json()["chains"][0]["last_seq"] == 4

            clerk = auth(Role.CLERK, audience=("lgsp",))
            for path in ("/api/v1/message-log?partner=" + H26, "/api/v1/message-log/verify"):
                assert (await client.get(path, headers=clerk)).status_code == 403
                assert (await client.get(path)).status_code == 401
            unknown = await client.get(
                "/api/v1/message-log", params={"partner": "nobody"}, headers=ADMIN
            )
            assert unknown.status_code == 404


async def _log(client: Any, partner: str) -> dict[str, Any] | None:
    response = await client.get("/api/v1/message-log", params={"partner": partner}, headers=ADMIN)
    body: dict[str, Any] = response.json()
    return body if body["items"] else None


async def _inbox(client: Any, headers: dict[str, str]) -> list[dict[str, Any]] | None:
    items: list[dict[str, Any]] = (await client.get("/api/v1/inbox", headers=headers)).json()[
        "items"
    ]
    return items or None


async def _true(value: bool) -> bool:
    return value


async def test_a_bounded_check_goes_on_from_where_it_stopped(db: Any) -> None:
    """The HTTP check reads at most a bounded number of positions and says where to go on;
    a rewritten chain whose checkpoints were dropped is caught on the way."""
    log = await _replica(db, every=10)
    await _append(log, 35, "x")
    first = await log.chain.verify(PARTNER, max_positions=12)
    assert first.ok and first.checked == 12 and first.next_seq == 13
    rest = await log.chain.verify(PARTNER, from_seq=13, max_positions=100)
    assert rest.ok and rest.next_seq is None and rest.last_seq == 35
    await db["message_log_checkpoints"].delete_one({"seq": 20})
    whole = await log.chain.verify(PARTNER)
    assert [(f.seq, f.problem.value) for f in whole.findings] == [(20, "missing checkpoint")]
