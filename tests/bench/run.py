"""`make bench`: the platform as operators run it, measured end to end.

The three services start as separate processes (as `make up` starts them) on this run's own
databases, topics and consumer groups; their logs go to bench-results/logs/<run>/. Partners
are registered through the LGSP's API and played by HTTP servers in this process. A round
measures the raw floors (Kafka, the store), issuing (one clerk, then 20 at once), the time
until an issued document is on the portal and at a healthy partner (while other partners are
down, slow or misconfigured) and the portal's pages under load. Then the services stop, a
history is preloaded in bulk, they start again, the stack's idle CPU is measured at that
history (started, partners registered, no traffic) and the round is repeated; last, the CPU
spent after the load (retries to the misbehaving partners, sweeps) is reported beside it.

Each round also times the portal's search (HTTP, and the reads one query makes) and rebuilds
the portal by replay against a plain consumer: a topic of ``--replay-events`` publications
beside the empty round, one as long as the history beside the history round.
``--only portal`` runs just the portal's part (its pages preloaded, only the portal started).

`make bench` (history 10,000, idle 20 s) · `make bench HISTORY=100000` (idle 60 s) ·
`make bench ONLY=portal HISTORY=100000` · `python -m tests.bench.run --help`.
Results: bench-results/latest.json and latest.png.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient
from rich.console import Console

from shared.messaging.topics_admin import ensure_topics
from tests.bench import measures as m
from tests.bench.history import DELIVERIES_PER_DOCUMENT, Templates, preload, preload_pages
from tests.bench.partners import Partners, partner_servers, register_all
from tests.bench.replay import replay_figures
from tests.bench.report import draw, machine, print_report, write_json
from tests.bench.search import search_latency, search_reads
from tests.bench.stack import SERVICES, Stack, infra_pids, rss_mb
from tests.support.infra import kafka_bootstrap, mongo_url

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench-results"
CLIENTS = 20
WARM_UP = 3

Doc = dict[str, Any]
console = Console(highlight=False, width=max(100, shutil.get_terminal_size((120, 40)).columns))


def say(text: str) -> None:
    console.print(text, soft_wrap=True)


async def floors(stack: Stack, history: int, args: argparse.Namespace) -> dict[str, list[float]]:
    """Raw Kafka and raw store, measured while the services are stopped."""
    rtt = await m.kafka_rtt(f"egov.bench.rtt{stack.suffix}", args.floor_samples)
    db = await m.db_update_by_id(f"{stack.run_id}_floor", max(1000, history), args.floor_samples)
    return {"rtt": rtt, "db": db}


async def measure_round(
    stack: Stack,
    partners: Partners,
    history: int,
    raw: dict[str, list[float]],
    args: argparse.Namespace,
) -> tuple[Doc, list[m.Issued]]:
    tag = f"h{history}"
    documents, portal = stack.url("documents"), stack.url("portal")
    rtt, db = raw["rtt"], raw["db"]

    warm = await m.sequential(documents, portal, partners.healthy, WARM_UP, f"{tag}-warm")
    seq = await m.sequential(
        documents, portal, partners.healthy, args.sequential, tag, budget_s=args.budget_s
    )
    issue = [i.issue_s for i in seq.issued]
    say(
        f"  one clerk: {len(issue)} issued, issue p50 {m.ms(m.pct(issue, 0.5))} ms; "
        f"→ portal p50 {m.ms(m.pct(seq.to_portal, 0.5))} ms, "
        f"→ partner p50 {m.ms(m.pct(seq.to_partner, 0.5))} ms"
    )
    meter = m.CpuMeter({**stack.service_pids(), **infra_pids()})
    meter.start()
    con = await m.concurrent(
        documents,
        portal,
        partners.healthy,
        clients=CLIENTS,
        per_client=args.per_client,
        tag=tag,
        budget_s=args.budget_s,
    )
    load_cpu = meter.stop()
    issued = warm.issued + seq.issued + con.issued
    gaps, duplicates, _ = m.numbering(issued)
    say(
        f"  {CLIENTS} clients: {len(con.issued)} issued at {con.per_s:.1f}/s, "
        f"{gaps} gaps, {duplicates} duplicates"
    )
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        page = (await client.get(f"/api/v1/documents/{seq.issued[-1].document_id}")).json()
    pages = await m.portal_pages(portal, str(page["url"]), args.load_seconds)
    say(
        f"  portal: home {pages['home_req_per_s']:.0f}/s, document page "
        f"{pages['document_page_req_per_s']:.0f}/s, static {pages['static_req_per_s']:.0f}/s"
    )
    found = await search_figures(stack)
    con_issue = [i.issue_s for i in con.issued]
    round_: Doc = {
        "history": history,
        "history_deliveries": history * DELIVERIES_PER_DOCUMENT,
        "history_pages": history,
        "kafka_rtt_p50_ms": m.ms(m.pct(rtt, 0.5)),
        "kafka_rtt_p99_ms": m.ms(m.pct(rtt, 0.99)),
        "db_update_by_id_p50_ms": m.ms(m.pct(db, 0.5)),
        "db_update_by_id_p99_ms": m.ms(m.pct(db, 0.99)),
        "flow_p50_ms": m.ms(m.pct([i.flow_s for i in seq.issued], 0.5)),
        "issue_samples": len(issue),
        "issue_p50_ms": m.ms(m.pct(issue, 0.5)),
        "issue_p99_ms": m.ms(m.pct(issue, 0.99)),
        "issue_max_ms": m.ms(max(issue)),
        "issue_per_s_20_clients": round(con.per_s, 1),
        "issued_20_clients": len(con.issued),
        "issue_p50_ms_20_clients": m.ms(m.pct(con_issue, 0.5)),
        "issue_p99_ms_20_clients": m.ms(m.pct(con_issue, 0.99)),
        "cpu_20_clients_by_process": load_cpu,
        "numbering_gaps": gaps,
        "numbering_duplicates": duplicates,
        "drain_s": None if con.drained_s is None else round(con.drained_s, 2),
        "publish_to_portal_p50_ms": m.ms(m.pct(seq.to_portal, 0.5)),
        "publish_to_portal_p99_ms": m.ms(m.pct(seq.to_portal, 0.99)),
        "publish_to_portal_missing": seq.portal_missing,
        "publish_to_partner_p50_ms": m.ms(m.pct(seq.to_partner, 0.5)),
        "publish_to_partner_p99_ms": m.ms(m.pct(seq.to_partner, 0.99)),
        "publish_to_partner_missing": seq.partner_missing,
        "portal_home_req_per_s": pages["home_req_per_s"],
        "portal_document_page_req_per_s": pages["document_page_req_per_s"],
        "portal_page_req_per_s": min(pages["home_req_per_s"], pages["document_page_req_per_s"]),
        "static_req_per_s": pages["static_req_per_s"],
        "portal_load_errors": int(pages["errors"]),
        **found,
        "rss_mb": {name: round(rss_mb(pid), 1) for name, pid in stack.service_pids().items()},
    }
    return round_, issued


async def search_figures(stack: Stack) -> Doc:
    found = await search_latency(stack.url("portal"))
    found.update(await search_reads(mongo_url(), stack.database("portal")))
    say(
        f"  search: p50 {found['search_p50_ms']} ms, p95 {found['search_p95_ms']} ms; "
        f"≤ {found['search_reads_max']} reads a query, all by _id: "
        f"{found['search_reads_by_id_only']}"
    )
    return found


async def replays(rounds: list[Doc], args: argparse.Namespace) -> None:
    """The rebuild against its floor beside each round: ``--replay-events`` events for the
    empty history, as many events as the history for the others."""
    if not args.replay_events:
        return
    for round_ in rounds:
        events = int(round_["history"]) or args.replay_events
        say(f"[bold]rebuild by replay: {events:,} events (history {round_['history']:,})[/]")
        round_.update(await replay_figures(events, say, args.replay_pairs))


async def portal_only(stack: Stack, args: argparse.Namespace) -> Doc:
    """The portal's part alone: per round its pages preloaded (the portal's own bulk preload,
    with every index record), only the portal started, search timed; then the replays."""
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC)
    sizes = [0, *sorted({h for h in args.history if h > 0})]
    say(f"egov bench {stack.run_id} (portal only): history {', '.join(f'{s:,}' for s in sizes)}")
    await ensure_topics(kafka_bootstrap(), suffix=stack.suffix)
    rounds: list[Doc] = []
    preloads: list[Doc] = []
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url())
    try:
        loaded = 0
        for size in sizes:
            stack.stop()
            say(f"[bold]round: history {size:,}[/]")
            if size > loaded:
                begun = time.perf_counter()
                none = Templates(document={}, page=None, job=None, partners=[])
                db = client[stack.database("portal")]
                pages = await preload_pages(db, none, loaded, size, portal_own=True)
                seconds = time.perf_counter() - begun
                say(f"  preloaded {pages:,} portal pages in {seconds:.1f} s")
                preloads.append({"pages": pages, "seconds": round(seconds, 1)})
                loaded = size
            stack.start(services=("portal",))
            round_: Doc = {"history": size, "history_pages": size}
            round_.update(await search_figures(stack))
            round_["rss_mb"] = {n: round(rss_mb(p), 1) for n, p in stack.service_pids().items()}
            rounds.append(round_)
        stack.stop()
        await replays(rounds, args)
    finally:
        await client.close()
        stack.stop()
        if not args.keep:
            await cleanup(stack)
    return {
        "date": stamp.isoformat(timespec="seconds"),
        "run_id": stack.run_id,
        "only": "portal",
        "machine": machine(),
        "settings": {
            "history": sizes[1:],
            "sequential": 0,
            "concurrent": 0,
            "clients": 0,
            "replay_events": args.replay_events,
            "replay_pairs": args.replay_pairs,
        },
        **{k: v for k, v in rounds[0].items() if k != "history"},
        "at_history": rounds[-1] if len(rounds) > 1 else None,
        "rounds": rounds,
        "preloads": preloads,
        "logs": str(stack.log_dir.relative_to(ROOT)),
        "wall_s": round(time.monotonic() - started, 1),
    }


async def cleanup(stack: Stack) -> None:
    """Drop the run's databases and topics: nothing of the run stays on the servers."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url())
    try:
        for name in [*SERVICES, "floor"]:
            await client.drop_database(stack.database(name))
    finally:
        await client.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        ours = [t for t in existing if t.endswith(stack.suffix)]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()


