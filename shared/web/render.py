"""Pages: one Jinja2 environment per workspace, autoescaping everything it renders, over the
service's templates first and the kit's shared ones (``base.html``, errors) after."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from shared.auth.principal import Principal
from shared.web.csrf import FIELD, csrf_token
from shared.web.flash import take_flashes
from shared.web.i18n import Labels, language

KIT_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class NavItem:
    label_key: str
    path: str  # under the workspace prefix, e.g. "/" or "/documents"
    roles: frozenset[str] = frozenset()  # shown only to these roles; empty: to everyone


class Renderer:
    def __init__(
        self,
        prefix: str,
        templates: Path | None,
        labels: Labels,
        title_key: str,
        nav: Sequence[NavItem] = (),
        helpers: Callable[[Request], dict[str, Any]] | None = None,
    ) -> None:
        folders = [templates] if templates else []
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader([*folders, KIT_TEMPLATES])]),
            autoescape=True,  # every template, whatever its name
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.prefix = prefix.rstrip("/")
        self.labels = labels
        self.title_key = title_key
        self.nav = list(nav)
        # The service's own template helpers, for every page (the kit's error pages too).
        self.helpers = helpers

    def url(self, path: str = "/", **query: Any) -> str:
        base = self.prefix + (path if path.startswith("/") else "/" + path)
        wanted = {k: v for k, v in query.items() if v is not None}
        return f"{base}?{urlencode(wanted)}" if wanted else base

    def page(
        self,
        request: Request,
        template: str,
        *,
        principal: Principal | None = None,
        status_code: int = 200,
        title: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        lang = language(request)
        session: dict[str, Any] = request.scope.setdefault("session", {})
        t = self.labels.of(lang)
        other = "en" if lang == "vi" else "vi"
        query = {k: v for k, v in request.query_params.items() if k != "lang"}
        html = self.env.get_template(template).render(
            lang=lang,
            t=t,
            url=self.url,
            prefix=self.prefix,
            static=lambda name: f"{self.prefix}/static/{name}",
            site_title=t.get(self.title_key, self.title_key),
            title=title,
            principal=principal,
            user_name=(principal.claims.get("name") or principal.user) if principal else None,
            nav=[
                (t.get(item.label_key, item.label_key), self.url(item.path))
                for item in self.nav
                if not item.roles or (principal is not None and principal.roles & item.roles)
            ],
            current_path=request.url.path,
            other_lang=other,
            other_lang_url=f"{request.url.path}?{urlencode({**query, 'lang': other})}",
            csrf_field=FIELD,
            csrf_token=csrf_token(session),
            flashes=take_flashes(request),
            **{**(self.helpers(request) if self.helpers else {}), **context},
        )
        return HTMLResponse(html, status_code=status_code)
