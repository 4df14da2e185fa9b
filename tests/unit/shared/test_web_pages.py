"""What the kit gives every workspace's pages: one error page, the answer to a form that
worked, the service's template helpers on every page, the form macros, codes in words and
local times."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from shared.http.problems import install_problem_handlers
from shared.kit.errors import Forbidden
from shared.settings import ServiceSettings
from shared.web.i18n import ValueLabels
from shared.web.install import Refusal, install_workspace
from shared.web.times import local_text
from shared.web.workspace import StaffPrincipal, labels_of, workspace_of

STAFF = {"clerk@egov.local": {"user": "clerk", "name": "Lê Thu", "roles": ["clerk"]}}


class NotHere(Forbidden):
    def __init__(self) -> None:
        super().__init__("not here")


def make_app(tmp_path: Path) -> FastAPI:
    directory = tmp_path / "staff.json"
    directory.write_text(json.dumps(STAFF), encoding="utf-8")
    settings = ServiceSettings(service_name="unit", staff_directory_file=str(directory))
    app = FastAPI()
    install_problem_handlers(app)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(
        '{% extends "base.html" %}{% import "_macros.html" as ui with context %}'
        "{% block content %}<h1>{{ shout(t.greeting) }}</h1>"
        "{{ ui.post_button(url('/act'), t.greeting, {'version': 7}) }}{% endblock %}",
        encoding="utf-8",
    )
    pages = APIRouter(prefix="/ws")

    @pages.get("/login-as")
    async def login_as(request: Request) -> Response:  # stands in for the OIDC callback
        request.scope["session"].update({"email": "clerk@egov.local", "signed_in_at": time.time()})
        return HTMLResponse("ok")

    @pages.get("/")
    async def home(request: Request, principal: StaffPrincipal) -> Response:
        return workspace_of(request).page(request, "page.html", principal=principal)

    @pages.post("/act")
    async def act(request: Request, principal: StaffPrincipal) -> Response:
        return workspace_of(request).see_other(request, "/", labels_of(request)["done"])

    @pages.get("/refused")
    async def refused(request: Request, principal: StaffPrincipal) -> Response:
        raise NotHere()

    install_workspace(
        app,
        settings,
        prefix="/ws",
        templates=templates,
        labels={"vi": {"greeting": "Xin chào", "done": "Đã xong", "not_here": "Không ở đây"}},
        nav=(),
        pages=pages,
        refusals=[Refusal(NotHere, "not_here", signed_in=True)],
        helpers=lambda request: {"shout": lambda text: f"{text}!"},
    )
    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_a_page_gets_the_services_helpers_and_the_kits_form_macros(tmp_path: Path) -> None:
    async with client(make_app(tmp_path)) as http:
        await http.get("/ws/login-as")
        page = await http.get("/ws/")
        assert page.status_code == 200
        assert "<h1>Xin chào!</h1>" in page.text
        assert '<form method="post" action="/ws/act">' in page.text
        assert '<input type="hidden" name="version" value="7">' in page.text
        # The sign-out form of the header and the page's form both carry the session's token.
        assert page.text.count('name="csrf_token" value="') == 2


async def test_a_form_that_worked_answers_with_the_next_page_and_its_message(
    tmp_path: Path,
) -> None:
    async with client(make_app(tmp_path)) as http:
        await http.get("/ws/login-as")
        page = await http.get("/ws/")
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        token = page.text[start : page.text.index('"', start)]
        done = await http.post("/ws/act", data={"csrf_token": token})
        assert done.status_code == 303 and done.headers["location"] == "/ws/"
        assert "Đã xong" in (await http.get("/ws/")).text


async def test_a_refusal_is_the_kits_error_page_and_keeps_the_signed_in_header(
    tmp_path: Path,
) -> None:
    async with client(make_app(tmp_path)) as http:
        await http.get("/ws/login-as")
        page = await http.get("/ws/refused")
        assert page.status_code == 403
        assert "<h1>Không được phép</h1>" in page.text and "Không ở đây" in page.text
        assert 'action="/ws/auth/signout"' in page.text and "Lê Thu" in page.text
        refused_form = await http.post("/ws/act")  # no CSRF token: the same error page
        assert refused_form.status_code == 403
        assert "<h1>Không được phép</h1>" in refused_form.text
        assert 'action="/ws/auth/signout"' not in refused_form.text


def test_codes_are_words_and_every_workspace_names_the_document_types_alike() -> None:
    words = ValueLabels({"vi": {"open": "Đang mở"}, "en": {"open": "Open"}})
    assert words("vi", "open") == "Đang mở" and words("en", "open") == "Open"
    assert words("fr", "open") == "Đang mở"  # an unknown language reads Vietnamese
    assert words("vi", "cong_van") == "Công văn" and words("en", "cong_van") == "Official letter"
    assert words("en", "<b>unknown</b>") == "<b>unknown</b>" and words("en", None) == ""


def test_times_are_shown_in_vietnams_time() -> None:
    at = dt.datetime(2024, 12, 31, 17, 30, 5, tzinfo=dt.UTC)
    assert local_text(at) == "01/01/2025 00:30"
    assert local_text(at, seconds=True) == "01/01/2025 00:30:05"
    assert local_text(at.replace(tzinfo=None)) == "01/01/2025 00:30"  # naive: stored UTC
    assert local_text("2024-12-31T17:30:05+00:00") == "01/01/2025 00:30"
    assert (
        local_text("2024-05-02") == "02/05/2024" and local_text(dt.date(2024, 5, 2)) == "02/05/2024"
    )
    assert local_text("not a time") == "not a time" and local_text(None) == ""
