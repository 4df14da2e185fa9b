"""Composition root of the portal service: wires settings, storage, Kafka and HTTP."""

from __future__ import annotations

import datetime as dt
import functools

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.portal.api import documents, feeds, html, news, news_html
from services.portal.api.conditional import ConditionalGetMiddleware
from services.portal.api.deps import document_filter
from services.portal.api.rendering import TEMPLATES
from services.portal.api.security import SecurityHeadersMiddleware, install_html_errors
from services.portal.components import PortalComponents, build
from services.portal.consumers import register_consumers
from services.portal.settings import Settings
from services.portal.web.install import EDITOR_FORM_OVERHEAD, install_editor
from shared.asyncapi import declare_publishers
from shared.http.body_limit import BodyRule, install_body_limit
from shared.http.docs import install_offline_docs
from shared.http.openapi import install_openapi
from shared.http.rate_limit import LocalWindowCounter, RateLimit, RateLimiter
from shared.observability.admin import serve_operator_documents_on_admin_only
from shared.runtime import Runtime, create_service_app

VERSION = "0.1.0"
STATIC = TEMPLATES.parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    register_consumers(runtime, settings)
    app = create_service_app(
        runtime,
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
        build=functools.partial(build, settings=settings),
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # The news editor (pages under /editor behind OpenID Connect sign-in). Installed before the
    # site's own headers and caching, so its pages get the workspace's headers (no-store) and
    # are never held by a shared cache.
    install_editor(app, settings)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        ConditionalGetMiddleware,
        stamp=lambda _: _stamp(runtime),
        cache_control=lambda _: (
            f"public, max-age=0, s-maxage={settings.shared_cache_s}, "
            f"stale-while-revalidate={settings.stale_while_revalidate_s}"
        ),
    )
    install_html_errors(app)
    install_body_limit(
        app,
        default_max_bytes=settings.max_body_bytes,
        # The editor's forms carry an image; they carry a session cookie, not a bearer token,
        # and the CSRF check and the session guard them (docs/architecture.md §16).
        rules=[BodyRule(r"/editor/.*", settings.news_image_max_bytes + EDITOR_FORM_OVERHEAD)],
        anonymous=[r"/editor/.*"],
    )
    # Per replica: an anonymous client is known only by its address (docs/architecture.md §6).
    app.state.search_limiter = RateLimiter(
        LocalWindowCounter(), RateLimit(settings.search_rate_per_min)
    )
    install_openapi(app, rate_limited=[document_filter])
    install_offline_docs(app)
    # Citizens' port: the API description and metrics are on the admin port only.
    serve_operator_documents_on_admin_only(app)
    return app


def _stamp(runtime: Runtime) -> dt.datetime | None:
    """The site's change stamp once the components exist (None while starting)."""
    try:
        components = runtime.components
    except RuntimeError:
        return None
    return components.model.changed_at if isinstance(components, PortalComponents) else None
