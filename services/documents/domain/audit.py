"""The hash-chained audit trail: each entry commits to its predecessor."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "entry_id",
    "document_id",
    "seq",
    "at",
    "actor",
    "action",
    "reason",
    "from_state",
    "to_state",
    "prev_hash",
)


def entry_hash(entry: Mapping[str, Any]) -> str:
    material = {k: _plain(entry.get(k)) for k in CHAINED_FIELDS}
    return hashlib.sha256(bytes(rfc8785.dumps(material))).hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return value


@dataclass(frozen=True)
class ChainVerdict:
    valid: bool
    entries: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(entries: Iterable[Mapping[str, Any]]) -> ChainVerdict:
    prev = GENESIS
    count = 0
    for expected_seq, entry in enumerate(entries, start=1):
        count = expected_seq
        seq = int(entry.get("seq", 0))
        if seq != expected_seq:
            return ChainVerdict(False, count, seq, f"entry {expected_seq} is missing")
        if entry.get("prev_hash") != prev:
            return ChainVerdict(False, count, seq, "the link to the previous entry is broken")
        if entry.get("hash") != entry_hash(entry):
            return ChainVerdict(False, count, seq, "the entry was altered after it was written")
        prev = str(entry["hash"])
    return ChainVerdict(True, count)
