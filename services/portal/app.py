"""Composition root of the portal service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.portal.api import documents, feeds, html, news, news_html
from services.portal.api.conditional import ConditionalGetMiddleware
from services.portal.api.deps import document_filter
from services.portal.api.rendering import TEMPLATES
from services.portal.api.security import install_html_errors, install_security_headers
from services.portal.components import PortalComponents, build
from services.portal.consumers import register_consumers
from services.portal.settings import Settings
from services.portal.web.install import EDITOR_FORM_OVERHEAD, install_editor
from shared.http.app import service_app
from shared.http.body_limit import BodyRule
from shared.http.rate_limit import LocalWindowCounter, RateLimit, RateLimiter
from shared.runtime import Runtime

VERSION = "0.1.0"
STATIC = TEMPLATES.parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    def install(app: FastAPI, runtime: Runtime) -> None:
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
        # The news editor (pages under /editor behind OpenID Connect sign-in). Installed before
        # the site's own headers and caching, so its pages get the workspace's headers
        # (no-store) and are never held by a shared cache.
        install_editor(app, settings)
        install_security_headers(app)
        app.add_middleware(
            ConditionalGetMiddleware,
            stamp=lambda _: _stamp(runtime),
            cache_control=lambda _: (
                f"public, max-age=0, s-maxage={settings.shared_cache_s}, "
                f"stale-while-revalidate={settings.stale_while_revalidate_s}"
            ),
        )
        install_html_errors(app)
        # Per replica: an anonymous client is known only by its address (docs/architecture.md §6).
        app.state.search_limiter = RateLimiter(
            LocalWindowCounter(), RateLimit(settings.search_rate_per_min)
        )

    return service_app(
        settings,
        title="egov portal",
        version=VERSION,
        routers=[
            documents.router,
            documents.search_router,
            news.router,
            feeds.router,
            html.router,
            news_html.router,
        ],
        build=build,
        register_consumers=register_consumers,
        install=install,
        # The editor's forms carry an image; they carry a session cookie, not a bearer token,
        # and the CSRF check and the session guard them (docs/architecture.md §16).
        body_rules=[BodyRule(r"/editor/.*", settings.news_image_max_bytes + EDITOR_FORM_OVERHEAD)],
        anonymous=[r"/editor/.*"],
        rate_limited=[document_filter],
        # Citizens' port: the API description and metrics are on the admin port only.
        docs_on_admin_port_only=True,
    )


def _stamp(runtime: Runtime) -> dt.datetime | None:
    """The site's change stamp once the components exist (None while starting)."""
    try:
        components = runtime.components
    except RuntimeError:
        return None
    return components.model.changed_at if isinstance(components, PortalComponents) else None
