"""The chaos run's summary: a table on the terminal, everything as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

TOTALS = ("lost", "duplicated", "leaked", "gaps")


def write_json(result: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def print_report(result: dict[str, Any], console: Console, json_path: Path) -> None:
    table = Table(title=f"egov chaos {result.get('run_id')}", show_lines=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    faults = result.get("faults", {})
    for name in ("replicas_killed", "kafka_restarts", "ferretdb_restarts", "partner_down_s"):
        table.add_row(f"fault: {name.replace('_', ' ')}", str(faults.get(name, "–")))
    client = result.get("client", {})
    for name in ("calls", "retried_5xx", "retried_transport_errors"):
        table.add_row(f"client: {name.replace('_', ' ')}", str(client.get(name, "–")))
    table.add_section()
    for name, value in result.get("counts", {}).items():
        table.add_row(name, str(value))
    table.add_section()
    for name in ("unexpected_exits",):
        table.add_row(name.replace("_", " "), str(len(faults.get(name, []))))
    table.add_row("client gave up", str(len(client.get("abandoned", []))))
    table.add_row("500 answers", str(len(client.get("internal_errors", []))))
    for name in TOTALS:
        value = result.get(name, "–")
        style = "green" if value == 0 else "red"
        table.add_row(f"[bold]{name}[/]", f"[{style}]{value}[/]")
    console.print(table)
    for line in result.get("problems", [])[:40]:
        console.print(f"  [red]✗[/] {line}", soft_wrap=True)
    # The four totals stated literally, as the run is judged by them.
    console.print(", ".join(f"{name}: {result.get(name, '–')}" for name in TOTALS))
    verdict = "[green]PASSED[/]" if result.get("passed") else "[red]FAILED[/]"
    console.print(
        f"{verdict} in {result.get('wall_s', 0):.0f} s; {json_path}; "
        f"service logs in {result.get('logs')}/"
    )
