"""The message log (X-Road style): every message exchanged with a partner, in either
direction, appended to that partner's hash chain; and the chain machinery it shares with
the administrators' audit log (``services.admin_audit``).

Appending never forks, even with two replicas: an entry's _id is its position, so the
insert is the claim; a replica that loses a position reads on by _id and chains after the
winner. The head record is only a hint (a crash between the insert and the head's update
leaves it behind); the truth is the highest consecutive position, probed by _id. Within one
process the appends to a chain are queued and written together (one ordered insert), so a
burst costs a few round trips, not one race per message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from services.lgsp.domain.message_log import (
    GENESIS,
    BodyPolicy,
    ChainCheck,
    Direction,
    Finding,
    entry_hash,
    entry_key,
    payload_fields,
    safe_headers,
)
from services.lgsp.errors import PartnerNotFound
from services.lgsp.repositories import PartnerRepository
from services.lgsp.repositories.message_log import ChainRepository
from services.lgsp.services.log_keys import LogKeys
from shared.kit.clock import as_utc, utcnow
from shared.kit.types import Doc
from shared.logging import get_logger

log = get_logger(__name__)
PROBE = 16  # positions probed by _id at once when the head lags
BATCH = 500  # positions read or deleted at once by verification, listing and retention
MAX_RUN = 200  # entries written by one ordered insert
MAX_APPEND_ROUNDS = 100
LIST_READS = 10  # a listing page reads at most this many batches
EXPIRE_PER_RUN = 50_000  # entries one retention run may remove from one chain
APPEND_ATTEMPTS = 3  # a failing store is tried again before the caller hears of it


@dataclass(frozen=True)
class Verdict:
    chain: str
    floor_seq: int
    last_seq: int
    checked: int
    findings: list[Finding] = field(default_factory=list)
    # Where a bounded check stopped: call again from there (None: checked to the end).
    next_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "ok": self.ok,
            "floor_seq": self.floor_seq,
            "last_seq": self.last_seq,
            "checked": self.checked,
            "next_seq": self.next_seq,
            "problems": [f.as_dict() for f in self.findings],
        }


class HashChain:
    """Append, read newest first, verify and expire the chains of one log."""

    def __init__(self, repository: ChainRepository, keys: LogKeys, checkpoint_every: int) -> None:
        self.repository = repository
        self.keys = keys
        self.checkpoint_every = checkpoint_every
        self._tails: dict[str, tuple[int, str]] = {}  # what this process appended last
        self._locks: dict[str, asyncio.Lock] = {}
        self._queues: dict[str, list[tuple[Doc, asyncio.Future[Doc]]]] = {}

    # Appending ----------------------------------------------------------------------------
    async def append(self, chain: str, fields: Mapping[str, Any]) -> Doc:
        """Chain one entry after the last; returns it as stored (with seq and hash)."""
        future: asyncio.Future[Doc] = asyncio.get_running_loop().create_future()
        queue = self._queues.setdefault(chain, [])
        queue.append((dict(fields), future))
        lock = self._locks.setdefault(chain, asyncio.Lock())
        while not future.done():
            async with lock:
                if future.done():
                    break
                batch = queue[:MAX_RUN]
                del queue[:MAX_RUN]
                try:
                    records = await self._append_run(chain, [f for f, _ in batch])
                except BaseException as exc:
                    for _, waiting in batch:
                        if not waiting.done() and waiting is not future:
                            waiting.set_exception(RuntimeError(f"the log append failed: {exc}"))
                    raise
                for (_, waiting), record in zip(batch, records, strict=True):
                    waiting.set_result(record)
        return future.result()

    async def _append_run(self, chain: str, items: list[Doc]) -> list[Doc]:
        written: list[Doc] = []
        tail = self._tails.pop(chain, None)
        for _ in range(MAX_APPEND_ROUNDS):
            if tail is None:
                tail = await self.tail(chain)
            records = self._chained(chain, tail, items[len(written) :])
            inserted = await self.repository.insert_run(records)
            written += records[:inserted]
            if written:
                tail = (int(written[-1]["seq"]), str(written[-1]["hash"]))
            if len(written) == len(items):
                break
            # Another writer holds the next position: read on from there.
            tail = await self._probe(chain, *tail) if written else None
        else:
            raise RuntimeError(f"could not append to log chain {chain}: too much contention")
        last = written[-1]
        self._tails[chain] = (int(last["seq"]), str(last["hash"]))
        await self.repository.advance_head(chain, int(last["seq"]), str(last["hash"]))
        for record in written:
            if int(record["seq"]) % self.checkpoint_every == 0:
                try:
                    await self.checkpoint(chain, int(record["seq"]), str(record["hash"]))
                except Exception:  # the next checkpoint, or retention's own, covers it
                    log.exception("message_log.checkpoint_failed", chain=chain)
        return written

    def _chained(self, chain: str, tail: tuple[int, str], items: list[Doc]) -> list[Doc]:
        seq, prev = tail
        records: list[Doc] = []
        for item in items:
            seq += 1
            record: Doc = {
                **item,
                "chain": chain,
                "seq": seq,
                "entry_id": uuid.uuid4().hex,
                "prev_hash": prev,
            }
            record["hash"] = prev = entry_hash(record)
            record["_id"] = entry_key(chain, seq)
            records.append(record)
        return records

    async def tail(self, chain: str) -> tuple[int, str]:
        """(position, hash) of the chain's last entry: the head, then a probe past it."""
        head = await self.repository.head(chain)
        if head is None:
            return await self._probe(chain, 0, GENESIS)
        floor = head.get("floor")
        if floor and int(floor["seq"]) > int(head["seq"]):
            # A head left behind by a crash, and retention cut past it: never write below
            # the floor, where verification would not look.
            return await self._probe(chain, int(floor["seq"]), str(floor["hash"]))
        return await self._probe(chain, int(head["seq"]), str(head["hash"]))

    async def _probe(self, chain: str, seq: int, hash_: str) -> tuple[int, str]:
        while True:
            found = await self.repository.window(chain, seq + 1, seq + PROBE)
            run = 0
            while seq + run + 1 in found:
                run += 1
            if run == 0:
                return seq, hash_
            seq += run
            hash_ = str(found[seq]["hash"])
            if run < PROBE:
                return seq, hash_

    async def checkpoint(self, chain: str, seq: int, hash_: str) -> Doc:
        checkpoint: Doc = {"chain": chain, "seq": seq, "hash": hash_, "at": utcnow()}
        checkpoint.update(await self.keys.sign(checkpoint))
        return await self.repository.put_checkpoint(checkpoint)

    # Reading ------------------------------------------------------------------------------
    async def newest(
        self,
        chain: str,
        before: int | None,
        limit: int,
        matches: Callable[[Doc], bool],
        since: dt.datetime | None = None,
    ) -> tuple[list[Doc], int | None]:
        """Entries newest first, walking positions down from ``before`` (or the tail); at
        most ``LIST_READS`` batches a call. Returns them and the position to continue
        below (None when nothing older is left)."""
        head = await self.repository.head(chain)
        if head is None:
            return [], None
        floor = int(head.get("floor_seq") or 0)
        top = before - 1 if before is not None else (await self.tail(chain))[0]
        items: list[Doc] = []
        pos = top
        for _ in range(LIST_READS):
            if pos < 1:
                return items, None
            low = max(1, pos - BATCH + 1)
            found = await self.repository.window(chain, low, pos)
            for seq in range(pos, low - 1, -1):
                entry = found.get(seq)
                if entry is None:
                    continue
                if since is not None and as_utc(entry["at"]) < since:
                    return items, None
                if matches(entry):
                    items.append(entry)
                    if len(items) == limit:
                        return items, (seq if seq > 1 else None)
            pos = low - 1
            if not found and pos < floor:
                return items, None  # below what retention keeps
        return items, (pos + 1 if pos >= 1 else None)

    # Verification -------------------------------------------------------------------------
    async def verify(
        self,
        chain: str,
        max_findings: int = 50,
        *,
        from_seq: int | None = None,
        max_positions: int | None = None,
    ) -> Verdict:
        """Read the chain by _id from its floor (or from ``from_seq``, trusting the entry
        before it, which an earlier call checked), in batches, and say what is wrong where;
        stops after ``max_findings`` problems or ``max_positions`` positions, and then says
        where to go on (``next_seq``)."""
        head = await self.repository.head(chain)
        if head is None:
            return Verdict(chain, 0, 0, 0)
        floor: Doc | None = head.get("floor")
        start_seq, start_hash = (int(floor["seq"]), str(floor["hash"])) if floor else (0, GENESIS)
        from_floor = from_seq is None or from_seq <= start_seq + 1
        if not from_floor:
            assert from_seq is not None
            start_seq = from_seq - 1
            before = (await self.repository.window(chain, start_seq, start_seq)).get(start_seq)
            start_hash = str(before["hash"]) if before else GENESIS
        signature_ok = await self.keys.verifier([str(floor.get("kid"))] if floor else [])
        check = ChainCheck(
            chain,
            start_seq,
            start_hash,
            signature_ok,
            max_findings,
            checkpoint_every=self.checkpoint_every,
        )
        if floor and from_floor:
            check.floor(floor)
        # The head is a hint; signed checkpoints past the entries reveal a cut tail.
        end = max(int(head.get("seq") or 0), int(head.get("checkpoint_seq") or 0))
        seq = start_seq + 1
        next_seq: int | None = None
        while not check.full:
            if max_positions is not None and check.checked >= max_positions:
                next_seq = seq
                break
            room = BATCH if max_positions is None else max_positions - check.checked
            last = seq + min(BATCH, room) - 1
            entries = await self.repository.window(chain, seq, last)
            checkpoints = await self.repository.checkpoints_in(chain, seq, last)
            if checkpoints:
                kids = [str(c.get("kid")) for c in checkpoints.values()]
                check.signature_ok = await self.keys.verifier(
                    [*kids, *([str(floor.get("kid"))] if floor else [])]
                )
            upto = max([end, *entries, *checkpoints])
            for position in range(seq, min(last, upto) + 1):
                check.position(position, entries.get(position), checkpoints.get(position))
                if check.full:
                    break
            if upto < last:
                break
            seq = last + 1
        if next_seq is None:
            check.finish()
        last_seq = check.last_seq if check.checked else start_seq
        return Verdict(
            chain, start_seq, last_seq, check.checked, list(check.findings), next_seq=next_seq
        )

    # Retention ----------------------------------------------------------------------------
    async def expire(self, chain: str, cutoff: dt.datetime) -> int:
        """Delete the entries older than ``cutoff``, only up to a signed checkpoint that
        becomes the chain's floor. The segment is verified first: a damaged chain is never
        cut (that would launder the damage) and is reported instead."""
        head = await self.repository.head(chain)
        if head is None:
            return 0
        floor_seq = int(head.get("floor_seq") or 0)
        deleted = await self._delete(chain, int(head.get("swept_through") or 0), floor_seq)
        floor: Doc | None = head.get("floor")
        start_hash = str(floor["hash"]) if floor else GENESIS
        check = ChainCheck(chain, floor_seq, start_hash, lambda _: True, max_findings=1)
        target: Doc | None = None
        seq = floor_seq + 1
        while seq - floor_seq <= EXPIRE_PER_RUN:
            found = await self.repository.window(chain, seq, seq + BATCH - 1)
            old = True
            for position in range(seq, seq + BATCH):
                entry = found.get(position)
                if entry is None or as_utc(entry["at"]) >= cutoff:
                    old = False
                    break
                check.position(position, entry, None)
                if not check.ok:
                    break
                target = entry
            if not old or not check.ok:
                break
            seq += BATCH
        if not check.ok:
            log.error(
                "message_log.retention_refused",
                chain=chain,
                problems=[f.as_dict() for f in check.findings],
            )
            return deleted
        if target is None:
            return deleted
        checkpoint = await self.checkpoint(chain, int(target["seq"]), str(target["hash"]))
        await self.repository.set_floor(chain, checkpoint)
        return deleted + await self._delete(chain, floor_seq, int(target["seq"]))

    async def _delete(self, chain: str, after: int, through: int) -> int:
        """Positions after..through, in batches; the floor was moved first, so a crash
        here leaves only entries that verification no longer reads."""
        deleted = 0
        for first in range(after + 1, through + 1, BATCH):
            deleted += await self.repository.delete_positions(
                chain, first, min(first + BATCH - 1, through)
            )
        if through > after:
            await self.repository.mark_swept(chain, through)
        return deleted


