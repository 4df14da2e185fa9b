"""`egov dlq …`: see why records were dead-lettered, and re-send them once fixed.

Reads the dead-letter topics directly (``EGOV_KAFKA_*`` settings, ``EGOV_TOPIC_SUFFIX``), so
it works with any service stopped. A dead letter is named ``<topic>@<offset>``.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Annotated

import typer

from shared.contracts.topics import TOPICS, physical
from shared.messaging.dead_letters import DeadLetter, DeadLetterNotFound, DeadLetterStore

app = typer.Typer(help="Dead letters: list, show, replay.", no_args_is_help=True)
TopicOption = Annotated[
    str | None,
    typer.Option("--topic", help="one original topic, e.g. egov.documents.public.v1"),
]


def _store() -> tuple[DeadLetterStore, str]:
    from shared.messaging.kafka_security import client_options
    from shared.settings import KafkaClientSettings

    kafka = KafkaClientSettings()
    suffix = os.environ.get("EGOV_TOPIC_SUFFIX", "")
    return DeadLetterStore(kafka.kafka_bootstrap_servers, client_options(kafka)), suffix


def _topics(topic: str | None, suffix: str) -> list[str]:
    known = [physical(spec.name, suffix) for spec in TOPICS]
    if topic is None:
        return known
    name = topic if topic in known else physical(topic, suffix)
    if name not in known:
        raise typer.BadParameter(f"unknown topic {topic}", param_hint="--topic")
    return [name]


def _summary(letter: DeadLetter) -> str:
    kind = letter.headers.get("ce_type", "-")
    subject = letter.headers.get("ce_subject", "-")
    reason = letter.reason.replace("\n", " ")
    return (
        f"{letter.id}  {letter.timestamp:%Y-%m-%d %H:%M:%S}  {kind}  {subject}  "
        f"{letter.consumer}  {reason[:160]}"
    )


async def _read_all(store: DeadLetterStore, topics: list[str]) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    for name in topics:
        letters.extend(await store.read(name))
    return letters


@app.command("list")
def list_dead_letters(topic: TopicOption = None) -> None:
    """Every dead letter: id, time, event type, subject, consumer and reason."""
    store, suffix = _store()
    letters = asyncio.run(_read_all(store, _topics(topic, suffix)))
    for letter in letters:
        typer.echo(_summary(letter))
    typer.echo(f"{len(letters)} dead letter(s)", err=True)


@app.command()
def show(dead_letter_id: Annotated[str, typer.Argument(help="topic@offset")]) -> None:
    """One dead letter in full: why, where from, its headers, key and value."""
    store, _ = _store()
    try:
        letter = asyncio.run(store.get(dead_letter_id))
    except DeadLetterNotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    try:
        value: object = json.loads(letter.value)
    except ValueError:
        value = letter.value.decode("utf-8", errors="replace")
    body = {
        "id": letter.id,
        "reason": letter.reason,
        "consumer": letter.consumer,
        "original_topic": letter.original_topic,
        "original_partition": letter.headers.get("dlq_original_partition"),
        "original_offset": letter.headers.get("dlq_original_offset"),
        "dead_lettered_at": letter.timestamp.isoformat(),
        "key": letter.key.decode("utf-8", errors="replace") if letter.key else None,
        "headers": letter.original_headers(),
        "value": value,
    }
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2))


@app.command()
def replay(
    dead_letter_id: Annotated[str | None, typer.Argument(help="topic@offset; or --all")] = None,
    all_: Annotated[bool, typer.Option("--all", help="every dead letter (of --topic)")] = False,
    topic: TopicOption = None,
) -> None:
    """Re-send dead letters to their original topic, once what refused them is fixed.

    Consumers deduplicate by event id and version, so replaying is safe to repeat.
    """
    if (dead_letter_id is None) == (not all_):
        raise typer.BadParameter("give one dead-letter id, or --all")
    store, suffix = _store()

    async def _run() -> int:
        if dead_letter_id is not None:
            letters = [await store.get(dead_letter_id)]
        else:
            letters = await _read_all(store, _topics(topic, suffix))
        return await store.replay(letters)

    try:
        sent = asyncio.run(_run())
    except DeadLetterNotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"replayed {sent} dead letter(s)")
