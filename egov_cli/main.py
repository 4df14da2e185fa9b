"""egov: token, topics, demo and the services themselves."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from egov_cli import lgsp as lgsp_commands
from shared.auth.principal import SERVICES, Role
from shared.contracts.vocabulary import Confidentiality

app = typer.Typer(help="egov platform: documents, portal and LGSP.", no_args_is_help=True)
app.add_typer(lgsp_commands.app, name="lgsp")


@app.command()
def token(
    user: Annotated[str, typer.Option(help="user name (the token's subject)")],
    role: Annotated[list[Role], typer.Option(help="role; repeat for several")],
    clearance: Annotated[Confidentiality, typer.Option()] = Confidentiality.THUONG,
    unit: Annotated[str | None, typer.Option(help="organisational unit code, e.g. CNTT")] = None,
    audience: Annotated[
        list[str] | None, typer.Option(help="service(s) the token is for; default all three")
    ] = None,
    ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 8 * 3600,
) -> None:
    """Print a development JWT accepted by the local stack."""
    from shared.auth.tokens import issue_dev_token

    audiences = audience or list(SERVICES)
    unknown = [a for a in audiences if a not in SERVICES]
    if unknown:
        raise typer.BadParameter(f"unknown audience: {', '.join(unknown)}")
    typer.echo(
        issue_dev_token(
            user=user, roles=role, clearance=clearance, unit=unit, audience=audiences, ttl_s=ttl
        )
    )


@app.command()
def topics(
    bootstrap: Annotated[
        str, typer.Option(envvar="EGOV_KAFKA_BOOTSTRAP_SERVERS")
    ] = "127.0.0.1:9092",
    partitions: Annotated[int, typer.Option(envvar="EGOV_TOPIC_PARTITIONS")] = 6,
    replication: Annotated[int, typer.Option(envvar="EGOV_TOPIC_REPLICATION")] = 1,
    suffix: Annotated[str, typer.Option(envvar="EGOV_TOPIC_SUFFIX")] = "",
) -> None:
    """Create the platform's topics (idempotent)."""
    from shared.messaging.topics_admin import ensure_topics

    created = asyncio.run(
        ensure_topics(bootstrap, suffix=suffix, partitions=partitions, replication=replication)
    )
    typer.echo("created: " + ", ".join(created) if created else "all topics exist")


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="documents, portal or lgsp")],
) -> None:
    """Run one service (its host and port come from its settings)."""
    import uvicorn

    from egov_cli.services import load_settings

    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service}")
    settings = load_settings(service)
    uvicorn.run(
        f"services.{service}.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
    )


@app.command()
def demo() -> None:
    """Load the demo partners and documents through the running services' APIs."""
    from egov_cli.demo import load_all

    asyncio.run(load_all())


@app.command()
def up(
    no_demo: Annotated[bool, typer.Option("--no-demo", help="do not load demo data")] = False,
) -> None:
    """Run the whole platform locally in the foreground (what `make up` does)."""
    from egov_cli.up import run_up

    run_up(load_demo=not no_demo)


if __name__ == "__main__":
    app()
