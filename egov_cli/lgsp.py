"""`egov lgsp …`: operators' commands for the LGSP.

`egov lgsp verify-log` opens the LGSP's database directly, with the same settings as the
service (``EGOV_MONGO_URL``, ``EGOV_LGSP_MONGO_DATABASE``, ``EGOV_LGSP_LOG_SIGNING_KEY_FILE``
…), like X-Road's offline log verifier: it works while the service is down, needs no staff
token, and trusts the configured signing key from its file rather than from the database.
It exits with 1 when any chain is damaged, so it can run from cron or monitoring.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

app = typer.Typer(help="The LGSP: operators' commands.", no_args_is_help=True)


async def _verify(partner: str | None, audit: bool) -> list[dict[str, Any]]:
    from services.lgsp.components import build_logs
    from services.lgsp.errors import PartnerNotFound
    from services.lgsp.repositories import PartnerRepository
    from services.lgsp.settings import Settings
    from shared.mongo import database, make_mongo_client

    settings = Settings()
    client = make_mongo_client(settings)
    try:
        db = database(client, settings)
        _, message_log, admin_audit = build_logs(db, settings, PartnerRepository(db))
        try:
            verdicts = [
                {"log": "message-log", **v.as_dict()} for v in await message_log.verify(partner)
            ]
        except PartnerNotFound as exc:
            raise typer.BadParameter(f"no partner {partner}", param_hint="--partner") from exc
        if audit:
            verdicts.append({"log": "admin-audit", **(await admin_audit.verify()).as_dict()})
        return verdicts
    finally:
        await client.close()


def _line(verdict: dict[str, Any]) -> str:
    where = f"{verdict['log']} {verdict['chain']}"
    span = f"positions {verdict['floor_seq'] + 1}..{verdict['last_seq']}"
    if verdict["ok"]:
        return f"ok      {where}: {verdict['checked']} entries ({span})"
    problems = "; ".join(
        f"{p['seq']}{'..' + str(p['last_seq']) if 'last_seq' in p else ''} {p['problem']}"
        f" ({p['detail']})"
        for p in verdict["problems"]
    )
    return f"DAMAGED {where}: {problems}"


@app.command("verify-log")
def verify_log(
    partner: Annotated[
        str | None,
        typer.Option(help="only this partner's chain (organisation code or id); default all"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the verdicts as JSON")] = False,
) -> None:
    """Check the message log (and, for all partners, the administrators' audit log): which
    entries are changed, missing or reordered, which checkpoints are not signed by the
    LGSP. Exit code 1 when anything is wrong."""
    verdicts = asyncio.run(_verify(partner, audit=partner is None))
    if as_json:
        typer.echo(json.dumps(verdicts, ensure_ascii=False, indent=2))
    else:
        for verdict in verdicts:
            typer.echo(_line(verdict))
        if not verdicts:
            typer.echo("no chains yet")
    if not all(v["ok"] for v in verdicts):
        raise typer.Exit(1)
