"""The audit chain detects altered, removed and re-linked entries."""

from __future__ import annotations

from typing import Any

from services.documents.domain.audit import GENESIS, entry_hash, verify_chain


def chain(n: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entry: dict[str, Any] = {
            "entry_id": f"e{seq}",
            "document_id": "d",
            "seq": seq,
            "at": "2025-01-01T00:00:00+00:00",
            "actor": "u",
            "action": "edit",
            "reason": "",
            "from_state": "draft",
            "to_state": "draft",
            "prev_hash": prev,
        }
        entry["hash"] = entry_hash(entry)
        prev = entry["hash"]
        entries.append(entry)
    return entries


def test_an_untouched_chain_verifies() -> None:
    verdict = verify_chain(chain(4))
    assert verdict.valid and verdict.entries == 4


def test_an_altered_entry_is_detected() -> None:
    entries = chain(4)
    entries[1]["reason"] = "nothing happened"
    verdict = verify_chain(entries)
    assert not verdict.valid and verdict.broken_at == 2


def test_a_removed_entry_is_detected() -> None:
    entries = chain(4)
    del entries[2]
    assert verify_chain(entries).broken_at == 4


def test_a_recomputed_hash_still_breaks_the_next_link() -> None:
    entries = chain(3)
    entries[0]["actor"] = "mallory"
    entries[0]["hash"] = entry_hash(entries[0])
    verdict = verify_chain(entries)
    assert not verdict.valid and verdict.broken_at == 2
