"""The workspace kit on its own: CSRF refusal, session expiry, security headers, escaping,
the staff directory and safe redirects after sign-in."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from shared.auth.principal import Principal, Role
from shared.contracts.vocabulary import Confidentiality
from shared.http.problems import install_problem_handlers
from shared.settings import ServiceSettings
from shared.web.directory import DirectoryUnreadable, StaffDirectory
from shared.web.session import SessionCodec, SessionPolicy
from shared.web.workspace import StaffPrincipal, Workspace

STAFF = {
    "drafter@egov.local": {
        "user": "demo-drafter",
        "name": "Trần <b>Minh</b>",
        "roles": ["drafter", "service_lgsp", "wizard"],
        "unit": "CNTT",
        "clearance": "mat",
    }
}


def make_app(tmp_path: Path, **overrides: Any) -> tuple[FastAPI, Workspace]:
    directory = tmp_path / "staff.json"
    directory.write_text(json.dumps(STAFF), encoding="utf-8")
    settings = ServiceSettings(
        service_name="unit", staff_directory_file=str(directory), **overrides
    )
    app = FastAPI()
    install_problem_handlers(app)  # as every service's app has them

    @app.get("/api/v1/years")
    async def api_years(year: int) -> dict[str, int]:
        return {"year": year}

    pages = APIRouter(prefix="/workspace")

    @pages.get("/")
    async def home(request: Request, principal: StaffPrincipal) -> Response:
        return workspace.page(request, "error.html", principal=principal, heading="Hi", lines=[])

    @pages.post("/act")
    async def act(request: Request, principal: StaffPrincipal) -> Response:
        return HTMLResponse(f"done by {principal.user}")

    @pages.get("/echo")
    async def echo(request: Request, text: str) -> Response:
        return workspace.page(request, "error.html", heading=text, lines=[text])

    @pages.get("/years")
    async def years(
        request: Request, principal: StaffPrincipal, year: int, page: int = 1
    ) -> Response:
        return HTMLResponse(f"{year} {page}")

    @pages.get("/login-as")
    async def login_as(request: Request) -> Response:  # stands in for the OIDC callback
        request.scope["session"].update(
            {"email": "drafter@egov.local", "signed_in_at": time.time()}
        )
        return HTMLResponse("ok")

    workspace = Workspace(settings, prefix="/workspace", title_key="Egov", nav=())
    workspace.install(app, pages)
    return app, workspace


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def signed_in(http: httpx.AsyncClient) -> str:
    """Signs in and returns the CSRF token of the session's forms."""
    assert (await http.get("/workspace/login-as")).status_code == 200
    page = await http.get("/workspace/")
    assert page.status_code == 200
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


