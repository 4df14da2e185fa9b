"""The message log's chain rules: hashes, headers, bodies, and what verification finds."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.lgsp.domain.message_log import (
    GENESIS,
    BodyPolicy,
    ChainCheck,
    Problem,
    checkpoint_material_of,
    entry_hash,
    payload_fields,
    safe_headers,
)
from shared.signing import b64url, b64url_decode

CHAIN = "p1"
KEY = Ed25519PrivateKey.generate()
T0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


def chain_of(n: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entry: dict[str, Any] = {
            "chain": CHAIN,
            "seq": seq,
            "at": T0 + dt.timedelta(seconds=seq),
            "kind": "document.dispatched",
            "headers": [{"name": "webhook-id", "value": f"m{seq}"}],
            "body": f"payload {seq}".encode(),
            "prev_hash": prev,
        }
        entry["hash"] = prev = entry_hash(entry)
        entries.append(entry)
    return entries


def checkpoint(entry: Mapping[str, Any], key: Ed25519PrivateKey = KEY) -> dict[str, Any]:
    cp: dict[str, Any] = {"chain": CHAIN, "seq": entry["seq"], "hash": entry["hash"], "at": T0}
    cp["kid"] = "k1"
    cp["signature"] = b64url(key.sign(checkpoint_material_of(cp)))
    return cp


def signed_by_key(cp: Mapping[str, Any]) -> bool:
    try:
        KEY.public_key().verify(b64url_decode(str(cp["signature"])), checkpoint_material_of(cp))
    except InvalidSignature:
        return False
    return True


def verify(
    entries: dict[int, dict[str, Any]],
    last: int,
    checkpoints: dict[int, dict[str, Any]] | None = None,
    floor: dict[str, Any] | None = None,
) -> list[tuple[int, Problem, int | None]]:
    start = (int(floor["seq"]), str(floor["hash"])) if floor else (0, GENESIS)
    check = ChainCheck(CHAIN, start[0], start[1], signed_by_key)
    if floor:
        check.floor(floor)
    for seq in range(start[0] + 1, last + 1):
        check.position(seq, entries.get(seq), (checkpoints or {}).get(seq))
    return [(f.seq, f.problem, f.last_seq) for f in check.findings]


def by_seq(entries: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {e["seq"]: e for e in entries}


def test_an_intact_chain_verifies() -> None:
    entries = chain_of(10)
    assert verify(by_seq(entries), 10, {5: checkpoint(entries[4])}) == []


def test_the_hash_covers_every_field_and_the_body_bytes() -> None:
    [entry] = chain_of(1)
    assert entry_hash(entry) == entry["hash"]
    assert entry_hash({**entry, "_id": "elsewhere"}) == entry["hash"]  # the key is not hashed
    assert entry_hash({**entry, "body": b"payload 2"}) != entry["hash"]
    assert entry_hash({**entry, "extra": None}) != entry["hash"]
    naive = {**entry, "at": entry["at"].replace(tzinfo=None)}  # as some clients read it back
    assert entry_hash(naive) == entry["hash"]


def test_a_changed_entry_is_named() -> None:
    entries = by_seq(chain_of(10))
    entries[4]["kind"] = "document.recalled"
    assert verify(entries, 10) == [(4, Problem.CHANGED, None)]


def test_a_changed_entry_with_its_hash_recomputed_breaks_the_next_link() -> None:
    entries = by_seq(chain_of(10))
    entries[4]["kind"] = "document.recalled"
    entries[4]["hash"] = entry_hash(entries[4])
    assert verify(entries, 10) == [(4, Problem.CHANGED, None)]


def test_a_rewritten_tail_is_caught_by_the_signed_checkpoint() -> None:
    original = chain_of(10)
    cp = checkpoint(original[7])
    rewritten = by_seq(original)
    rewritten[4]["kind"] = "document.recalled"
    prev = rewritten[3]["hash"]
    for seq in range(4, 11):  # every hash after it recomputed, links and all
        rewritten[seq]["prev_hash"] = prev
        rewritten[seq]["hash"] = prev = entry_hash(rewritten[seq])
    assert verify(rewritten, 10, {8: cp}) == [(8, Problem.CHANGED, None)]


def test_deleted_entries_are_missing_as_one_run() -> None:
    entries = by_seq(chain_of(10))
    for seq in (3, 4, 5):
        del entries[seq]
    assert verify(entries, 10) == [(3, Problem.MISSING, 5)]


def test_a_cut_tail_is_missing_up_to_the_last_known_position() -> None:
    entries = by_seq(chain_of(10))
    del entries[10]
    assert verify(entries, 10) == [(10, Problem.MISSING, 10)]


def test_two_swapped_entries_are_reordered() -> None:
    entries = by_seq(chain_of(10))
    entries[6], entries[7] = entries[7], entries[6]
    assert verify(entries, 10) == [(6, Problem.REORDERED, None), (7, Problem.REORDERED, None)]


def test_a_forged_checkpoint_is_reported() -> None:
    entries = chain_of(10)
    forged = checkpoint(entries[4], Ed25519PrivateKey.generate())
    assert verify(by_seq(entries), 10, {5: forged}) == [(5, Problem.BAD_CHECKPOINT, None)]
    tampered = {**checkpoint(entries[4]), "hash": "f" * 64}
    assert verify(by_seq(entries), 10, {5: tampered}) == [(5, Problem.BAD_CHECKPOINT, None)]


def test_retention_up_to_a_checkpoint_verifies_but_a_removal_after_it_does_not() -> None:
    entries = chain_of(10)
    floor = checkpoint(entries[3])  # retention removed 1..4 and kept this checkpoint
    kept = {e["seq"]: e for e in entries if e["seq"] > 4}
    assert verify(kept, 10, floor=floor) == []
    del kept[6]
    assert verify(kept, 10, floor=floor) == [(6, Problem.MISSING, 6)]


def test_a_forged_floor_is_reported() -> None:
    entries = chain_of(10)
    floor = checkpoint(entries[3], Ed25519PrivateKey.generate())
    kept = {e["seq"]: e for e in entries if e["seq"] > 4}
    assert verify(kept, 10, floor=floor) == [(4, Problem.BAD_CHECKPOINT, None)]


def test_headers_never_keep_credentials() -> None:
    kept = safe_headers(
        {
            "Authorization": "Bearer abc",
            "X-API-Key": "lgsp_123",
            "Cookie": "s=1",
            "X-Client-Secret": "s",
            "webhook-signature": "v1,xyz",
            "Content-Type": "application/json",
        }
    )
    assert kept == [
        {"name": "content-type", "value": "application/json"},
        {"name": "webhook-signature", "value": "v1,xyz"},
    ]


def test_bodies_are_kept_truncated_or_only_hashed() -> None:
    payload = b"x" * 100
    digest = hashlib.sha256(payload).hexdigest()
    full = payload_fields(payload, BodyPolicy.FULL, 64)
    assert full["body"] == payload[:64] and full["body_truncated"] is True
    assert full["payload_sha256"] == digest and full["payload_size"] == 100
    small = payload_fields(b"ok", BodyPolicy.FULL, 64)
    assert small["body"] == b"ok" and small["body_truncated"] is False
    hashed = payload_fields(payload, BodyPolicy.HASH, 64)
    assert hashed["body"] is None and hashed["payload_sha256"] == digest


def test_a_chain_rewritten_without_its_checkpoints_is_caught() -> None:
    """Whoever can write to the store can rehash every entry, but cannot sign checkpoints:
    the ones due at every multiple (one interval of lag allowed at the end) must be there."""
    entries = chain_of(25)
    check = ChainCheck(CHAIN, 0, GENESIS, signed_by_key, checkpoint_every=5)
    kept = {n: checkpoint(entries[n - 1]) for n in (5, 15, 20)}
    for entry in entries:
        check.position(entry["seq"], entry, kept.get(entry["seq"]))
    check.finish()
    # 10 is missing; 25's may still be on its way (the last interval is excused).
    assert [(f.seq, f.problem) for f in check.findings] == [(10, Problem.MISSING_CHECKPOINT)]


async def test_with_a_key_file_a_key_added_to_the_store_is_not_trusted(tmp_path: Any) -> None:
    from cryptography.hazmat.primitives import serialization

    from services.lgsp.services.log_keys import LogKeys

    class Store:
        async def get(self, kid: str) -> dict[str, Any] | None:
            from shared.signing import public_jwk

            return {"public_jwk": public_jwk(forged.public_key(), kid)}

        async def insert_if_absent(self, record: dict[str, Any]) -> dict[str, Any]:
            return record

    def pem_of(key: Ed25519PrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    forged, retired = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    key_file = tmp_path / "log.pem"
    key_file.write_bytes(pem_of(KEY))
    retired_pem = (
        retired.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    keys = LogKeys(Store(), str(key_file), "k1", retired={"k0": retired_pem})  # type: ignore[arg-type]
    [entry] = chain_of(1)

    def signed(key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
        return {**checkpoint(entry, key), "kid": kid}

    ok = await keys.verifier(["k1", "k0", "attacker"])
    assert ok(signed(KEY, "k1")) and ok(signed(retired, "k0"))
    assert not ok(signed(forged, "attacker"))
    # Production never runs on a generated key kept in the very store the log protects.
    import pytest

    with pytest.raises(ValueError, match="LOG_SIGNING_KEY_FILE"):
        LogKeys(Store(), production=True)  # type: ignore[arg-type]
