"""Jinja2 with autoescape always on, for HTML and XML alike."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.portal.api.i18n import LABELS, MONTHS_EN, PATHS, organisation, other_language

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the validity of a document is judged on its calendar
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _date(value: str | None, lang: str = "vi") -> str:
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    if lang == "vi":
        return day.strftime("%d/%m/%Y")
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xmlsafe(value: object) -> str:
    """Characters XML 1.0 forbids are dropped (escaping is autoescape's job)."""
    return _XML_INVALID.sub("", str(value))


def _size(value: int) -> str:
    size = float(value)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


FORMATS = {
    "application/pdf": "PDF",
    "application/msword": "DOC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/zip": "ZIP",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/plain": "TXT",
    "application/xml": "XML",
}


def _format(media_type: str, name: str = "") -> str:
    """A file's format as a reader knows it: ``PDF``, ``DOCX``, else its name's extension."""
    known = FORMATS.get(media_type.split(";")[0].strip().lower())
    if known:
        return known
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    return extension.upper()[:8] or media_type


def section_of(path: str, lang: str) -> str:
    """Which navigation entry the page belongs to (its link gets ``aria-current``)."""
    for name, prefix in sorted(PATHS[lang].items(), key=lambda kv: -len(kv[1])):
        if name != "home" and (path == prefix or path.startswith(prefix + "/")):
            return name
    return "home"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vndate"] = _date
    env.filters["filesize"] = _size
    env.filters["xmlsafe"] = _xmlsafe
    env.filters["fileformat"] = _format
    env.filters["orgname"] = organisation
    return env


class Renderer:
    def __init__(self, site_name: str, site_name_en: str) -> None:
        self.env = make_environment()
        self._sites = {"vi": site_name, "en": site_name_en}

    def page(
        self,
        request: Request,
        template: str,
        *,
        lang: str = "vi",
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        values: dict[str, Any] = {
            "lang": lang,
            "t": LABELS[lang],
            "paths": PATHS[lang],
            "site": self._sites[lang],
            "print_view": False,
            "path": request.url.path,
            "section": section_of(request.url.path, lang),
            "switch_url": other_language(request.url.path, request.url.query, lang),
            "today": dt.datetime.now(VIETNAM).date().isoformat(),
        }
        values.update(context)
        html = self.env.get_template(template).render(**values)
        return HTMLResponse(html, status_code=status_code)

    def xml(self, template: str, media_type: str, **context: Any) -> Response:
        body = self.env.get_template(template).render(**context)
        return Response(body, media_type=media_type)
