"""The HTTP application of a service: the parts every service assembles alike.

A service's ``app.py`` names only what is its own (its routers, components, consumers, body
rules, secured dependencies and pages); this function adds, in one order for all three, the
shared lifecycle and health (``shared.runtime``), the events it publishes in the AsyncAPI
document, the body limit, the completed OpenAPI document and the offline API docs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI

from shared.asyncapi import declare_publishers
from shared.http.body_limit import BodyRule, install_body_limit
from shared.http.docs import install_offline_docs
from shared.http.openapi import STAFF_SECURITY, SecurityRule, install_openapi
from shared.observability.admin import serve_operator_documents_on_admin_only
from shared.runtime import Runtime, ServiceComponents, create_service_app
from shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def _nothing_more(app: FastAPI, runtime: Runtime) -> None:
    return None


def service_app(
    settings: S,
    *,
    title: str,
    version: str,
    routers: Sequence[APIRouter],
    build: Callable[[Runtime, S], Awaitable[ServiceComponents]],
    register_consumers: Callable[[Runtime, S], None],
    install: Callable[[FastAPI, Runtime], None] = _nothing_more,
    body_rules: Sequence[BodyRule] = (),
    anonymous: Sequence[str] = (),
    security: Iterable[SecurityRule] = STAFF_SECURITY,
    rate_limited: Iterable[Callable[..., Any]] = (),
    docs_on_admin_port_only: bool = False,
) -> FastAPI:
    """The service's app.

    ``install`` adds what is the service's own (pages, middlewares, limiters, mounts) right
    after the shared lifecycle. ``body_rules`` and ``anonymous`` go to the body limit (the
    ``max_body_bytes`` of the settings elsewhere); ``security`` and ``rate_limited`` to the
    OpenAPI document. ``docs_on_admin_port_only`` keeps the API description off a public port.
    """
    runtime = Runtime(settings)
    declare_publishers(runtime.broker, settings.service_name, settings.topic_suffix)
    register_consumers(runtime, settings)

    async def build_components(built_for: Runtime) -> ServiceComponents:
        return await build(built_for, settings)

    app = create_service_app(
        runtime, title=title, version=version, routers=routers, build=build_components
    )
    install(app, runtime)
    install_body_limit(
        app, default_max_bytes=settings.max_body_bytes, rules=body_rules, anonymous=anonymous
    )
    install_openapi(app, security=security, rate_limited=rate_limited)
    install_offline_docs(app)
    if docs_on_admin_port_only:
        serve_operator_documents_on_admin_only(app)
    return app
