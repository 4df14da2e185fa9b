"""`egov contracts`: write the machine-readable contracts into ``contracts/``.

``contracts/events/<type>.json`` and ``contracts/webhooks/<type>.json`` are JSON Schemas
(``shared/contracts/schemas.py``), ``contracts/asyncapi.json`` the platform's AsyncAPI document
(``shared/asyncapi.py``). A ``.v1`` schema may only change additively: the command refuses to
overwrite one with a schema that refuses what the committed one accepted (a breaking change is
a new ``.v2`` type), and the unit tests check the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

ROOT = Path(__file__).resolve().parents[1] / "contracts"
ASYNCAPI_FILE = "asyncapi.json"
# The contracts' major version: every event type is a .v1.
PLATFORM_VERSION = "1"


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generated() -> dict[str, dict[str, Any]]:
    """Every file of ``contracts/`` this command owns, by its relative path."""
    from shared.asyncapi import platform_document
    from shared.contracts.schemas import contract_schemas

    files: dict[str, dict[str, Any]] = dict(contract_schemas())
    files[ASYNCAPI_FILE] = platform_document(PLATFORM_VERSION)
    return files


def stale(root: Path = ROOT) -> list[str]:
    """Files missing or different from what the models generate now."""
    return [
        path
        for path, document in generated().items()
        if not (root / path).is_file()
        or (root / path).read_text(encoding="utf-8") != render(document)
    ]


def breaking(root: Path = ROOT) -> dict[str, list[str]]:
    """For each committed ``.v1`` schema, what the current models would break."""
    from shared.contracts.compatibility import breaking_changes
    from shared.contracts.schemas import contract_schemas

    found: dict[str, list[str]] = {}
    for path, schema in contract_schemas().items():
        committed = root / path
        if not path.endswith(".v1.json") or not committed.is_file():
            continue
        problems = breaking_changes(json.loads(committed.read_text(encoding="utf-8")), schema)
        if problems:
            found[path] = problems
    return found


def write(root: Path = ROOT) -> list[str]:
    """Write what changed; returns the paths written."""
    written = []
    documents = generated()
    for path in stale(root):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(documents[path]), encoding="utf-8")
        written.append(path)
    return written


def contracts(
    check: Annotated[
        bool, typer.Option("--check", help="only report stale files; exit 1 if any")
    ] = False,
    root: Annotated[Path, typer.Option(help="the contracts folder")] = ROOT,
) -> None:
    """Write the JSON Schemas of every event and webhook body and the platform's AsyncAPI
    document into contracts/ (refused for a breaking change to a .v1 schema)."""
    broken = breaking(root)
    for path, problems in broken.items():
        typer.echo(f"{path}: breaking change to a .v1 contract (make a .v2 type instead):")
        for problem in problems:
            typer.echo(f"  {problem}")
    if broken:
        raise typer.Exit(1)
    if check:
        outdated = stale(root)
        for path in outdated:
            typer.echo(f"stale: {path} (run `egov contracts`)")
        raise typer.Exit(1 if outdated else 0)
    written = write(root)
    typer.echo("written: " + ", ".join(written) if written else "contracts are up to date")
