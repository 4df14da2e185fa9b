"""`egov portal …`: rebuild the portal's read model from the public topic, switch models.

They open the portal's database and Kafka directly with the service's settings
(``EGOV_MONGO_URL``, ``EGOV_PORTAL_MONGO_DATABASE``, ``EGOV_KAFKA_BOOTSTRAP_SERVERS`` …) while
the portal keeps serving; its replicas follow the switch within
``EGOV_PORTAL_READ_MODEL_REFRESH_S``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

app = typer.Typer(help="The public portal: operators' commands.", no_args_is_help=True)


@app.command("rebuild")
def rebuild(
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="records per bulk write")] = 1000,
    no_switch: Annotated[
        bool, typer.Option("--no-switch", help="build the new model but keep serving the old")
    ] = False,
) -> None:
    """Replay egov.documents.public.v1 from its first record into a fresh read model, then
    switch the portal to it (the old one is kept: `egov portal switch` goes back)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from services.portal.rebuilding import rebuild as run
    from services.portal.settings import Settings

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        "[progress.percentage]{task.percentage:>3.0f}%",
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("replaying events", total=None)

        def advanced(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = asyncio.run(run(Settings(), batch=batch, switch=not no_switch, progress=advanced))
    typer.echo(
        f"model {report.model}: {report.events} events ({report.refused} refused), "
        f"{report.pages} pages ({report.visible} shown), "
        f"{report.events_per_s:,.0f} events/s in {report.seconds:.1f} s"
    )
    if no_switch:
        typer.echo(
            f"still serving {report.previous or '(first)'}: egov portal switch --to {report.model}"
        )
    else:
        typer.echo(
            f"now serving {report.model} ({report.caught_up} later events caught up); "
            f"back with: egov portal switch --to '{report.previous}'"
        )


@app.command("switch")
def switch(
    to: Annotated[
        str | None, typer.Option(help="the model's prefix ('' = the first); default the previous")
    ] = None,
) -> None:
    """Serve another read model (atomic compare-and-set of the pointer)."""
    from services.portal.rebuilding import switch as run
    from services.portal.settings import Settings

    try:
        before, after = asyncio.run(run(Settings(), to))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--to") from exc
    typer.echo(f"serving {after or '(first)'} instead of {before or '(first)'}")


@app.command("models")
def models() -> None:
    """The active read model, the previous one and every switch."""
    from services.portal.rebuilding import pointer
    from services.portal.settings import Settings

    typer.echo(
        json.dumps(asyncio.run(pointer(Settings())), default=str, ensure_ascii=False, indent=2)
    )
