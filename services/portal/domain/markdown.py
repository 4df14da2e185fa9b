"""The safe subset of Markdown that news bodies are written in, and its one rendering.

The editor's preview and the public article page both call :func:`render`, so what an editor
previews is what readers get. Markdown is parsed by markdown-it-py (CommonMark, plus tables
and strikethrough) with raw HTML off, so ``<script>`` or ``<img onerror=…>`` typed into a body
is shown as text; links pass markdown-it's own URL check (no ``javascript:``, ``vbscript:``,
``file:``, ``data:``); and the HTML it makes is cleaned again by nh3 with an allow-list of
tags, attributes and URL schemes, so a rule missed upstream still cannot let script through.

Headings move down one level (``#`` becomes ``h2``): the article's title is the page's only
``h1``. An image must say what it shows (alt text) and come from the portal itself (a path
such as ``/tin-tuc/anh/<sha256>``): :func:`problems` names the images that break this, so a
use case can refuse the body; :func:`render` leaves such images out rather than show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "em", "strong", "s", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"
HEADING_SHIFT = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h5", "h5": "h6", "h6": "h6"}

ProblemKind = Literal["image_without_alt", "image_not_local"]


@dataclass(frozen=True)
class MarkdownProblem:
    kind: ProblemKind
    source: str  # the image's address as written, so the editor finds it

    def explain(self) -> str:
        if self.kind == "image_without_alt":
            return f"the image {self.source!r} has no alt text: say what it shows, ![like this](…)"
        return f"the image {self.source!r} is not on the portal: upload it, then use its address"


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


_MD = _parser()


def _alt_text(image: Token) -> str:
    """The words of an image's description, as markdown-it puts them in ``alt``."""
    words = (c.content for c in image.children or [] if c.type in ("text", "code_inline"))
    return "".join(words).strip()


def _is_local(src: str) -> bool:
    """A path on this site, never another host (``//host`` or ``\\\\host`` are hosts)."""
    return src.startswith("/") and not src.startswith(("//", "/\\"))


def _image_problem(image: Token) -> MarkdownProblem | None:
    src = str(image.attrs.get("src", ""))
    if not _alt_text(image):
        return MarkdownProblem("image_without_alt", src)
    if not _is_local(src):
        return MarkdownProblem("image_not_local", src)
    return None


def _images(tokens: list[Token]) -> list[Token]:
    return [c for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "image"]


def problems(markdown: str) -> list[MarkdownProblem]:
    """What keeps ``markdown`` from being stored as a news body (nothing: it may be)."""
    found = (_image_problem(image) for image in _images(_MD.parse(markdown)))
    return [problem for problem in found if problem is not None]


def render(markdown: str) -> str:
    """Sanitised HTML of a news body: safe to insert into a page as it is."""
    tokens = _MD.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = HEADING_SHIFT.get(token.tag, token.tag)
        if token.type == "inline" and token.children:
            token.children = [c for c in token.children if not _refused_image(c)]
    html = _MD.renderer.render(tokens, _MD.options, {})
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _refused_image(token: Token) -> bool:
    return token.type == "image" and _image_problem(token) is not None
