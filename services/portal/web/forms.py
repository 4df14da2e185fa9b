"""The article form: read from the posted multipart body, checked by the API's own models
(``NewsCreate`` / ``NewsUpdate``), with messages an editor understands."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from services.portal.api.schemas import NewsCreate, NewsUpdate
from shared.kit.types import Doc

MAX_FIELDS = 20


@dataclass
class ArticleForm:
    title: str = ""
    summary: str = ""
    body: str = ""
    language: str = "vi"
    image_alt: str = ""
    remove_image: bool = False
    then: str = ""  # "preview": show the preview once saved
    version: int | None = None
    form_key: str = ""  # one per new-article form shown: sent twice, it makes one article
    upload: bytes | None = None  # a new image file, if one was chosen
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, article: Doc) -> ArticleForm:
        image = article.get("image") or {}
        return cls(
            title=str(article["title"]),
            summary=str(article["summary"]),
            body=str(article["body"]),
            language=str(article["language"]),
            image_alt=str(image.get("alt") or ""),
            version=int(article["version"]),
        )


def _text(value: object) -> str:
    # Browsers send line breaks as CRLF; the stored Markdown keeps LF only.
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


async def read_form(request: Request, max_image_bytes: int) -> ArticleForm:
    """The posted fields; an image is read up to one byte past the limit (then refused)."""
    async with request.form(max_files=1, max_fields=MAX_FIELDS) as posted:
        version = _text(posted.get("version"))
        upload = posted.get("image")
        data = None
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(max_image_bytes + 1)
        return ArticleForm(
            title=_text(posted.get("title")).strip(),
            summary=_text(posted.get("summary")).strip(),
            body=_text(posted.get("body")),
            language=_text(posted.get("language")) or "vi",
            image_alt=_text(posted.get("image_alt")).strip(),
            remove_image=bool(posted.get("remove_image")),
            then=_text(posted.get("then")),
            version=int(version) if version.isdigit() and len(version) < 10 else None,
            form_key=_text(posted.get("form_key"))[:100],
            upload=data or None,
        )


def read_version(value: object) -> int | None:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isdigit() and len(text) < 10 else None


def checked(form: ArticleForm, t: dict[str, str], *, creating: bool) -> Doc | None:
    """The article's fields as the API would accept them, or None with ``form.errors`` set."""
    values: Doc = {"title": form.title, "summary": form.summary, "body": form.body}
    if creating:
        values["language"] = form.language
    elif form.version is None:
        form.errors.append(t["field_version"])
    try:
        model = NewsCreate if creating else NewsUpdate
        accepted = model.model_validate(values).model_dump(mode="json")
    except ValidationError as exc:
        found = {str(err["loc"][0]) if err["loc"] else "" for err in exc.errors()}
        if not any(name in found for name in ("title", "summary", "body", "language")):
            # A model-wide refusal (a control character): name the field it points at.
            text = str(exc)
            found = {name for name in ("title", "summary", "body") if name in text} or {"body"}
        form.errors.extend(
            t[f"field_{name}"] for name in ("title", "summary", "body", "language") if name in found
        )
        return None
    return None if form.errors else accepted
