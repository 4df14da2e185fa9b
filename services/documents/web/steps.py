"""Submit, return, approve, issue, revoke, replace, recall and unpublish: each a
confirmation page that says what will happen, then a POST that calls the same use case as the
JSON API with the version the page showed (the API's If-Match). A stale version shows who
changed the document.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.documents.domain.lifecycle import Action
from services.documents.errors import InvalidInput, StaleVersion
from services.documents.web.choices import partner_name, unit_name
from services.documents.web.context import PREFIX, components
from services.documents.web.document_actions import SPECS, DocumentStep
from services.documents.web.forms import text, version_or_stale
from services.documents.web.labels import value_label
from services.documents.web.outcomes import outcomes, sentence
from services.documents.web.staleness import stale_document
from shared.auth.principal import Principal
from shared.http.text import forbidden_character
from shared.kit.clock import utcnow
from shared.kit.types import Doc
from shared.web.i18n import language
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

router = APIRouter(prefix=PREFIX)

MAX_REASON = 2000


def _sentences(request: Request, step: DocumentStep, doc: Doc) -> list[str]:
    settings = components(request).settings
    lang = language(request)
    t = labels_of(request)
    found = outcomes(
        step.value,
        doc,
        now=utcnow(),
        partner=lambda code: partner_name(settings, code),
        unit=lambda code: unit_name(settings, code),
    )
    for outcome in found:
        if "book" in outcome.params:
            outcome.params["book"] = value_label(lang, outcome.params["book"])
    return [sentence(t, outcome) for outcome in found]


def _confirm(
    request: Request,
    principal: Principal,
    step: DocumentStep,
    doc: Doc,
    *,
    version: int,
    error: str | None = None,
    reason: str = "",
    replaced_by: str = "",
    status_code: int = 200,
) -> Response:
    t = labels_of(request)
    return workspace_of(request).page(
        request,
        "confirm.html",
        principal=principal,
        status_code=status_code,
        title=t[f"step_{step.value}"],
        step=step.value,
        spec=SPECS[step],
        doc=doc,
        version=version,
        sentences=_sentences(request, step, doc),
        error=error,
        reason=reason,
        replaced_by=replaced_by,
    )


@router.get("/documents/{document_id}/{step}", name="workspace_confirm_step")
async def confirm(
    request: Request,
    document_id: str,
    step: DocumentStep,
    principal: StaffPrincipal,
    version: int | None = None,
) -> Response:
    doc = await components(request).drafting.read(principal, document_id)
    current = int(doc["version"])
    if version is not None and version != current:
        return await stale_document(request, principal, document_id, version)
    return _confirm(request, principal, step, doc, version=current)


async def _perform(
    request: Request,
    principal: Principal,
    document_id: str,
    step: DocumentStep,
    version: int,
    reason: str,
    replaced_by: str,
) -> Doc:
    found = components(request)
    if step == DocumentStep.SUBMIT:
        return await found.drafting.transition(principal, document_id, version, Action.SUBMIT)
    if step == DocumentStep.APPROVE:
        return await found.drafting.transition(principal, document_id, version, Action.APPROVE)
    if step == DocumentStep.RETURN:
        return await found.drafting.transition(
            principal, document_id, version, Action.RETURN, reason
        )
    if step == DocumentStep.ISSUE:
        return await found.issuance.issue(principal, document_id, version, None)
    if step == DocumentStep.REVOKE:
        return await found.revocation.revoke(principal, document_id, version, reason)
    if step == DocumentStep.REPLACE:
        return await found.revocation.replace(principal, document_id, version, replaced_by, reason)
    if step == DocumentStep.UNPUBLISH:
        return await found.revocation.unpublish(principal, document_id, version, reason)
    return await found.recall.recall(principal, document_id, version, reason)


def _checked_reason(step: DocumentStep, reason: str, replaced_by: str) -> None:
    need = SPECS[step].reason
    if need == "required" and not reason:
        raise InvalidInput("say why", "reason")
    if forbidden_character(reason):
        raise InvalidInput(
            f"the text holds a control character {forbidden_character(reason)}", "reason"
        )
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"at most {MAX_REASON} characters", "reason")
    if step == DocumentStep.REPLACE and not (0 < len(replaced_by) <= 64):
        raise InvalidInput("name the issued document that replaces this one", "replaced_by")


@router.post("/documents/{document_id}/{step}")
async def perform(
    request: Request, document_id: str, step: DocumentStep, principal: StaffPrincipal
) -> Response:
    t = labels_of(request)
    async with request.form() as form:
        reason = text(form, "reason").replace("\r\n", "\n")
        replaced_by = text(form, "replaced_by")
        version = version_or_stale(form)
    try:
        _checked_reason(step, reason, replaced_by)
        doc = await _perform(request, principal, document_id, step, version, reason, replaced_by)
    except StaleVersion:
        return await stale_document(request, principal, document_id, version)
    except InvalidInput as exc:
        doc = await components(request).drafting.read(principal, document_id)
        return _confirm(
            request,
            principal,
            step,
            doc,
            version=version,
            error=t.get(f"error_{exc.field}", exc.detail) if exc.field == "reason" else exc.detail,
            reason=reason,
            replaced_by=replaced_by,
            status_code=400,
        )
    done = t[f"done_{step.value}"]
    return workspace_of(request).see_other(request, f"/documents/{doc['_id']}", done)
