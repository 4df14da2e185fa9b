"""One service's workspace: its sign-in routes, session, CSRF check, security headers, staff
directory and pages, mounted under one path (docs/architecture.md, "Staff workspace")."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from shared.auth.principal import Principal
from shared.http.problems import domain_problem
from shared.kit.errors import DomainError
from shared.settings import ServiceSettings
from shared.web.csrf import CsrfMiddleware
from shared.web.directory import DirectoryUnreadable, StaffDirectory
from shared.web.flash import Kind, flash
from shared.web.headers import SecurityHeadersMiddleware, content_security_policy
from shared.web.i18n import Labels, language
from shared.web.oidc import OidcSignIn, ProviderUnreachable, SignInFailed
from shared.web.render import NavItem, Renderer
from shared.web.session import (
    EMAIL,
    EXPIRED,
    SIGNED_IN_AT,
    SessionMiddleware,
    SessionPolicy,
    under,
)

log = structlog.get_logger(__name__)

KIT_STATIC = Path(__file__).parent / "static"
NEXT = "next"


class SignInRequired(Exception):
    """No one is signed in (or the session ended)."""


class NotAuthorised(Exception):
    """Signed in, but not in the staff directory."""

    def __init__(self, email: str) -> None:
        super().__init__(email)
        self.email = email


class WorkspaceUnconfigured(Exception):
    """Production settings still on the workspace's development defaults."""


