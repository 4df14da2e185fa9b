"""The faults of a run, on a schedule relative to its length:

- a replica killed with SIGKILL at random moments (about one every eighth of the run), started
  again a few seconds later on the same port;
- Kafka restarted once (at about a third), FerretDB once (at about two thirds), on their data;
- one partner down from a fifth to half of the run;
- (the slow, the flaky and the garbage partners misbehave all the time, by themselves).

A replica that exits without being killed is a finding: it is noted and started again.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.chaos.partners import ChaosPartner
from tests.chaos.stack import ChaosStack


@dataclass
class FaultLog:
    events: list[tuple[float, str]] = field(default_factory=list)
    kills: int = 0
    kafka_restarts: int = 0
    ferretdb_restarts: int = 0
    partner_down_s: float = 0.0
    unexpected_exits: list[str] = field(default_factory=list)


@dataclass
class Chaos:
    stack: ChaosStack
    down_partner: ChaosPartner
    seconds: float
    rng: random.Random
    say: Callable[[str], None]
    log: FaultLog = field(default_factory=FaultLog)
    _started: float = 0.0
    _busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    def note(self, text: str) -> None:
        at = time.monotonic() - self._started
        self.log.events.append((round(at, 1), text))
        self.say(f"  [{at:6.1f} s] {text}")

    async def run(self) -> None:
        self._started = time.monotonic()
        await asyncio.gather(self._kills(), self._servers(), self._partner(), self._watch())

    async def _at(self, fraction: float) -> None:
        await asyncio.sleep(max(0.0, self._started + self.seconds * fraction - time.monotonic()))

    async def _kills(self) -> None:
        count = max(3, round(self.seconds / 30))
        moments = sorted(self.rng.uniform(0.05, 0.9) for _ in range(count))
        for moment in moments:
            await self._at(moment)
            async with self._busy:
                victim = self.stack.kill_one(self.rng)
                self.log.kills += 1
                self.note(f"kill -9 {victim.name}:{victim.port}")
                await asyncio.sleep(self.rng.uniform(1.0, 5.0))
                await asyncio.to_thread(self.stack.revive, victim)
                self.note(f"{victim.name}:{victim.port} back")

    async def _servers(self) -> None:
        for fraction, which in ((0.33, "kafka"), (0.66, "ferretdb")):
            await self._at(fraction)
            async with self._busy:
                self.note(f"restarting {which}")
                began = time.monotonic()
                await asyncio.to_thread(self.stack.infra.restart, which)
                self.note(f"{which} back after {time.monotonic() - began:.1f} s")
            if which == "kafka":
                self.log.kafka_restarts += 1
            else:
                self.log.ferretdb_restarts += 1

    async def _partner(self) -> None:
        await self._at(0.2)
        await self.down_partner.stop()
        self.note(f"partner {self.down_partner.name} down")
        began = time.monotonic()
        await self._at(0.5)
        await self.down_partner.start()
        self.log.partner_down_s = round(time.monotonic() - began, 1)
        self.note(f"partner {self.down_partner.name} up again")

    async def _watch(self) -> None:
        """Replicas that die by themselves (not killed here) are noted and started again."""
        deadline = self._started + self.seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            if self._busy.locked():
                continue
            async with self._busy:
                for replica in self.stack.replicas():
                    if replica.process.poll() is not None:
                        self.log.unexpected_exits.append(
                            f"{replica.name}:{replica.port} exited {replica.process.returncode}"
                        )
                        self.note(f"{replica.name}:{replica.port} exited by itself")
                        self.stack.platform.stop(replica)
                        await asyncio.to_thread(self.stack.revive, replica)