async def test_a_form_without_its_csrf_token_is_refused_before_the_handler(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with client(app) as http:
        token = await signed_in(http)
        refused = await http.post("/workspace/act", data={"x": "1"})
        assert refused.status_code == 403
        assert "done by" not in refused.text
        wrong = await http.post("/workspace/act", data={"csrf_token": token + "x"})
        assert wrong.status_code == 403
        accepted = await http.post("/workspace/act", data={"csrf_token": token})
        assert accepted.status_code == 200 and accepted.text == "done by demo-drafter"
        scripted = await http.post("/workspace/act", headers={"X-CSRF-Token": token})
        assert scripted.status_code == 200
        multipart = await http.post(
            "/workspace/act", data={"csrf_token": token}, files={"f": ("a.txt", b"x")}
        )
        assert multipart.status_code == 200


async def test_a_form_is_refused_before_its_body_is_read_without_a_session_or_over_the_limit(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path, max_body_bytes=10_000)
    sent: list[int] = []

    async def body() -> Any:  # counts what the server pulled of a large upload
        for _ in range(100):
            sent.append(1)
            yield b"x" * 1000

    async with client(app) as http:
        anonymous = await http.post("/workspace/act", content=body())
        assert anonymous.status_code == 403 and sent == []  # no session: nothing read
        token = await signed_in(http)
        declared = await http.post(
            "/workspace/act",
            content=b"csrf_token=" + token.encode() + b"&x=" + b"y" * 20_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert declared.status_code == 413
        streamed = await http.post(
            "/workspace/act",
            content=body(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413 and "done by" not in streamed.text
        assert len(sent) <= 12  # stopped at the limit, not at the end of the upload
        small = await http.post("/workspace/act", data={"csrf_token": token, "x": "y"})
        assert small.status_code == 200


async def test_every_page_has_a_strict_content_security_policy(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with client(app) as http:
        for response in (await http.get("/workspace/"), await http.post("/workspace/act")):
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
            assert "frame-ancestors 'none'" in csp
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["x-content-type-options"] == "nosniff"


async def test_what_a_page_renders_is_escaped(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with client(app) as http:
        hostile = '<script>alert(1)</script>"><img src=x>'
        page = await http.get("/workspace/echo", params={"text": hostile})
        assert hostile not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x&gt;" in page.text
        await signed_in(http)
        home = await http.get("/workspace/")
        assert "Trần &lt;b&gt;Minh&lt;/b&gt;" in home.text  # the directory's name, too


async def test_the_session_cookie_is_httponly_lax_and_scoped(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with client(app) as http:
        response = await http.get("/workspace/login-as")
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("egov_unit_session=")
        for part in ("HttpOnly", "SameSite=Lax", "Path=/workspace", "Max-Age=1800"):
            assert part in cookie
        assert "Secure" not in cookie  # plain http here
    secure = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t")
    async with secure:
        assert "Secure" in (await secure.get("/workspace/login-as")).headers["set-cookie"]


def test_a_session_ends_when_idle_and_after_its_absolute_lifetime() -> None:
    codec = SessionCodec(SessionPolicy("c", "/w", "secret", idle_s=60, max_s=3600))
    now = time.time()
    fresh = codec.dumps({"email": "a@b", "signed_in_at": now})
    assert codec.loads(fresh) == ({"email": "a@b", "signed_in_at": now}, False)
    old = codec.dumps({"email": "a@b", "signed_in_at": now - 4000})
    assert codec.loads(old) == ({}, True)  # active, but signed in too long ago
    idle = SessionCodec(SessionPolicy("c", "/w", "secret", idle_s=0, max_s=3600))
    time.sleep(1.1)
    assert idle.loads(fresh) == ({}, True)
    forged = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    assert codec.loads(forged) == ({}, False)
    other_key = SessionCodec(SessionPolicy("c", "/w", "another", idle_s=60, max_s=3600))
    assert other_key.loads(fresh) == ({}, False)


async def test_an_expired_session_asks_to_sign_in_again(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, session_max_s=1)
    async with client(app) as http:
        await signed_in(http)
        time.sleep(2.1)
        page = await http.get("/workspace/")
        assert page.status_code == 401
        assert "Phiên làm việc đã hết hạn" in page.text
        assert "/workspace/auth/signin?next=%2Fworkspace%2F" in page.text


async def test_language_is_vietnamese_first_and_english_is_kept_once_chosen(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with client(app) as http:
        assert '<html lang="vi">' in (await http.get("/workspace/")).text
        assert '<html lang="en">' in (await http.get("/workspace/?lang=en")).text
        assert '<html lang="en">' in (await http.get("/workspace/")).text


async def test_someone_signed_in_but_not_in_the_directory_is_told_to_ask_an_admin(
    tmp_path: Path,
) -> None:
    app, workspace = make_app(tmp_path)
    async with client(app) as http:
        await signed_in(http)
        workspace.directory.path.write_text("{}", encoding="utf-8")
        page = await http.get("/workspace/")
        assert page.status_code == 403
        assert "drafter@egov.local" in page.text and "quản trị viên" in page.text


def test_the_directory_gives_the_same_principal_as_a_token(tmp_path: Path) -> None:
    path = tmp_path / "staff.json"
    path.write_text(json.dumps(STAFF), encoding="utf-8")
    member = StaffDirectory(path).find(" Drafter@EGOV.local ")
    assert member is not None
    principal = member.principal()
    assert isinstance(principal, Principal)
    # Unknown roles and service accounts' roles are ignored.
    assert principal == Principal(
        user="demo-drafter",
        roles=frozenset({Role.DRAFTER}),
        clearance=Confidentiality.MAT,
        unit="CNTT",
    )
    path.write_text("[", encoding="utf-8")
    with pytest.raises(DirectoryUnreadable):
        StaffDirectory(path).find("drafter@egov.local")


def test_after_sign_in_only_a_workspace_path_is_followed(tmp_path: Path) -> None:
    _, workspace = make_app(tmp_path)
    assert workspace._safe_next("/workspace/documents/1?x=2") == "/workspace/documents/1?x=2"
    for hostile in (
        "https://evil.example/",
        "//evil.example/workspace",
        "/api/v1/x",
        "/\\evil",
        None,
    ):
        assert workspace._safe_next(hostile) == "/workspace/"


def test_the_demo_accounts_of_dex_are_all_in_the_demo_directory() -> None:
    root = Path(__file__).resolve().parents[3] / "deploy" / "local" / "dex"
    config = (root / "config.yaml").read_text(encoding="utf-8")
    emails = {line.split(":", 1)[1].strip() for line in config.splitlines() if "- email:" in line}
    directory = json.loads((root / "staff-directory.json").read_text(encoding="utf-8"))
    assert emails == set(directory)
    roles = {role for entry in directory.values() for role in entry["roles"]}
    staff_roles = {r.value for r in Role if not r.value.startswith("service_")}
    assert roles == staff_roles  # one demo account per role


async def test_a_bad_value_in_a_page_address_gets_a_page_and_the_api_keeps_problem_json(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path)
    async with client(app) as http:
        await signed_in(http)
        assert (await http.get("/workspace/years", params={"year": "2026"})).text == "2026 1"
        for query in ({"year": "abc"}, {"year": "2026", "page": "x"}, {}):
            page = await http.get("/workspace/years", params=query)
            assert page.status_code == 422, query
            assert page.headers["content-type"].startswith("text/html")
            assert "Địa chỉ trang không hợp lệ" in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
        named = await http.get("/workspace/years", params={"year": "2026", "page": "x"})
        assert "địa chỉ: page." in named.text and "query" not in named.text
        assert "Đăng xuất" in named.text  # still signed in: the header stays
        hostile = await http.get("/workspace/years", params={"year": "<script>x</script>"})
        assert "<script>x" not in hostile.text  # the value itself is never echoed unescaped
        english = await http.get("/workspace/years", params={"year": "abc", "lang": "en"})
        assert "This address is not valid" in english.text and "year" in english.text
        api = await http.get("/api/v1/years", params={"year": "abc"})
        assert api.status_code == 422
        assert api.headers["content-type"] == "application/problem+json"
        assert api.json()["errors"][0]["field"] == "query.year"


def test_a_session_survives_other_cookies_and_belongs_to_one_service_only() -> None:
    from shared.web.session import SessionMiddleware, _cookie

    header = b'a={"x": 1}; theme=dark mode; egov_documents_session=abc.def'
    assert _cookie({"headers": [(b"cookie", header)]}, "egov_documents_session") == "abc.def"
    policy = SessionPolicy("egov_documents_session", "/workspace", "s" * 40, 60, 600)
    other = SessionPolicy("egov_portal_session", "/editor", "s" * 40, 60, 600)
    cookie = SessionCodec(policy).dumps({"email": "a@b"})
    assert SessionCodec(policy).loads(cookie)[0] == {"email": "a@b"}
    assert SessionCodec(other).loads(cookie) == ({}, False)  # same secret, other service
    secure = SessionPolicy("egov_x_session", "/x", "s" * 40, 60, 600, always_secure=True)
    middleware = SessionMiddleware(lambda *_: None, secure)  # type: ignore[arg-type,return-value]
    assert "Secure" in middleware._cookie("v", {"scheme": "http"})
