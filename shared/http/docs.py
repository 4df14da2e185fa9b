"""The interactive API documentation (Swagger UI) served from the service's own files.

FastAPI's default ``/docs`` loads Swagger UI from a CDN: it renders nothing offline, and the
portal's Content-Security-Policy (scripts from the service only) blocks it. Here the assets come
from the ``swagger-ui-py`` package (Swagger UI 5, Apache-2.0) under ``/docs/assets``, and the
page starts it with a script file of its own rather than an inline one.
"""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
OWN_ASSETS = Path(__file__).parent / "static"


def swagger_ui_assets() -> Path:
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is missing: pip install -e .")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def docs_page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} – API</title>
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{html.escape(openapi_url)}"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/swagger-ui-standalone-preset.js"></script>
<script src="{ASSETS_PATH}/own/docs-init.js"></script>
</body>
</html>
"""


def install_offline_docs(app: FastAPI, openapi_url: str = "/openapi.json") -> None:
    """Replace FastAPI's CDN-based ``/docs`` and ``/redoc`` with a self-hosted Swagger UI.

    ``openapi_url`` is where the browser fetches the document; it need not be served by this
    same application (the page only names it).
    """
    cdn_pages = {DOCS_PATH, "/redoc", "/docs/oauth2-redirect"}
    app.router.routes[:] = [
        r for r in app.router.routes if getattr(r, "path", None) not in cdn_pages
    ]
    app.docs_url = None
    app.redoc_url = None
    page = docs_page(app.title, openapi_url)

    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    app.add_api_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)
    app.mount(f"{ASSETS_PATH}/own", StaticFiles(directory=OWN_ASSETS), name="docs-own-assets")
    app.mount(ASSETS_PATH, StaticFiles(directory=swagger_ui_assets()), name="docs-assets")
