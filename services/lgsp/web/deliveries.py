"""Console pages of deliveries: the list (newest first, filtered by partner, state and
document), one delivery with its attempts and a retry, and replays of a time window with
their progress. The same use cases as ``api/admin_deliveries.py``, in the same bounded reads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.lgsp.api.paging import list_cursor, list_position
from services.lgsp.api.schemas import delivery_view, replay_view
from services.lgsp.domain.deliveries import DeliveryFilter, JobState, ListOrder
from services.lgsp.web.access import ConsoleAdmin
from services.lgsp.web.common import (
    components,
    failure,
    form_of,
    registry,
    render,
    see_other,
)
from services.lgsp.web.forms import ConsoleInputInvalid, choice, local_time, shown, text
from shared.auth.principal import Principal
from shared.http.problems import ProblemError
from shared.kit.errors import DomainError
from shared.web.workspace import labels_of

router = APIRouter()
PAGE_SIZE = 50
REPLAY_REFRESH_S = 3  # the progress page reloads itself while the replay runs


@router.get("/deliveries")
async def deliveries(request: Request, principal: ConsoleAdmin) -> Response:
    query = request.query_params
    filters = DeliveryFilter(
        partner_id=text(query, "partner_id", 100),
        state=choice(JobState, text(query, "state", 20), "state", "delivery state"),
        document_id=text(query, "document_id", 64),
    )
    try:
        position = list_position(text(query, "cursor"), filters.open_only())
    except ProblemError as exc:
        raise ConsoleInputInvalid(exc.detail, field="cursor") from exc
    listing = components(request).delivery_list
    docs, after = await listing.page(filters, ListOrder.NEWEST, position, PAGE_SIZE)
    partners = await registry(components(request))
    return render(
        request,
        "deliveries.html",
        principal,
        title=labels_of(request)["deliveries_title"],
        items=[delivery_view(d) for d in docs],
        next_cursor=list_cursor(after),
        filters=filters.fields(),
        states=[s.value for s in JobState],
        partners=sorted(partners, key=lambda p: str(p["code"])),
        names={p["_id"]: p["name"] for p in partners},
        paged=position is not None,
    )


@router.get("/deliveries/{delivery_id}")
async def delivery(request: Request, delivery_id: str, principal: ConsoleAdmin) -> Response:
    return await _delivery_page(request, principal, delivery_id)


async def _delivery_page(
    request: Request,
    principal: Principal,
    delivery_id: str,
    *,
    status_code: int = 200,
    errors: list[str] | None = None,
) -> Response:
    job = delivery_view(await components(request).deliveries.get(delivery_id))
    return render(
        request,
        "delivery.html",
        principal,
        title=f"{labels_of(request)['delivery_title']} {job['document_id']}",
        status_code=status_code,
        job=job,
        errors=errors or [],
    )


@router.post("/deliveries/{delivery_id}/retry")
async def retry(request: Request, delivery_id: str, principal: ConsoleAdmin) -> Response:
    try:
        await components(request).intake.retry(delivery_id)
    except DomainError as exc:
        status, detail = failure(exc)
        return await _delivery_page(
            request, principal, delivery_id, status_code=status, errors=[detail]
        )
    return see_other(request, f"/deliveries/{delivery_id}", "retry_queued")


# Replays ------------------------------------------------------------------------------------
@router.get("/replays/new")
async def new_replay(request: Request, principal: ConsoleAdmin) -> Response:
    return await _replay_form(request, principal, {}, [])


async def _replay_form(
    request: Request,
    principal: Principal,
    values: dict[str, str | None],
    errors: list[str],
    status_code: int = 200,
) -> Response:
    hours = components(request).settings.replay_max_window_s / 3600
    return render(
        request,
        "replay_new.html",
        principal,
        title=labels_of(request)["replay_title"],
        status_code=status_code,
        values=values,
        errors=errors,
        max_hours=f"{hours:g}",
        partners=sorted(await registry(components(request)), key=lambda p: str(p["code"])),
    )


@router.post("/replays")
async def replay(request: Request, principal: ConsoleAdmin) -> Response:
    """First the confirmation (what will be sent again, to whom); then, confirmed, the job."""
    form = await form_of(request)
    values = {
        "from": text(form, "from", 40),
        "to": text(form, "to", 40),
        "partner_id": text(form, "partner_id", 100),
    }
    t = labels_of(request)
    service = components(request)
    try:
        start, end = local_time(values["from"], "from"), local_time(values["to"], "to")
        if start is None or end is None:
            raise ConsoleInputInvalid(t["replay_window_needed"], field="from")
        partner = await service.partners.get(values["partner_id"]) if values["partner_id"] else None
        if text(form, "confirmed", 10) != "yes":
            who = f"{partner['name']} ({partner['code']})" if partner else t["all_partners"]
            line = t["confirm_replay"].format(start=shown(start), end=shown(end), who=who)
            return render(
                request,
                "confirm.html",
                principal,
                title=t["confirm_replay_title"],
                heading=t["confirm_replay_title"],
                lines=[line, t["confirm_replay_note"]],
                action="/replays",
                fields={**{k: v for k, v in values.items() if v}, "confirmed": "yes"},
                button=t["confirm_replay_button"],
                back="/replays/new",
            )
        job = await service.replays.request(start, end, values["partner_id"], principal.user)
    except DomainError as exc:
        status, detail = failure(exc)
        return await _replay_form(request, principal, values, [detail], status)
    return see_other(request, f"/replays/{job['_id']}", "replay_started")


@router.get("/replays/{replay_id}")
async def replay_progress(request: Request, replay_id: str, principal: ConsoleAdmin) -> Response:
    job = replay_view(await components(request).replays.get(replay_id[:64]))
    running = job["state"] == "running"
    return render(
        request,
        "replay.html",
        principal,
        title=labels_of(request)["replay_progress_title"],
        job=job,
        percent=round(job["progress"] * 100),
        # Without JavaScript the browser reloads the page while the replay runs.
        headers={"Refresh": str(REPLAY_REFRESH_S)} if running else None,
    )
