"""Hash chains of exchanged messages and of administrators' actions: pure rules.

Each chain (one per partner for the message log, one for the administrators' audit log) is a
run of entries numbered 1, 2, 3, … Every entry holds the hash of its predecessor, and its own
hash is the SHA-256 of its RFC 8785 canonical JSON, so changing, removing or moving an entry
breaks the chain. Signed checkpoints ``{chain, seq, hash, at}`` fix the hash at a position:
retention may delete the entries up to a checkpoint (the chain's *floor*) and verification
starts there (docs/architecture.md, "Message log").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import rfc8785

from shared.kit.clock import as_utc

GENESIS = "0" * 64
# Fields that are bookkeeping of the store, not part of what the hash commits to.
UNHASHED = frozenset({"_id", "hash"})
TRUNCATED_MARKER = "[truncated]"
MAX_HEADERS = 64
MAX_HEADER_VALUE = 2000
# Headers that carry credentials: never stored. ``webhook-signature`` and XML signatures
# stay: they are evidence of what was signed, and give no one the means to sign.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "cookie",
        "set-cookie",
        "x-auth-token",
        "x-csrf-token",
    }
)
SECRET_WORDS = ("secret", "password", "token", "api-key", "apikey")


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class BodyPolicy(StrEnum):
    FULL = "full"  # bodies kept up to a size, larger ones truncated with a marker
    HASH = "hash"  # only the SHA-256 and the size


class Problem(StrEnum):
    CHANGED = "changed"
    MISSING = "missing"
    REORDERED = "reordered"
    BAD_CHECKPOINT = "bad checkpoint signature"
    MISSING_CHECKPOINT = "missing checkpoint"


def entry_key(chain: str, seq: int) -> str:
    """The _id of an entry (and of a checkpoint at that position): consecutive per chain."""
    return f"{chain}|{seq:012d}"


def is_secret_header(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in SECRET_HEADERS or any(word in lowered for word in SECRET_WORDS)


def safe_headers(headers: Mapping[str, str]) -> list[dict[str, str]]:
    """Headers as stored: credentials dropped, names lower-cased and kept as values (they
    may contain dots), values cut to a bounded length; sorted so the order is canonical."""
    kept = [
        {"name": name.strip().lower(), "value": str(value)[:MAX_HEADER_VALUE]}
        for name, value in headers.items()
        if not is_secret_header(name)
    ]
    kept.sort(key=lambda h: (h["name"], h["value"]))
    return kept[:MAX_HEADERS]


def payload_fields(payload: bytes, policy: BodyPolicy, max_bytes: int) -> dict[str, Any]:
    """The payload's SHA-256 and size, and its body as the policy keeps it."""
    fields: dict[str, Any] = {
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "payload_size": len(payload),
        "body": None,
        "body_truncated": False,
    }
    if policy is BodyPolicy.FULL:
        fields["body"] = payload[:max_bytes]
        fields["body_truncated"] = len(payload) > max_bytes
    return fields


def _plain(value: Any) -> Any:
    """A stored value as canonical JSON: times in UTC ISO form, bytes by their hash."""
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of the entry's canonical JSON: every field but _id and the hash itself, so a
    field changed, added or removed changes it; ``prev_hash`` links it to its predecessor."""
    material = {k: _plain(v) for k, v in entry.items() if k not in UNHASHED}
    return hashlib.sha256(bytes(rfc8785.dumps(material))).hexdigest()


def checkpoint_material(chain: str, seq: int, hash_: str, at: dt.datetime) -> bytes:
    """What a checkpoint's signature covers."""
    return bytes(
        rfc8785.dumps({"chain": chain, "seq": seq, "hash": hash_, "at": as_utc(at).isoformat()})
    )


def checkpoint_material_of(checkpoint: Mapping[str, Any]) -> bytes:
    return checkpoint_material(
        str(checkpoint["chain"]), int(checkpoint["seq"]), str(checkpoint["hash"]), checkpoint["at"]
    )


def body_text(body: bytes) -> tuple[str, str]:
    """(text, encoding) of a stored body for JSON views: UTF-8 when it is, else base64."""
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), "base64"


# Verification ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    seq: int
    problem: Problem
    detail: str
    last_seq: int | None = None  # a run of missing entries ends here

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"seq": self.seq, "problem": self.problem.value}
        if self.last_seq is not None and self.last_seq != self.seq:
            out["last_seq"] = self.last_seq
        out["detail"] = self.detail
        return out


