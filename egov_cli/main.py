"""egov: token, topics, demo and the services themselves."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from egov_cli import contracts as contracts_commands
from egov_cli import dlq as dlq_commands
from egov_cli import lgsp as lgsp_commands
from egov_cli import portal as portal_commands
from shared.auth.principal import SERVICES, Role
from shared.contracts.vocabulary import Confidentiality

# Staff tokens live a working day; a longer-lived one is a credential nobody remembers.
MAX_TOKEN_TTL_S = 24 * 3600

app = typer.Typer(help="egov platform: documents, portal and LGSP.", no_args_is_help=True)
app.add_typer(lgsp_commands.app, name="lgsp")
app.add_typer(portal_commands.app, name="portal")
app.add_typer(dlq_commands.app, name="dlq")
app.command(name="contracts")(contracts_commands.contracts)


@app.command()
def token(
    user: Annotated[str, typer.Option(help="user name (the token's subject)")],
    role: Annotated[list[Role], typer.Option(help="role; repeat for several")],
    clearance: Annotated[Confidentiality, typer.Option()] = Confidentiality.THUONG,
    unit: Annotated[str | None, typer.Option(help="organisational unit code, e.g. CNTT")] = None,
    audience: Annotated[
        list[str] | None, typer.Option(help="service(s) the token is for; default all three")
    ] = None,
    ttl: Annotated[
        int,
        typer.Option(
            help=f"lifetime in seconds, 1 to {MAX_TOKEN_TTL_S} (24 h: a working day and then some)"
        ),
    ] = 8 * 3600,
) -> None:
    """Print a development JWT accepted by the local stack."""
    from shared.auth.tokens import issue_dev_token

    if not 0 < ttl <= MAX_TOKEN_TTL_S:
        raise typer.BadParameter(
            f"{ttl} is not a lifetime: give 1 to {MAX_TOKEN_TTL_S} seconds (24 h at most)",
            param_hint="--ttl",
        )
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
    min_insync_replicas: Annotated[
        int | None,
        typer.Option(
            envvar="EGOV_TOPIC_MIN_INSYNC_REPLICAS",
            help="min.insync.replicas of every topic (default: the broker's)",
        ),
    ] = None,
    suffix: Annotated[str, typer.Option(envvar="EGOV_TOPIC_SUFFIX")] = "",
) -> None:
    """Create the platform's topics (idempotent); TLS and SASL from EGOV_KAFKA_*."""
    from shared.messaging.kafka_security import client_options
    from shared.messaging.topics_admin import ensure_topics
    from shared.settings import KafkaClientSettings

    created = asyncio.run(
        ensure_topics(
            bootstrap,
            suffix=suffix,
            partitions=partitions,
            replication=replication,
            min_insync_replicas=min_insync_replicas,
            security=client_options(KafkaClientSettings()),
        )
    )
    typer.echo("created: " + ", ".join(created) if created else "all topics exist")


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="documents, portal or lgsp")],
) -> None:
    """Run one service: its public port, and its admin port (metrics, API descriptions)."""
    import importlib

    import uvicorn

    from egov_cli.services import load_settings
    from shared.observability.admin import enable_admin_port

    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service}")
    settings = load_settings(service)
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    enable_admin_port(app)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        log_config=None,  # every line goes through the service's JSON logging
        access_log=False,  # requests are logged by the service, with their correlation id
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