async def bench(stack: Stack, args: argparse.Namespace) -> Doc:
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC)
    sizes = [0, *sorted({h for h in args.history if h > 0})]
    say(
        f"egov bench {stack.run_id}: history {', '.join(f'{s:,}' for s in sizes)}; "
        f"service logs in {stack.log_dir.relative_to(ROOT)}/"
    )
    await ensure_topics(kafka_bootstrap(), suffix=stack.suffix)
    rounds: list[Doc] = []
    issued: list[m.Issued] = []
    preloads: list[Doc] = []
    idle: dict[str, float] = {}
    after_load: dict[str, float] = {}
    databases = {s: stack.database(s) for s in SERVICES}
    try:
        async with partner_servers() as partners:
            loaded = 0
            for size in sizes:
                stack.stop()
                say(f"[bold]round: history {size:,}[/]")
                if size > loaded:
                    preloads.append(
                        await preload(
                            databases,
                            mongo_url(),
                            loaded,
                            size,
                            say,
                            portal_own=args.portal_preload,
                        )
                    )
                    loaded = size
                raw = await floors(stack, size, args)
                say(
                    f"  floors (services stopped): Kafka RTT p50 {m.ms(m.pct(raw['rtt'], 0.5))} "
                    f"ms, DB update by _id p50 {m.ms(m.pct(raw['db'], 0.5))} ms"
                )
                starting = time.monotonic()
                stack.start()
                say(f"  services ready in {time.monotonic() - starting:.1f} s")
                if not partners.ids:
                    await register_all(stack.url("lgsp"), partners, stack.run_id)
                if size == sizes[-1]:
                    # Idle at the largest history: started, partners registered, no traffic.
                    await asyncio.sleep(10)  # start-up work (migrations, first sweeps) ends
                    say(f"  idle for {args.idle_s:.0f} s (CPU of the services, Kafka, FerretDB)")
                    pids = {**stack.service_pids(), **infra_pids()}
                    idle = await m.idle_cpu(pids, args.idle_s)
                round_, issued_now = await measure_round(stack, partners, size, raw, args)
                rounds.append(round_)
                issued += issued_now
            await replays(rounds, args)
            await asyncio.sleep(10)  # the last deliveries and sweeps settle
            say(f"  after the load, for {args.idle_s:.0f} s: retries to the misbehaving partners")
            pids = {**stack.service_pids(), **infra_pids()}
            after_load = await m.idle_cpu(pids, args.idle_s)
            rounds[-1]["rss_mb"] = {
                name: round(rss_mb(pid), 1) for name, pid in stack.service_pids().items()
            }
    finally:
        stack.stop()
        if not args.keep:
            await cleanup(stack)
    gaps, duplicates, registers = m.numbering(issued)
    empty, last = rounds[0], rounds[-1]
    return {
        "date": stamp.isoformat(timespec="seconds"),
        "run_id": stack.run_id,
        "machine": machine(),
        "settings": {
            "history": sizes[1:],
            "sequential": args.sequential,
            "concurrent": CLIENTS * args.per_client,
            "clients": CLIENTS,
            "floor_samples": args.floor_samples,
            "load_seconds": args.load_seconds,
            "idle_s": args.idle_s,
        },
        # The empty round's figures at the top level (the names earlier runs used) ...
        **{k: v for k, v in empty.items() if k not in ("history",)},
        # ... the numbering over every issue call of the run, across rounds ...
        "numbering_gaps": gaps,
        "numbering_duplicates": duplicates,
        "numbering_registers": {k: [min(v), max(v), len(v)] for k, v in registers.items()},
        # ... and the history's.
        "at_history": last if len(rounds) > 1 else None,
        "idle_cpu_pct": round(sum(idle.values()), 2) if idle else None,
        "idle_cpu_by_process": idle,
        "after_load_cpu_pct": round(sum(after_load.values()), 2) if after_load else None,
        "after_load_cpu_by_process": after_load,
        "idle_s": args.idle_s,
        "rss_mb": last["rss_mb"],
        "rounds": rounds,
        "preloads": preloads,
        "logs": str(stack.log_dir.relative_to(ROOT)),
        "wall_s": round(time.monotonic() - started, 1),
    }


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument(
        "--history",
        type=_sizes,
        default=[10_000],
        help="issued documents preloaded before the second round; several as 10000,100000",
    )
    parser.add_argument("--idle-s", type=float, default=20.0, help="idle CPU window")
    parser.add_argument("--sequential", type=int, default=100, help="documents issued one by one")
    parser.add_argument("--per-client", type=int, default=5, help="documents per client (20)")
    parser.add_argument("--floor-samples", type=int, default=300)
    parser.add_argument("--load-seconds", type=float, default=5.0, help="per portal URL")
    parser.add_argument(
        "--budget-s", type=float, default=120.0, help="most seconds per issuing phase"
    )
    parser.add_argument(
        "--portal-preload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="write the history's portal pages with their listing and search records "
        "(the portal's own preload_pages); --no-portal-preload copies bare pages",
    )
    parser.add_argument(
        "--replay-events",
        type=int,
        default=5000,
        help="events replayed by the portal's rebuild against a plain consumer beside the "
        "empty round (beside a history round: as many as the history; 0: no replay)",
    )
    parser.add_argument(
        "--replay-pairs",
        type=int,
        default=3,
        help="times the plain consumer and the rebuild are alternated on one topic (the "
        "figures are their medians; each pair is kept in the JSON)",
    )
    parser.add_argument(
        "--only",
        choices=["portal"],
        help="run one service's part only: portal = search and rebuild by replay",
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's databases and topics")
    return parser.parse_args(argv)


def _terminated(*_: object) -> None:
    raise KeyboardInterrupt  # so that the services are stopped and the run cleaned up


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    stamp = dt.datetime.now(dt.UTC)
    run_id = f"bench_{stamp:%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:4]}"
    stack = Stack(run_id, OUT / "logs" / run_id)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        result = asyncio.run(portal_only(stack, args) if args.only else bench(stack, args))
    finally:
        stack.stop()
    paths = [
        write_json(result, OUT / "latest.json"),
        draw(result, OUT / "latest.png"),
    ]
    print_report(result, console, [p.relative_to(ROOT) for p in paths])
    console.print(f"done in {result['wall_s']:.0f} s; service logs in {result['logs']}/")


if __name__ == "__main__":
    main()
