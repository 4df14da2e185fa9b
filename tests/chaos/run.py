"""`make chaos`: the platform under the faults of a real week, then checked from the outside.

Starts a private Kafka and FerretDB (own ports and data, so a running developer stack is never
touched), two replicas of each service as `make up` starts them, and partner agencies played
by servers in this process (one steady feed subscriber, addressees that are steady, slow,
answering 500 at random, answering garbage, down for a stretch, and a bystander). Concurrent
clients drive documents through it (public, internal addressed to agencies, secret; some
revoked, some replaced; documents sent in by agencies and registered) while replicas are
killed with SIGKILL and restarted, Kafka is restarted once and FerretDB once. Then it waits
for the system to settle and checks (tests/chaos/checks.py). Everything it started is stopped,
even on failure or Ctrl-C.

`make chaos` · `CHAOS_SECONDS=900 CHAOS_DOCUMENTS=5000 make chaos` ·
`python -m tests.chaos.run --help`. Results: the table, chaos-results/latest.json, and the
services' logs in chaos-results/<run>/logs/. Exit code 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from shared.messaging.topics_admin import ensure_topics
from tests.chaos import checks
from tests.chaos.faults import Chaos
from tests.chaos.load import Client, Driver, Ledger, Plan, Staff, drive
from tests.chaos.partners import ChaosPartner, Mode
from tests.chaos.report import print_report, write_json
from tests.chaos.stack import ChaosStack, PrivateInfra, remove_tree
from tests.e2e.flow import APPROVER, CLEARED, CLERK, DRAFTER, LGSP_ADMIN, register_partner
from tests.support.kafka import produce_raw

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "chaos-results"
DELIBERATE_DEAD_LETTERS = 3

console = Console(highlight=False, width=max(100, shutil.get_terminal_size((120, 40)).columns))


def say(text: str) -> None:
    console.print(text, soft_wrap=True)


# Faster retries than production, so a partner that comes back is served within the run.
SERVICE_SETTINGS = {
    "EGOV_LGSP_BACKOFF_BASE_S": "0.5",
    "EGOV_LGSP_BACKOFF_MAX_S": "5",
    "EGOV_LGSP_WORKER_POLL_INTERVAL_S": "0.5",
    "EGOV_PORTAL_WORKER_INTERVAL_S": "1",
    "EGOV_PORTAL_FETCH_RETRY_BASE_S": "0.5",
    "EGOV_LOG_LEVEL": "INFO",
}


def make_partners() -> dict[str, ChaosPartner]:
    plan = {
        "feed": Mode.STEADY,
        "steady": Mode.STEADY,
        "slow": Mode.SLOW,
        "flaky": Mode.FLAKY,
        "garbage": Mode.GARBAGE,
        "down": Mode.DOWN,
        "bystander": Mode.STEADY,
    }
    return {
        name: ChaosPartner(name, f"000.00.00.C{n:02d}", mode)
        for n, (name, mode) in enumerate(plan.items(), start=1)
    }


async def register(lgsp_url: str, partners: dict[str, ChaosPartner]) -> None:
    async with httpx.AsyncClient(base_url=lgsp_url, timeout=30) as lgsp:
        for name, partner in partners.items():
            registered = await register_partner(
                lgsp, partner.code, f"Cơ quan {name}", webhook_url=partner.url, feed=name == "feed"
            )
            partner.partner_id = registered.id
            partner.api_key = registered.api_key
            partner.secret = registered.secret


async def deliberate_dead_letters(suffix: str) -> None:
    """Records no consumer can read: each must end as a dead letter, and only those may."""
    for n in range(DELIBERATE_DEAD_LETTERS):
        await produce_raw(
            "egov.documents.public.v1" + suffix,
            b"{ this is not an event",
            key=f"{checks.DELIBERATE}{n}".encode(),
        )


async def chaos(args: argparse.Namespace, run_id: str, run_dir: Path) -> dict[str, Any]:
    started = time.monotonic()
    rng = random.Random(args.seed)
    infra = PrivateInfra(run_dir / "infra", log_path=run_dir / "infra.log")
    stack = ChaosStack(run_id, run_dir / "logs", infra, settings=SERVICE_SETTINGS)
    partners = make_partners()
    ledger = Ledger()
    result: dict[str, Any] = {"run_id": run_id, "settings": vars(args).copy()}
    try:
        say(f"egov chaos {run_id}: private Kafka :{infra.kafka_port}, FerretDB :{infra.mongo_port}")
        await asyncio.to_thread(infra.start)
        os.environ["EGOV_KAFKA_BOOTSTRAP_SERVERS"] = infra.bootstrap
        os.environ["EGOV_MONGO_URL"] = infra.mongo_url
        await ensure_topics(infra.bootstrap, suffix=stack.suffix)
        for partner in partners.values():
            await partner.start()
        began = time.monotonic()
        await asyncio.to_thread(stack.start)
        say(f"  6 replicas ready in {time.monotonic() - began:.1f} s; logs in {stack.log_dir}")
        await register(stack.urls("lgsp")[0], partners)
        await deliberate_dead_letters(stack.suffix)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            documents = Client(http, stack.urls("documents"), ledger)
            portal = Client(http, stack.urls("portal"), ledger)
            lgsp = Client(http, stack.urls("lgsp"), ledger)
            addressees = [partners[n] for n in ("steady", "slow", "flaky", "garbage", "down")]
            driver = Driver(
                Staff(documents),
                lgsp,
                ledger,
                addressees=addressees,
                senders=[partners["steady"], partners["flaky"]],
                rng=rng,
            )
            plan = Plan(documents=args.documents, inbound=args.inbound)
            faults = Chaos(stack, partners["down"], args.seconds, rng, say)
            say(
                f"  driving {args.documents} documents and {args.inbound} sent in, "
                f"{args.clients} clients, faults for {args.seconds:.0f} s"
            )
            until = time.monotonic() + args.seconds * 0.85
            await asyncio.gather(drive(driver, plan, args.clients, until), faults.run())
            say(
                f"  load done at {time.monotonic() - began:.0f} s; waiting for the system to settle"
            )
            world = checks.World(
                ledger=ledger,
                documents=documents,
                portal=portal,
                lgsp=lgsp,
                feed=partners["feed"],
                addressees=addressees,
                bystander=partners["bystander"],
                suffix=stack.suffix,
                log_paths=[],
                credentials=credentials(partners),
            )
            await checks.settle(world, args.settle_s, say)
            await asyncio.sleep(5)  # a duplicate would arrive now
            world.log_paths = stack.log_paths()
            say("  checking")
            found = await checks.check_all(world)
            result.update(
                passed=found.passed,
                lost=found.lost,
                duplicated=found.duplicated,
                leaked=found.leaked,
                gaps=found.gaps,
                counts=dict(sorted(found.counts.items())),
                problems=found.problems,
                faults={
                    "replicas_killed": faults.log.kills,
                    "kafka_restarts": faults.log.kafka_restarts,
                    "ferretdb_restarts": faults.log.ferretdb_restarts,
                    "partner_down_s": faults.log.partner_down_s,
                    "unexpected_exits": faults.log.unexpected_exits,
                    "timeline": faults.log.events,
                },
                client={
                    "calls": ledger.calls,
                    "retried_5xx": ledger.server_errors,
                    "retried_transport_errors": ledger.transport_errors,
                    "abandoned": ledger.abandoned,
                    "internal_errors": ledger.internal_errors,
                },
                partners={
                    p.name: {"mode": p.mode, "answered": p.answered} for p in partners.values()
                },
            )
            if faults.log.unexpected_exits or ledger.abandoned:
                result["passed"] = False
    finally:
        say("  stopping everything this run started")
        stack.stop()
        for partner in partners.values():
            await partner.stop()
        try:
            await asyncio.to_thread(infra.stop)
        finally:
            if not args.keep:
                remove_tree(infra.state_dir)
    result["logs"] = str(stack.log_dir.relative_to(ROOT))
    result["wall_s"] = round(time.monotonic() - started, 1)
    result["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return result


def credentials(partners: dict[str, ChaosPartner]) -> list[str]:
    found = [p.api_key for p in partners.values()] + [p.secret or "" for p in partners.values()]
    for headers in (DRAFTER, APPROVER, CLERK, LGSP_ADMIN, *CLEARED.values()):
        found.append(headers["Authorization"].removeprefix("Bearer "))
    return [c for c in found if c]


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos.run", description=__doc__)
    parser.add_argument(
        "--seconds",
        type=float,
        default=_env_number("CHAOS_SECONDS", 360),
        help="length of the faulty stretch (CHAOS_SECONDS, 360)",
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=int(_env_number("CHAOS_DOCUMENTS", 1000)),
        help="outgoing documents issued (CHAOS_DOCUMENTS, 1000)",
    )
    parser.add_argument(
        "--inbound",
        type=int,
        default=int(_env_number("CHAOS_INBOUND", 100)),
        help="documents sent in by agencies (CHAOS_INBOUND, 100)",
    )
    parser.add_argument("--clients", type=int, default=12, help="concurrent clients")
    parser.add_argument("--settle-s", type=float, default=240.0, help="most seconds to settle")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the faults")
    parser.add_argument("--keep", action="store_true", help="keep the private servers' data")
    return parser.parse_args(argv)


def _terminated(*_: object) -> None:
    raise KeyboardInterrupt  # so that everything started is stopped


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.seed is None:
        args.seed = random.randrange(1_000_000)
    stamp = dt.datetime.now(dt.UTC)
    run_id = f"chaos_{stamp:%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:4]}"
    run_dir = OUT / run_id
    signal.signal(signal.SIGTERM, _terminated)
    result = asyncio.run(chaos(args, run_id, run_dir))
    path = write_json(result, OUT / "latest.json")
    write_json(result, run_dir / "result.json")
    print_report(result, console, path.relative_to(ROOT))
    sys.exit(0 if result.get("passed") else 1)


if __name__ == "__main__":
    main()
