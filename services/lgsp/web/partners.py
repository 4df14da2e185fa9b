"""Console pages of the partner registry: the list, a new partner (its API key and webhook
secret shown once), a partner's page and every change to it.

Each handler calls the same ``PartnerService`` use case as ``api/admin_partners.py``, with the
request models of ``api/schemas.py`` checking the form; changes that cut a partner off or
invalidate its credentials first show a confirmation page that says what will happen.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from services.lgsp.api.schemas import (
    CertificateCreate,
    PartnerCreate,
    PartnerUpdate,
    SubscriptionCreate,
    certificate_view,
    partner_view,
    subscription_view,
)
from services.lgsp.domain.partners import CATALOGUE, PartnerState
from services.lgsp.web.access import ConsoleAdmin
from services.lgsp.web.common import (
    components,
    failure,
    form_of,
    render,
    see_other,
)
from services.lgsp.web.confirmations import PartnerAction, confirmation_of
from services.lgsp.web.forms import ConsoleInputInvalid, changed, listed, problems, text
from shared.auth.principal import Principal
from shared.contracts.vocabulary import DOCUMENT_TYPES, MessageFormat
from shared.http.pagination import decode_cursor, encode_cursor
from shared.kit.errors import DomainError
from shared.kit.types import Doc
from shared.web.workspace import labels_of

router = APIRouter()
PAGE_SIZE = 50
EVENT_TYPES = ("document.published", "document.revoked", "document.replaced")


# The list ---------------------------------------------------------------------------------
@router.get("/", name="console_home")
async def partners(
    request: Request, principal: ConsoleAdmin, cursor: str | None = None
) -> Response:
    after = _after(cursor)
    docs = await components(request).partners.page(after, PAGE_SIZE, None)
    more = len(docs) == PAGE_SIZE
    return render(
        request,
        "partners.html",
        principal,
        title=labels_of(request)["partners_title"],
        partners=[partner_view(d) for d in docs],
        next_cursor=encode_cursor({"i": docs[-1]["_id"]}) if more else None,
    )


def _after(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        value = decode_cursor(cursor[:500])
    except Exception as exc:  # any undecodable cursor is the client's mistake
        raise ConsoleInputInvalid("the page link is not valid", field="cursor") from exc
    after = (value or {}).get("i")
    if not isinstance(after, str):
        raise ConsoleInputInvalid("the page link is not valid", field="cursor")
    return after


# A new partner ------------------------------------------------------------------------------
@router.get("/partners/new")
async def new_partner(request: Request, principal: ConsoleAdmin) -> Response:
    return _partner_form(request, principal, {"format": MessageFormat.JSON.value}, [])


def _partner_form(
    request: Request,
    principal: Principal,
    values: dict[str, Any],
    errors: list[str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "partner_new.html",
        principal,
        title=labels_of(request)["new_partner_title"],
        status_code=status_code,
        values=values,
        errors=errors,
        formats=[f.value for f in MessageFormat],
        # One key per form shown: sending the same form twice creates the partner once, and
        # a corrected form (shown again after a refusal) is a new request.
        idempotency_key=secrets.token_urlsafe(18),
    )


@router.post("/partners")
async def create_partner(request: Request, principal: ConsoleAdmin) -> Response:
    form = await form_of(request)
    values = {
        "code": text(form, "code", 100),
        "name": text(form, "name", 1000),
        "webhook_url": text(form, "webhook_url", 4000),
        "format": text(form, "format", 20) or MessageFormat.JSON.value,
        "idempotency_key": text(form, "idempotency_key", 100),
    }
    try:
        body = PartnerCreate.model_validate(
            {k: v for k, v in values.items() if k != "idempotency_key" and v is not None}
        )
    except ValidationError as exc:
        return _partner_form(request, principal, values, problems(exc), 422)
    service = components(request).partners
    try:
        doc, created, secret = await service.create(
            body.model_dump(mode="json"), principal.user, values["idempotency_key"]
        )
    except DomainError as exc:
        status, detail = failure(exc)
        return _partner_form(request, principal, values, [detail], status)
    if not created:  # the same form sent again: the partner and its credentials exist
        return see_other(request, f"/partners/{doc['_id']}", "already_created")
    issued = await service.issue_key(doc["_id"], False, actor=principal.user)
    return _shown_once(
        request,
        principal,
        doc,
        heading=labels_of(request)["partner_created"],
        api_key=issued["api_key"],
        webhook_secret=secret,
    )


def _shown_once(
    request: Request,
    principal: Principal,
    partner: Doc,
    *,
    heading: str,
    api_key: str | None = None,
    webhook_secret: str | None = None,
    status_code: int = 201,
) -> Response:
    """The one page that shows a new API key or webhook secret; never stored, never again."""
    return render(
        request,
        "shown_once.html",
        principal,
        title=heading,
        status_code=status_code,
        heading=heading,
        partner=partner_view(partner),
        api_key=api_key,
        webhook_secret=webhook_secret,
    )


# A partner's page ---------------------------------------------------------------------------
@router.get("/partners/{partner_id}")
async def partner(request: Request, partner_id: str, principal: ConsoleAdmin) -> Response:
    return await partner_page(request, principal, partner_id)


async def partner_page(
    request: Request,
    principal: Principal,
    partner_id: str,
    *,
    status_code: int = 200,
    errors: list[str] | None = None,
    section: str | None = None,
) -> Response:
    """The partner with its keys, secrets, grants, subscriptions and certificates; a refused
    change is shown here with the status the API would answer."""
    service = components(request).partners
    doc = await service.get(partner_id)
    view = partner_view(doc)
    return render(
        request,
        "partner.html",
        principal,
        title=f"{doc['code']} – {doc['name']}",
        status_code=status_code,
        partner=view,
        keys=await service.list_keys(partner_id),
        certificates=[certificate_view(c) for c in await service.list_certificates(partner_id)],
        subscriptions=[subscription_view(s) for s in await service.list_subscriptions(partner_id)],
        catalogue=CATALOGUE,
        formats=[f.value for f in MessageFormat],
        states=[s.value for s in PartnerState],
        event_types=EVENT_TYPES,
        doc_types=list(DOCUMENT_TYPES),
        errors=errors or [],
        error_section=section,
        form_key=secrets.token_urlsafe(16),  # the key issue form, sent once
    )


async def _refused(
    request: Request,
    principal: Principal,
    partner_id: str,
    exc: DomainError | ValidationError,
    section: str,
) -> Response:
    if isinstance(exc, ValidationError):
        return await partner_page(
            request, principal, partner_id, status_code=422, errors=problems(exc), section=section
        )
    status, detail = failure(exc)
    return await partner_page(
        request, principal, partner_id, status_code=status, errors=[detail], section=section
    )


@router.post("/partners/{partner_id}/edit")
async def edit_partner(request: Request, partner_id: str, principal: ConsoleAdmin) -> Response:
    form = await form_of(request)
    service = components(request).partners
    try:
        current = await service.get(partner_id)
        version = _version(form)
        name = text(form, "name", 1000)
        if name is None:
            raise ConsoleInputInvalid(labels_of(request)["name_required"], field="name")
        submitted = {
            "name": name,
            # Empty: no webhook any more, the partner reads its pull inbox.
            "webhook_url": text(form, "webhook_url", 4000),
            "format": text(form, "format", 20) or current.get("format", MessageFormat.JSON.value),
        }
        fields = changed(current, submitted)
        if not fields:
            return see_other(request, f"/partners/{partner_id}", "nothing_changed")
        body = PartnerUpdate.model_validate(fields)
        _, secret = await service.update(
            partner_id,
            version,
            body.model_dump(mode="json", exclude_unset=True),
            actor=principal.user,
        )
    except (DomainError, ValidationError) as exc:
        return await _refused(request, principal, partner_id, exc, "edit")
    if secret is not None:  # it just got a webhook URL: its first signing secret
        return _shown_once(
            request,
            principal,
            await service.get(partner_id),
            heading=labels_of(request)["secret_created"],
            webhook_secret=secret,
            status_code=200,
        )
    return see_other(request, f"/partners/{partner_id}", "partner_saved")


def _version(form: Any) -> int:
    raw = text(form, "version", 20)
    if raw is None or not raw.isdigit():
        raise ConsoleInputInvalid("the form lacks the partner's version; reload the page")
    return int(raw)


@router.post("/partners/{partner_id}/keys")
async def issue_key(request: Request, partner_id: str, principal: ConsoleAdmin) -> Response:
    """A new key beside the others (rotating, which revokes them, is confirmed first)."""
    service = components(request).partners
    form = await form_of(request)
    try:
        if not await service.first_sending(
            principal.user, text(form, "form_key", 100), "issue_key", partner_id
        ):
            return see_other(request, f"/partners/{partner_id}", "already_shown")
        issued = await service.issue_key(partner_id, False, actor=principal.user)
    except DomainError as exc:
        return await _refused(request, principal, partner_id, exc, "keys")
    return _shown_once(
        request,
        principal,
        await service.get(partner_id),
        heading=labels_of(request)["key_created"],
        api_key=issued["api_key"],
    )


@router.post("/partners/{partner_id}/grants")
async def grant(request: Request, partner_id: str, principal: ConsoleAdmin) -> Response:
    form = await form_of(request)
    service_name = text(form, "service", 100) or ""
    try:
        await components(request).partners.set_grant(
            partner_id, service_name, True, actor=principal.user
        )
    except DomainError as exc:
        return await _refused(request, principal, partner_id, exc, "grants")
    return see_other(request, f"/partners/{partner_id}", "grant_added")


@router.post("/partners/{partner_id}/subscriptions")
async def subscribe(request: Request, partner_id: str, principal: ConsoleAdmin) -> Response:
    form = await form_of(request)
    try:
        body = SubscriptionCreate.model_validate(
            {
                "event_types": [v for v in form.getlist("event_types") if isinstance(v, str)],
                "doc_types": [v for v in form.getlist("doc_types") if isinstance(v, str)],
                "issuers": listed(text(form, "issuers", 20_000)),
                "fields": listed(text(form, "fields", 20_000)),
            }
        )
        await components(request).partners.add_subscription(
            partner_id, body.model_dump(mode="json"), actor=principal.user
        )
    except (DomainError, ValidationError) as exc:
        return await _refused(request, principal, partner_id, exc, "subscriptions")
    return see_other(request, f"/partners/{partner_id}", "subscription_added")


@router.post("/partners/{partner_id}/certificates")
async def add_certificate(request: Request, partner_id: str, principal: ConsoleAdmin) -> Response:
    form = await form_of(request)
    try:
        body = CertificateCreate.model_validate({"pem": text(form, "pem", 20_000) or ""})
        _, added = await components(request).partners.add_certificate(
            partner_id, body.pem, actor=principal.user
        )
    except (DomainError, ValidationError) as exc:
        return await _refused(request, principal, partner_id, exc, "certificates")
    done = "certificate_added" if added else "certificate_known"
    return see_other(request, f"/partners/{partner_id}", done)


# Confirmed changes -------------------------------------------------------------------------
SHOWN_ONCE = (PartnerAction.ROTATE_KEY, PartnerAction.ROTATE_SECRET)


@router.get("/partners/{partner_id}/confirm/{action}")
async def confirm(
    request: Request, partner_id: str, action: str, principal: ConsoleAdmin
) -> Response:
    """What the change will do, and a button to do it (nothing changes on this page)."""
    chosen = PartnerAction.named(action)
    doc = await components(request).partners.get(partner_id)
    t = labels_of(request)
    page = await confirmation_of(
        chosen,
        doc,
        dict(request.query_params),
        t,
        components(request).partners,
        components(request).settings.secret_overlap_s,
    )
    return render(
        request,
        "confirm.html",
        principal,
        title=page.heading,
        heading=page.heading,
        lines=page.lines,
        action=f"/partners/{partner_id}/do/{chosen.value}",
        # A new key or secret is shown once: the form that makes one is sent once.
        fields={**page.fields, "form_key": secrets.token_urlsafe(16)}
        if chosen in SHOWN_ONCE
        else page.fields,
        button=page.button,
        back=f"/partners/{partner_id}",
    )


@router.post("/partners/{partner_id}/do/{action}")
async def perform(
    request: Request, partner_id: str, action: str, principal: ConsoleAdmin
) -> Response:
    chosen = PartnerAction.named(action)
    form = await form_of(request)
    service = components(request).partners
    t = labels_of(request)
    actor = principal.user
    try:
        if chosen.new_state is not None:
            await service.update(
                partner_id, _version(form), {"state": chosen.new_state.value}, actor=actor
            )
            return see_other(request, f"/partners/{partner_id}", f"done_{chosen.value}")
        if chosen in SHOWN_ONCE and not await service.first_sending(
            actor, text(form, "form_key", 100), chosen.value, partner_id
        ):
            return see_other(request, f"/partners/{partner_id}", "already_shown")
        if chosen is PartnerAction.ROTATE_KEY:
            issued = await service.issue_key(partner_id, True, actor=actor)
            return _shown_once(
                request,
                principal,
                await service.get(partner_id),
                heading=t["key_rotated"].format(revoked=issued["revoked"]),
                api_key=issued["api_key"],
            )
        if chosen is PartnerAction.ROTATE_SECRET:
            rotated = await service.rotate_secret(partner_id, None, actor=actor)
            return _shown_once(
                request,
                principal,
                await service.get(partner_id),
                heading=t["secret_rotated"],
                webhook_secret=rotated["secret"],
            )
        if chosen is PartnerAction.REVOKE_KEY:
            await service.revoke_key(partner_id, text(form, "key_id", 100) or "", actor=actor)
        elif chosen is PartnerAction.REVOKE_GRANT:
            await service.set_grant(
                partner_id, text(form, "service", 100) or "", False, actor=actor
            )
        elif chosen is PartnerAction.DELETE_SUBSCRIPTION:
            await service.delete_subscription(
                partner_id, text(form, "subscription_id", 100) or "", actor=actor
            )
        elif chosen is PartnerAction.REMOVE_CERTIFICATE:
            await service.remove_certificate(
                partner_id, text(form, "fingerprint", 200) or "", actor=actor
            )
    except DomainError as exc:
        return await _refused(request, principal, partner_id, exc, chosen.section)
    return see_other(request, f"/partners/{partner_id}", f"done_{chosen.value}")