@dataclass
class ChainCheck:
    """Checks one chain position by position, from its floor (the oldest checkpoint kept,
    or the genesis), and says which positions are changed, missing, reordered or covered by
    a checkpoint whose signature does not verify. Damage is reported where it is, and does
    not spill onto the positions after it."""

    chain: str
    start_seq: int
    start_hash: str
    signature_ok: Callable[[Mapping[str, Any]], bool]
    max_findings: int = 50
    # A signed checkpoint is due at every multiple of this (0: none expected); without the
    # key nobody can make one, so rewriting the chain and dropping them shows.
    checkpoint_every: int = 0
    findings: list[Finding] = field(default_factory=list)
    checked: int = 0
    last_seq: int = 0
    _prev_hash: str | None = None
    _prev_flagged: bool = False
    _flagged: set[int] = field(default_factory=set)
    _without_checkpoint: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._prev_hash = self.start_hash
        self.last_seq = self.start_seq

    @property
    def full(self) -> bool:
        return len(self.findings) >= self.max_findings

    @property
    def ok(self) -> bool:
        return not self.findings

    def _add(self, seq: int, problem: Problem, detail: str) -> None:
        if seq in self._flagged or self.full:
            return
        self._flagged.add(seq)
        self.findings.append(Finding(seq, problem, detail))

    def _missing(self, seq: int) -> None:
        last = self.findings[-1] if self.findings else None
        if (
            last is not None
            and last.problem is Problem.MISSING
            and (last.last_seq or last.seq) == seq - 1
        ):
            self.findings[-1] = Finding(
                last.seq, Problem.MISSING, "no entry at these positions", last_seq=seq
            )
            self._flagged.add(seq)
            return
        if not self.full:
            self._flagged.add(seq)
            self.findings.append(Finding(seq, Problem.MISSING, "no entry at these positions", seq))

    def floor(self, checkpoint: Mapping[str, Any]) -> None:
        """The checkpoint verification starts from: its signature must verify."""
        if not self.signature_ok(checkpoint):
            self._add(
                int(checkpoint["seq"]),
                Problem.BAD_CHECKPOINT,
                "the checkpoint the chain starts from is not signed by the LGSP",
            )

    def position(
        self, seq: int, entry: Mapping[str, Any] | None, checkpoint: Mapping[str, Any] | None
    ) -> None:
        self.checked += 1
        self.last_seq = seq
        flagged = False
        if entry is None:
            self._missing(seq)
            self._prev_hash, self._prev_flagged = None, True
        elif int(entry.get("seq", -1)) != seq or entry.get("chain") != self.chain:
            where = f"entry {entry.get('seq')} of chain {entry.get('chain')}"
            self._add(seq, Problem.REORDERED, f"this position holds {where}")
            self._prev_hash, self._prev_flagged = None, True
        else:
            stored = str(entry.get("hash"))
            if entry_hash(entry) != stored:
                self._add(seq, Problem.CHANGED, "the entry no longer matches its hash")
                flagged = True
            elif (
                self._prev_hash is not None
                and not self._prev_flagged
                and entry.get("prev_hash") != self._prev_hash
            ):
                if seq - 1 == self.start_seq:
                    self._add(seq, Problem.CHANGED, "the entry does not chain to the checkpoint")
                    flagged = True
                else:
                    self._add(
                        seq - 1,
                        Problem.CHANGED,
                        f"entry {seq} chains to another hash than this entry's",
                    )
            self._prev_hash, self._prev_flagged = stored, flagged
        if checkpoint is not None:
            self._checkpoint(seq, entry, checkpoint)
        elif self.checkpoint_every and seq % self.checkpoint_every == 0:
            self._without_checkpoint.append(seq)

    def finish(self) -> None:
        """Report the checkpoints that are due but absent: one interval of lag is allowed
        at the end (the checkpoint is written just after the entry)."""
        for seq in self._without_checkpoint:
            if seq <= self.last_seq - self.checkpoint_every:
                self._add(seq, Problem.MISSING_CHECKPOINT, "no signed checkpoint at this position")

    def _checkpoint(
        self, seq: int, entry: Mapping[str, Any] | None, checkpoint: Mapping[str, Any]
    ) -> None:
        if (
            int(checkpoint.get("seq", -1)) != seq
            or checkpoint.get("chain") != self.chain
            or not self.signature_ok(checkpoint)
        ):
            self._add(seq, Problem.BAD_CHECKPOINT, "the checkpoint is not signed by the LGSP")
        elif entry is not None and checkpoint.get("hash") != entry.get("hash"):
            self._add(seq, Problem.CHANGED, "the entry differs from its signed checkpoint")
