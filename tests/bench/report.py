"""What the operator reads: the table (with targets), latest.json and the PNG.

Targets are reported, never asserted: a missed one is a ✗ in the table and ``false`` in the
JSON, and `make bench` still succeeds.
"""

from __future__ import annotations

import json
import os
import platform as host
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

Doc = dict[str, Any]
HISTORY_P99_FACTOR = 1.5
LATENCY_P99 = ("issue_p99_ms", "publish_to_portal_p99_ms", "publish_to_partner_p99_ms")


@dataclass(frozen=True)
class Target:
    key: str
    text: str
    ok: Callable[[float, Doc], bool]


def _clean_numbering(round_: Doc) -> bool:
    return round_.get("numbering_gaps") == 0 and round_.get("numbering_duplicates") == 0


# Absolute targets, checked in every round (a figure a round lacks is not reported).
TARGETS: tuple[Target, ...] = (
    Target("replay_ratio", "≥ 0.5 × plain consumer", lambda v, r: v >= 0.5),
    Target("search_reads_by_id_only", "every read by _id", lambda v, r: bool(v)),
    Target("issue_p50_ms", "≤ 100 ms", lambda v, r: v <= 100),
    Target("issue_p99_ms", "≤ 300 ms", lambda v, r: v <= 300),
    Target(
        "issue_per_s_20_clients",
        "≥ 20/s, 0 gaps, 0 dup.",
        lambda v, r: v >= 20 and _clean_numbering(r),
    ),
    Target("publish_to_portal_p99_ms", "≤ 250 ms", lambda v, r: v <= 250),
    Target("publish_to_partner_p99_ms", "≤ 500 ms", lambda v, r: v <= 500),
    Target(
        "portal_page_req_per_s",
        "≥ 0.5 × static",
        lambda v, r: v >= 0.5 * float(r.get("static_req_per_s") or 0),
    ),
)

# (key, label, unit) in table order; "" rows are section headings.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("", "floors (raw, same servers)", ""),
    ("kafka_rtt_p50_ms", "Kafka produce→consume p50", "ms"),
    ("kafka_rtt_p99_ms", "Kafka produce→consume p99", "ms"),
    ("db_update_by_id_p50_ms", "DB update_one by _id p50", "ms"),
    ("db_update_by_id_p99_ms", "DB update_one by _id p99", "ms"),
    ("", "issuing (one clerk)", ""),
    ("flow_p50_ms", "create→submit→approve→issue p50", "ms"),
    ("issue_p50_ms", "issue call p50", "ms"),
    ("issue_p99_ms", "issue call p99", "ms"),
    ("", "issuing (20 concurrent clients)", ""),
    ("issue_per_s_20_clients", "documents issued per second", "/s"),
    ("issue_p99_ms_20_clients", "issue call p99 under load", "ms"),
    ("numbering_gaps", "numbering gaps", ""),
    ("numbering_duplicates", "numbering duplicates", ""),
    ("drain_s", "until portal + partner had all", "s"),
    ("", "publishing (issue returned →)", ""),
    ("publish_to_portal_p50_ms", "portal JSON API p50", "ms"),
    ("publish_to_portal_p99_ms", "portal JSON API p99", "ms"),
    ("publish_to_partner_p50_ms", "healthy partner's webhook p50", "ms"),
    ("publish_to_partner_p99_ms", "healthy partner's webhook p99", "ms"),
    ("", "portal under load (keep-alive)", ""),
    ("portal_home_req_per_s", "home page", "req/s"),
    ("portal_document_page_req_per_s", "a document's page", "req/s"),
    ("portal_page_req_per_s", "pages (the slower of the two)", "req/s"),
    ("static_req_per_s", "static file /static/portal.css", "req/s"),
    ("", "portal search (/api/v1/search, 6 queries × 20)", ""),
    ("search_p50_ms", "search p50", "ms"),
    ("search_p95_ms", "search p95", "ms"),
    ("search_reads_max", "store reads of one query (most)", ""),
    ("search_reads_by_id_only", "every read by _id", ""),
    ("", "rebuild by replay (empty: --replay-events; else the history), median of pairs", ""),
    ("replay_events", "events replayed", ""),
    ("replay_per_s", "portal rebuild, events replayed", "/s"),
    ("raw_consume_insert_per_s", "plain consumer + insert_many", "/s"),
    ("replay_ratio", "rebuild / plain consumer", "×"),
    ("replay_ratio_min", "the same, lowest pair", "×"),
    ("", "memory (end of round)", ""),
    ("rss_mb.documents", "documents RSS", "MB"),
    ("rss_mb.portal", "portal RSS", "MB"),
    ("rss_mb.lgsp", "lgsp RSS", "MB"),
)


