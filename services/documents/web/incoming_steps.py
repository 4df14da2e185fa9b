"""Register (accept with its arrival number, or reject with a reason), assign, progress and
complete an incoming document, and answer its sender's recall: a page per step that says
what will happen, then a POST that calls the same use case as ``/api/v1/incoming/{id}/…``
with the version the page showed."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.documents.domain.numbering import register_year
from services.documents.errors import InvalidInput, StaleVersion
from services.documents.services.incoming import Assignment
from services.documents.web.choices import draft_choices
from services.documents.web.context import PREFIX, components
from services.documents.web.forms import text, texts, version_or_stale
from services.documents.web.handlers import drafters_of, handler_groups
from services.documents.web.incoming_actions import IncomingStep
from services.documents.web.staleness import stale_incoming
from shared.auth.principal import Principal
from shared.http.text import forbidden_character
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.web.directory import StaffDirectory
from shared.web.i18n import language
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

router = APIRouter(prefix=PREFIX)

MAX_TEXT = 2000
MAX_ID = 200
RECALL_ANSWERS = ("accept", "refuse")


def _form_page(
    request: Request,
    principal: Principal,
    step: IncomingStep,
    doc: Doc,
    *,
    version: int,
    values: dict[str, object] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    t = labels_of(request)
    settings = components(request).settings
    return workspace_of(request).page(
        request,
        "incoming_step.html",
        principal=principal,
        status_code=status_code,
        title=t[f"incoming_step_{step.value}"],
        step=step.value,
        doc=doc,
        version=version,
        values=values or {"lead_unit": principal.unit},
        error=error,
        units=draft_choices(settings, language(request)).units,
        handlers=(
            handler_groups(workspace_of(request).directory, principal, settings.units)
            if step == IncomingStep.ASSIGN
            else []
        ),
        year=register_year(utcnow()),
    )


@router.get("/incoming/{inbound_id}/{step}", name="workspace_incoming_step")
async def step_page(
    request: Request,
    inbound_id: str,
    step: IncomingStep,
    principal: StaffPrincipal,
    version: int | None = None,
) -> Response:
    doc = await components(request).incoming.read(principal, inbound_id)
    current = int(doc["version"])
    if version is not None and version != current:
        return await stale_incoming(request, principal, inbound_id, version)
    return _form_page(request, principal, step, doc, version=current)


def _note(form: FormData, name: str, *, required: bool = False) -> str:
    value = text(form, name).replace("\r\n", "\n")
    if required and not value:
        raise InvalidInput("say why", name)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT} characters", name)
    found = forbidden_character(value)
    if found:
        raise InvalidInput(f"the text holds a control character {found}", name)
    return value


def _handler(form: FormData, lead: str, directory: StaffDirectory) -> str:
    """The handler typed by user id, else the one chosen by name from the list, which offers
    the drafters of each unit: the choice must be one of the lead unit's."""
    typed = text(form, "handler_other")
    if typed:
        if len(typed) > MAX_ID or forbidden_character(typed):
            raise InvalidInput("name the handler by user id", "handler")
        return typed
    chosen = text(form, "handler")
    if not chosen:
        raise InvalidInput("choose the handler, or type a user id", "handler")
    if chosen not in {user for user, _ in drafters_of(directory, lead)}:
        raise InvalidInput(
            f"choose a drafter of the lead unit {lead}, or type a user id", "handler"
        )
    return chosen


def _assignment(form: FormData, directory: StaffDirectory) -> Assignment:
    try:
        deadline = dt.date.fromisoformat(text(form, "deadline"))
    except ValueError:
        raise InvalidInput("give the deadline as a date", "deadline") from None
    lead = text(form, "lead_unit")
    if not lead or len(lead) > 32:
        raise InvalidInput("choose the lead unit", "lead_unit")
    handler = _handler(form, lead, directory)
    return Assignment(
        lead_unit=lead,
        supporting_units=[u for u in texts(form, "supporting_units") if len(u) <= 32][:50],
        deadline=deadline,
        handler=handler,
        note=_note(form, "note"),
        instruction=_note(form, "instruction"),
    )


async def _perform(
    request: Request, principal: Principal, inbound_id: str, step: IncomingStep, form: FormData
) -> Doc:
    service = components(request).incoming
    version = version_or_stale(form)
    if step == IncomingStep.ACCEPT:
        return await service.accept(principal, inbound_id, version, _note(form, "note"))
    if step == IncomingStep.REJECT:
        reason = _note(form, "reason", required=True)
        return await service.reject(principal, inbound_id, version, reason)
    if step == IncomingStep.ASSIGN:
        directory = workspace_of(request).directory
        return await service.assign(principal, inbound_id, version, _assignment(form, directory))
    if step == IncomingStep.RECALL_ANSWER:
        choice = text(form, "answer")
        if choice not in RECALL_ANSWERS:
            raise InvalidInput("choose to give it back or to refuse", "answer")
        reason = _note(form, "reason")
        return await service.answer_recall(
            principal, inbound_id, version, choice == "accept", reason
        )
    if step == IncomingStep.PROGRESS:
        return await service.progress(principal, inbound_id, version, _note(form, "note"))
    answer = text(form, "answer_document_id") or None
    if answer is not None and len(answer) > 64:
        raise InvalidInput("no such outgoing document", "answer_document_id")
    return await service.complete(principal, inbound_id, version, _note(form, "note"), answer)


@router.post("/incoming/{inbound_id}/{step}")
async def perform(
    request: Request, inbound_id: str, step: IncomingStep, principal: StaffPrincipal
) -> Response:
    t = labels_of(request)
    async with request.form() as form:
        values: dict[str, object] = {k: v for k, v in form.items() if isinstance(v, str)}
        values["supporting_units"] = texts(form, "supporting_units")
        try:
            doc = await _perform(request, principal, inbound_id, step, form)
        except StaleVersion:
            return await stale_incoming(request, principal, inbound_id, version_or_stale(form))
        except InvalidInput as exc:
            current = await components(request).incoming.read(principal, inbound_id)
            return _form_page(
                request,
                principal,
                step,
                current,
                version=version_or_stale(form),
                values=values,
                error=f"{t.get('field_' + exc.field, exc.field)}: {exc.detail}",
                status_code=400,
            )
    done = t[f"incoming_done_{step.value}"]
    return workspace_of(request).see_other(request, f"/incoming/{doc['_id']}", done)