class Workspace:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        prefix: str,
        title_key: str,
        templates: Path | None = None,
        labels: dict[str, dict[str, str]] | None = None,
        nav: Sequence[NavItem] = (),
        helpers: Callable[[Request], dict[str, Any]] | None = None,
    ) -> None:
        self.prefix = "/" + prefix.strip("/")
        self.settings = settings
        self._max_body_bytes = settings.max_body_bytes
        missing = settings.workspace_unconfigured()
        if missing:
            # The settings' own check refuses this at start-up; settings built without that
            # check must not open a workspace on the published development secrets either.
            raise WorkspaceUnconfigured("production needs " + ", ".join(missing))
        self.directory = StaffDirectory(Path(settings.staff_directory_file))
        self.oidc = OidcSignIn(settings)
        self.renderer = Renderer(self.prefix, templates, Labels(labels), title_key, nav, helpers)
        self.policy = SessionPolicy(
            cookie_name=f"egov_{settings.service_name}_session",
            path=self.prefix,
            secret=settings.session_secret.get_secret_value(),
            idle_s=settings.session_idle_s,
            max_s=settings.session_max_s,
            always_secure=settings.environment == "production",
        )

    # -- who is signed in -----------------------------------------------------------------

    def principal_of(self, request: Request) -> Principal:
        email = request.scope.get("session", {}).get(EMAIL)
        if not isinstance(email, str) or not email:
            raise SignInRequired
        member = self.directory.find(email)
        if member is None:
            raise NotAuthorised(email)
        return member.principal()

    def page(self, request: Request, template: str, **context: Any) -> Response:
        return self.renderer.page(request, template, **context)

    def t(self, request: Request) -> dict[str, str]:
        return self.renderer.labels.of(language(request))

    def error_page(
        self,
        request: Request,
        status: int,
        heading: str,
        lines: Sequence[str],
        principal: Principal | None = None,
        *,
        title: str | None = None,
    ) -> Response:
        """The kit's error page: a heading, the lines that say why, and the way home; with
        ``principal``, the signed-in header (navigation, sign-out) too."""
        return self.page(
            request,
            "error.html",
            principal=principal,
            status_code=status,
            title=title,
            heading=heading,
            lines=list(lines),
        )

    def see_other(
        self, request: Request, path: str, message: str | None = None, kind: Kind = "success"
    ) -> Response:
        """The answer to a form that worked: a message for the next page, and that page."""
        if message is not None:
            flash(request, message, kind)
        return RedirectResponse(self.renderer.url(path), status_code=303)

    # -- mounting ---------------------------------------------------------------------------

    def install(self, app: FastAPI, pages: APIRouter, *, max_body_bytes: int | None = None) -> None:
        """Mounts the sign-in routes, the service's ``pages`` (whose paths start with the
        prefix), the shared CSS, and the middlewares that guard everything under the prefix.

        ``max_body_bytes``: the largest form a page takes (an upload and its fields); the CSRF
        check reads no more (default: the service's ordinary body limit)."""
        app.state.workspace = self
        app.include_router(self._auth_router(), include_in_schema=False)
        app.include_router(pages, include_in_schema=False)
        app.mount(f"{self.prefix}/static", StaticFiles(directory=KIT_STATIC), name="ws-static")
        # Added innermost first: headers wrap everything, the session wraps the CSRF check.
        self._max_body_bytes = max_body_bytes or self.settings.max_body_bytes
        app.add_middleware(
            CsrfMiddleware,
            prefix=self.prefix,
            refuse=self._csrf_refused,
            max_body_bytes=self._max_body_bytes,
            too_large=self._too_large,
        )
        app.add_middleware(SessionMiddleware, policy=self.policy)
        issuer_origin = str(self.settings.oidc_issuer).split("/", 3)
        form_targets = ["/".join(issuer_origin[:3])] if len(issuer_origin) >= 3 else []
        app.add_middleware(
            SecurityHeadersMiddleware,
            prefix=self.prefix,
            csp=content_security_policy(form_targets),
        )
        self._install_error_pages(app)

    def _auth_router(self) -> APIRouter:
        router = APIRouter(prefix=f"{self.prefix}/auth")

        @router.get("/signin")
        async def sign_in(request: Request, next: str | None = None) -> Response:
            session = request.scope["session"]
            session[NEXT] = self._safe_next(next)
            return await self.oidc.redirect(request, self._callback_url(request))

        @router.get("/callback")
        async def callback(request: Request) -> Response:
            identity = await self.oidc.identity(request)
            session = request.scope["session"]
            target = self._safe_next(session.get(NEXT))
            kept_language = session.get("lang")
            # A fresh session at sign-in: nothing from before (CSRF token included) survives.
            session.clear()
            session.update({EMAIL: identity.email, SIGNED_IN_AT: int(time.time())})
            if kept_language:
                session["lang"] = kept_language
            log.info("workspace.signed_in", email=identity.email)
            return RedirectResponse(target, status_code=303)

        @router.post("/signout")
        async def sign_out(request: Request) -> Response:
            request.scope["session"].clear()
            after = str(request.url_for("signed_out"))
            ended = await self.oidc.end_session_url(None, after)
            return RedirectResponse(ended or after, status_code=303)

        @router.get("/signed-out", name="signed_out")
        async def signed_out(request: Request) -> Response:
            return self.page(request, "signed_out.html")

        return router

    def _callback_url(self, request: Request) -> str:
        return str(request.url_for("callback"))

    def _safe_next(self, value: object) -> str:
        """Only a path of this workspace: never another site (an open redirect)."""
        home = self.prefix + "/"
        if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
            return home
        if "\\" in value or not under(value.split("?")[0], self.prefix):
            return home
        return value

    # -- error pages -------------------------------------------------------------------------

    async def _csrf_refused(self, request: Request) -> Response:
        t = self.t(request)
        return self.error_page(request, 403, t["forbidden"], [t["csrf_refused"]])

    async def _too_large(self, request: Request) -> Response:
        t = self.t(request)
        limit = f"{self._max_body_bytes / 1_048_576:.1f} MiB"
        return self.error_page(
            request, 413, t["too_large"], [t["too_large_detail"].format(limit=limit)]
        )

    def _install_error_pages(self, app: FastAPI) -> None:
        json_domain = app.exception_handlers.get(DomainError)
        json_invalid = app.exception_handlers.get(RequestValidationError)

        @app.exception_handler(SignInRequired)
        async def _sign_in(request: Request, _: SignInRequired) -> Response:
            expired = bool(request.scope.get(EXPIRED))
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return self.page(
                request,
                "sign_in.html",
                status_code=401,
                expired=expired,
                sign_in_url=self.renderer.url("/auth/signin", next=self._safe_next(nxt)),
            )

        @app.exception_handler(NotAuthorised)
        async def _not_authorised(request: Request, exc: NotAuthorised) -> Response:
            t = self.t(request)
            return self.page(
                request,
                "not_authorised.html",
                status_code=403,
                text=t["not_authorised_text"].format(email=exc.email),
            )

        @app.exception_handler(DirectoryUnreadable)
        async def _directory(request: Request, exc: DirectoryUnreadable) -> Response:
            log.error("workspace.directory_unreadable", error=str(exc))
            t = self.t(request)
            return self.error_page(request, 503, t["error"], [t["directory_down"]])

        @app.exception_handler(ProviderUnreachable)
        async def _provider(request: Request, exc: ProviderUnreachable) -> Response:
            log.warning("workspace.provider_unreachable", error=str(exc))
            t = self.t(request)
            return self.error_page(request, 503, t["error"], [t["provider_down"]])

        @app.exception_handler(SignInFailed)
        async def _failed(request: Request, exc: SignInFailed) -> Response:
            log.info("workspace.sign_in_refused", reason=str(exc))
            t = self.t(request)
            flash(request, t["sign_in_failed_text"], "error")
            return self.page(
                request,
                "sign_in.html",
                status_code=400,
                expired=False,
                sign_in_url=self.renderer.url("/auth/signin"),
            )

        @app.exception_handler(RequestValidationError)
        async def _invalid(request: Request, exc: RequestValidationError) -> Response:
            # A page's address with a bad value (``?year=abc``, an unknown step) is a reader's
            # typo or an old link: an HTML page saying which value, never FastAPI's JSON.
            if not under(request.url.path, self.prefix):
                if json_invalid is None:  # pragma: no cover - FastAPI always installs one
                    raise exc
                result = json_invalid(request, exc)
                return await result if inspect.isawaitable(result) else result
            t = self.t(request)
            names = sorted({_value_name(err.get("loc", ())) for err in exc.errors()})
            try:  # signed in: the page keeps its header (navigation, sign-out)
                principal: Principal | None = self.principal_of(request)
            except (SignInRequired, NotAuthorised, DirectoryUnreadable):
                principal = None
            detail = t["invalid_address_detail"].format(names=", ".join(names))
            return self.error_page(request, 422, t["invalid_address"], [detail], principal)

        @app.exception_handler(DomainError)
        async def _domain(request: Request, exc: DomainError) -> Response:
            if not under(request.url.path, self.prefix):
                if json_domain is None:  # pragma: no cover - the service app installs one
                    raise exc
                result = json_domain(request, exc)
                return await result if inspect.isawaitable(result) else result
            problem = domain_problem(exc)
            t = self.t(request)
            heading = t["not_found"] if problem.status == 404 else t["error"]
            return self.error_page(request, problem.status, heading, [problem.detail])


def _value_name(location: Sequence[object]) -> str:
    """The name a reader sees in the address (``year``), not FastAPI's ``query.year``."""
    parts = [str(p) for p in location if p not in ("query", "path", "body", "header", "cookie")]
    return ".".join(parts) or "?"


def workspace_of(request: Request) -> Workspace:
    """The workspace the app mounted (one per service)."""
    workspace: Workspace = request.app.state.workspace
    return workspace


def labels_of(request: Request) -> dict[str, str]:
    """The page's labels, in the reader's language."""
    return workspace_of(request).t(request)


def current_staff(request: Request) -> Principal:
    return workspace_of(request).principal_of(request)


StaffPrincipal = Annotated[Principal, Depends(current_staff)]
"""The signed-in staff member as the same Principal the APIs use."""