def _get(round_: Doc, key: str) -> Any:
    value: Any = round_
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and unit == "×":
        text = f"{value:.2f}"
    elif isinstance(value, float):
        text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def _mark(ok: bool) -> str:
    return "[green]✓[/]" if ok else "[red]✗[/]"


def evaluate(result: Doc) -> list[Doc]:
    """Every target with its value and verdict, for the JSON and the table."""
    rounds: list[Doc] = result["rounds"]
    checks: list[Doc] = []
    for round_ in rounds:
        for target in TARGETS:
            value = _get(round_, target.key)
            if value is None and (result.get("only") or target.key == "replay_ratio"):
                continue  # not measured in this run (no replay, or one service's part only)
            checks.append(
                {
                    "figure": target.key,
                    "history": round_["history"],
                    "target": target.text,
                    "value": value,
                    "ok": value is not None and target.ok(float(value), round_),
                }
            )
    empty, last = rounds[0], rounds[-1]
    if len(rounds) > 1 and not result.get("only"):
        for key in LATENCY_P99:
            base, now = empty.get(key), last.get(key)
            ratio = now / base if base and now is not None else None
            checks.append(
                {
                    "figure": f"{key} at history / empty",
                    "history": last["history"],
                    "target": f"≤ {HISTORY_P99_FACTOR}×",
                    "value": None if ratio is None else round(ratio, 2),
                    "ok": ratio is not None and ratio <= HISTORY_P99_FACTOR,
                }
            )
    idle = result.get("idle_cpu_pct")
    if result.get("only"):
        return checks
    checks.append(
        {
            "figure": "idle_cpu_pct",
            "history": last["history"],
            "target": "≤ 5 % of one core",
            "value": idle,
            "ok": idle is not None and idle <= 5,
        }
    )
    return checks


def table(result: Doc) -> Table:
    rounds: list[Doc] = result["rounds"]
    checks = evaluate(result)
    verdict = {(c["figure"], c["history"]): c for c in checks}
    targets = {t.key: t.text for t in TARGETS}
    machine = result["machine"]
    settings = result["settings"]
    grid = Table(
        title=(
            f"egov benchmark · {result['date']} · {machine['cores']} cores, "
            f"{machine['memory_gb']} GB"
        ),
        caption=(
            "portal only: its pages preloaded, only the portal started"
            if result.get("only")
            else f"per round: {settings['sequential']} documents issued one by one, "
            f"{settings['concurrent']} by {settings['clients']} clients at once; "
            "partners: 1 healthy (measured), 1 answering in 5 s, 1 down, "
            "2 misconfigured (host gone, https to http)"
        ),
        title_justify="left",
        caption_justify="left",
        header_style="bold",
    )
    grid.add_column("figure")
    grid.add_column("target")
    for round_ in rounds:
        label = "empty" if round_["history"] == 0 else f"history {round_['history']:,}"
        grid.add_column(label, justify="right")
    for key, label, unit in ROWS:
        if not key:
            grid.add_row(f"[bold cyan]{label}[/]", *([""] * (1 + len(rounds))))
            continue
        if result.get("only") and all(_get(r, key) is None for r in rounds):
            continue  # a figure of the services this run left out
        cells = []
        for round_ in rounds:
            text = _fmt(_get(round_, key), unit)
            if key == "drain_s" and _get(round_, key) is None:
                text = "not within 60 s"
            check = verdict.get((key, round_["history"]))
            cells.append(f"{text} {_mark(check['ok'])}" if check else text)
        grid.add_row(label, targets.get(key, ""), *cells)
    extra = [c for c in checks if c["figure"].endswith("/ empty") or c["figure"] == "idle_cpu_pct"]
    if extra:
        grid.add_row("[bold cyan]at history[/]", *([""] * (1 + len(rounds))))
    for check in extra:
        unit = "%" if check["figure"] == "idle_cpu_pct" else "×"
        label = (
            f"idle CPU of the stack ({result.get('idle_s', 0):.0f} s)"
            if check["figure"] == "idle_cpu_pct"
            else check["figure"].replace("_ms", "").replace("_", " ")
        )
        cells = [""] * (len(rounds) - 1) + [f"{_fmt(check['value'], unit)} {_mark(check['ok'])}"]
        grid.add_row(label, check["target"], *cells)
    return grid


