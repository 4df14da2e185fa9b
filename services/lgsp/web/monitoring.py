"""Console pages that watch the exchange: parked partners and why, dead letters (read-only,
as ``egov dlq`` shows them), and each partner's message log with its verification."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.lgsp.api.message_log import VERIFY_LIMIT, before_position
from services.lgsp.api.schemas import message_log_view, partner_view
from services.lgsp.domain.message_log import Direction
from services.lgsp.web.access import ConsoleAdmin
from services.lgsp.web.common import components, registry, render
from services.lgsp.web.dead_letters import DeadLetterReader, DeadLettersUnreadable, shown_value
from services.lgsp.web.forms import ConsoleInputInvalid, choice, text
from shared.http.pagination import encode_cursor
from shared.http.problems import ProblemError
from shared.web.workspace import labels_of, workspace_of

router = APIRouter()
LOG_PAGE = 50
LETTERS_PER_TOPIC = 50


@router.get("/parked")
async def parked(request: Request, principal: ConsoleAdmin) -> Response:
    """Partners whose webhook jobs wait, and what an administrator must do about each."""
    views = [partner_view(p) for p in await registry(components(request))]
    return render(
        request,
        "parked.html",
        principal,
        title=labels_of(request)["parked_title"],
        partners=sorted((v for v in views if v["parked_reason"]), key=lambda v: v["code"]),
    )


def _reader(request: Request) -> DeadLetterReader:
    reader: DeadLetterReader = request.app.state.console_dead_letters
    return reader


def _unreadable(request: Request, principal: ConsoleAdmin) -> Response:
    t = labels_of(request)
    return workspace_of(request).error_page(
        request, 503, t["error"], [t["dead_letters_unreadable"]], principal, title=t["error"]
    )


@router.get("/dead-letters")
async def dead_letters(request: Request, principal: ConsoleAdmin) -> Response:
    topic = text(request.query_params, "topic", 200)
    before_raw = text(request.query_params, "before", 20)
    if before_raw is not None and not before_raw.isdigit():
        raise ConsoleInputInvalid("before must be an offset", field="before")
    before = int(before_raw) if before_raw is not None and topic else None
    reader = _reader(request)
    try:
        groups = await reader.newest(topic, LETTERS_PER_TOPIC, before)
    except DeadLettersUnreadable:
        return _unreadable(request, principal)
    return render(
        request,
        "dead_letters.html",
        principal,
        title=labels_of(request)["dead_letters_title"],
        groups=groups,
        topics=reader.topics,
        topic=topic,
    )


@router.get("/dead-letters/{dead_letter_id}")
async def dead_letter(request: Request, dead_letter_id: str, principal: ConsoleAdmin) -> Response:
    try:
        letter = await _reader(request).one(dead_letter_id[:300])
    except DeadLettersUnreadable:
        return _unreadable(request, principal)
    return render(
        request,
        "dead_letter.html",
        principal,
        title=f"{labels_of(request)['dead_letter_title']} {letter.id}",
        letter=letter,
        headers=letter.original_headers(),
        value=shown_value(letter),
    )


@router.get("/message-log")
async def message_log(request: Request, principal: ConsoleAdmin) -> Response:
    """One partner's messages, newest first, in the API's bounded pages."""
    query = request.query_params
    partner = text(query, "partner", 100)
    direction = choice(Direction, text(query, "direction", 20), "direction", "direction")
    entries: list[dict[str, object]] = []
    next_cursor: str | None = None
    if partner is not None:
        try:
            before = before_position(text(query, "cursor"))
        except ProblemError as exc:
            raise ConsoleInputInvalid(exc.detail, field="cursor") from exc
        docs, older = await components(request).message_log.page(
            partner, direction=direction, kind=None, since=None, before=before, limit=LOG_PAGE
        )
        entries = [message_log_view(d, with_body=True) for d in docs]
        next_cursor = encode_cursor({"before": older}) if older else None
    partners = await registry(components(request))
    return render(
        request,
        "message_log.html",
        principal,
        title=labels_of(request)["message_log_title"],
        partner=partner,
        direction=direction.value if direction else None,
        directions=[d.value for d in Direction],
        partners=sorted(partners, key=lambda p: str(p["code"])),
        entries=entries,
        next_cursor=next_cursor,
    )


@router.get("/message-log/verify")
async def verify_log(request: Request, principal: ConsoleAdmin) -> Response:
    """The partner's chain checked as ``GET /api/v1/message-log/verify`` does: at most
    VERIFY_LIMIT positions per request, saying where to go on from."""
    partner = text(request.query_params, "partner", 100)
    if partner is None:
        raise ConsoleInputInvalid("choose a partner", field="partner")
    raw_from = text(request.query_params, "from_seq", 16)
    if raw_from is not None and not raw_from.isdigit():
        raise ConsoleInputInvalid("from_seq must be a position", field="from_seq")
    from_seq = int(raw_from) if raw_from else None
    verdicts = await components(request).message_log.verify(
        partner, from_seq=from_seq or None, max_positions=VERIFY_LIMIT
    )
    return render(
        request,
        "message_log_verify.html",
        principal,
        title=labels_of(request)["verify_title"],
        partner=partner,
        verdicts=[v.as_dict() for v in verdicts],
        ok=all(v.ok for v in verdicts),
    )