@dataclass(eq=False)
class MessageLog:
    """What was exchanged with each partner: one chain per partner."""

    chain: HashChain
    partners: PartnerRepository
    _: KW_ONLY
    bodies: BodyPolicy
    max_body_bytes: int
    retention_s: float

    async def append(
        self,
        *,
        partner_id: str,
        partner_code: str,
        direction: Direction | str,
        kind: str,
        headers: Mapping[str, str],
        payload: bytes,
        outcome: str,
        ref: str | None = None,
    ) -> Doc:
        """Record one message. Credentials in ``headers`` are dropped; the body is kept
        or only hashed as configured. A failing store is tried again a few times, then
        the error reaches the caller, which must not report the exchange as done."""
        fields: Doc = {
            "at": utcnow(),
            "partner_id": partner_id,
            "partner_code": partner_code,
            "direction": Direction(direction).value,
            "kind": kind[:200],
            "headers": safe_headers(headers),
            **payload_fields(payload, self.bodies, self.max_body_bytes),
            "outcome": outcome[:1000],
            "ref": ref,
        }
        for attempt in range(1, APPEND_ATTEMPTS + 1):
            try:
                return await self.chain.append(partner_id, fields)
            except Exception:
                if attempt == APPEND_ATTEMPTS:
                    raise
                log.warning("message_log.append_retry", partner_id=partner_id, attempt=attempt)
                await asyncio.sleep(0.1 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def partner_id_of(self, partner: str) -> str:
        """A partner named by id or by organisation code."""
        found = await self.partners.get(partner) or await self.partners.by_code(partner)
        if found is None:
            raise PartnerNotFound()
        return str(found["_id"])

    async def page(
        self,
        partner: str,
        *,
        direction: Direction | None,
        kind: str | None,
        since: dt.datetime | None,
        before: int | None,
        limit: int,
    ) -> tuple[list[Doc], int | None]:
        """One partner's messages, newest first (a listing across partners would have to
        read history in time order, which the store cannot do by _id)."""
        partner_id = await self.partner_id_of(partner)

        def matches(entry: Doc) -> bool:
            return (direction is None or entry.get("direction") == direction.value) and (
                kind is None or entry.get("kind") == kind
            )

        return await self.chain.newest(partner_id, before, limit, matches, since)

    async def verify(
        self,
        partner: str | None,
        *,
        from_seq: int | None = None,
        max_positions: int | None = None,
    ) -> list[Verdict]:
        """One partner's chain, or every chain (partners are few); bounded per chain when
        ``max_positions`` is given."""
        if partner is not None:
            chains = [await self.partner_id_of(partner)]
        else:
            chains = sorted(await self.chain.repository.chains())
        return [
            await self.chain.verify(c, from_seq=from_seq, max_positions=max_positions)
            for c in chains
        ]

    async def expire(self) -> int:
        """The retention sweep's step: every partner's chain, up to a checkpoint."""
        cutoff = utcnow() - dt.timedelta(seconds=self.retention_s)
        deleted = 0
        for chain in await self.chain.repository.chains():
            try:
                deleted += await self.chain.expire(chain, cutoff)
            except Exception:
                log.exception("message_log.retention_failed", chain=chain)
        return deleted