def print_report(result: Doc, console: Console, paths: list[Path]) -> None:
    console.print()
    console.print(table(result))
    checks = evaluate(result)
    missed = [c for c in checks if not c["ok"]]
    console.print(
        f"targets met: {len(checks) - len(missed)}/{len(checks)}"
        + (" (reported, not enforced)" if missed else "")
    )
    by_process = result.get("idle_cpu_by_process") or {}
    if by_process:
        console.print(
            "idle CPU by process (% of one core): "
            + ", ".join(f"{k} {v:.1f}" for k, v in by_process.items())
        )
    for round_ in result.get("rounds") or []:
        load = round_.get("cpu_20_clients_by_process") or {}
        if load:
            console.print(
                f"CPU while 20 clients issue, history {round_['history']:,} (% of one core): "
                + ", ".join(f"{k} {v:.0f}" for k, v in load.items())
            )
    after = result.get("after_load_cpu_by_process") or {}
    if after:
        console.print(
            "after the load, retrying the misbehaving partners (% of one core): "
            + ", ".join(f"{k} {v:.1f}" for k, v in after.items())
        )
    for path in paths:
        console.print(f"wrote {path}")


def machine() -> Doc:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": model,
        "system": f"{host.system()} {host.release()}",
        "python": host.python_version(),
    }


def write_json(result: Doc, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**result, "targets": evaluate(result)}, indent=2, default=str))
    return path


def draw(result: Doc, path: Path) -> Path:
    """Latency percentiles (and throughput) against the size of the history."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rounds: list[Doc] = result["rounds"]
    xs = list(range(len(rounds)))
    labels = [f"{r['history']:,}" for r in rounds]
    fig, (lat, rate) = plt.subplots(1, 2, figsize=(13, 5.2))
    series = (
        ("issue_p50_ms", "issue p50", "tab:blue", "-"),
        ("issue_p99_ms", "issue p99", "tab:blue", "--"),
        ("publish_to_portal_p50_ms", "→ portal p50", "tab:green", "-"),
        ("publish_to_portal_p99_ms", "→ portal p99", "tab:green", "--"),
        ("publish_to_partner_p50_ms", "→ partner p50", "tab:orange", "-"),
        ("publish_to_partner_p99_ms", "→ partner p99", "tab:orange", "--"),
        ("kafka_rtt_p50_ms", "floor: Kafka RTT p50", "tab:gray", ":"),
        ("db_update_by_id_p50_ms", "floor: DB update p50", "black", ":"),
    )
    for key, label, color, style in series:
        ys = [_get(r, key) for r in rounds]
        if any(y is not None for y in ys):
            lat.plot(xs, ys, style, marker="o", color=color, label=label)
    for limit, color in ((100, "tab:blue"), (250, "tab:green"), (500, "tab:orange")):
        lat.axhline(limit, color=color, alpha=0.15, linewidth=4)
    lat.set_yscale("log")
    lat.set_ylabel("milliseconds (log)")
    lat.set_title("latency vs history (bands: targets)")
    for key, label, color in (
        ("issue_per_s_20_clients", "issued/s, 20 clients", "tab:blue"),
        ("portal_home_req_per_s", "portal home req/s", "tab:green"),
        ("portal_document_page_req_per_s", "document page req/s", "tab:olive"),
        ("static_req_per_s", "static file req/s", "tab:gray"),
    ):
        ys = [_get(r, key) for r in rounds]
        if any(y is not None for y in ys):
            rate.plot(xs, ys, marker="o", color=color, label=label)
    rate.set_yscale("log")
    rate.set_ylabel("per second (log)")
    rate.set_title("throughput vs history")
    for axis in (lat, rate):
        axis.set_xticks(xs, labels)
        axis.set_xlabel("history: issued documents (×10 delivery jobs, ×1 portal pages)")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    m = result["machine"]
    fig.suptitle(f"egov benchmark {result['date']} · {m['cores']} cores, {m['memory_gb']} GB")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
