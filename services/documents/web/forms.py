"""Draft forms ⇄ the API's request models: the page validates with ``DocumentCreate`` /
``DocumentUpdate`` exactly as ``POST /api/v1/documents`` does, so a form refuses what the API
refuses, with the reason next to the field."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from services.documents.api.schemas import DocumentCreate, DocumentUpdate
from shared.kit.types import Doc

# Codes typed by hand (an agency not in the list): separated by spaces, commas or lines.
CODE_SEPARATORS = re.compile(r"[\s,;]+")
TEXT_FIELDS = ("doc_type", "subject", "urgency", "confidentiality", "access", "field")
SIGNER_FIELDS = ("name", "position", "competence")
MAX_TYPED_CODES = 200
M = TypeVar("M", bound=BaseModel)


class FormErrors(Exception):
    """The form's fields that were refused: field name -> reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    """Every value of a repeated field (checkboxes), once each, in order."""
    values = [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
    return list(dict.fromkeys(values))


def version_of(form: FormData) -> int:
    """The version the form was opened on (as the API's If-Match)."""
    try:
        version = int(text(form, "version"))
    except ValueError:
        raise FormErrors({"version": "the form does not say which version it edits"}) from None
    if version < 1:
        raise FormErrors({"version": "the form does not say which version it edits"})
    return version


def version_or_stale(form: FormData) -> int:
    """The form's version, or 0 when it names none: never a document's version, so the use
    case answers "stale" after its checks and the page offers to reload."""
    try:
        return version_of(form)
    except FormErrors:
        return 0


def draft_values(form: FormData) -> Doc:
    """The form's values as the API's JSON fields (what the form shows again on an error)."""
    values: Doc = {name: text(form, name) for name in TEXT_FIELDS}
    values["drafting_unit"] = text(form, "drafting_unit")
    values["effective_date"] = text(form, "effective_date") or None
    values["field"] = values["field"] or None
    body = form.get("body")
    # Browsers send line ends as CRLF; the API stores what a JSON client sends.
    values["body"] = body.replace("\r\n", "\n") if isinstance(body, str) else ""
    values["recipients_internal"] = texts(form, "recipients_internal")
    typed = [c for c in CODE_SEPARATORS.split(text(form, "recipients_other")) if c]
    values["recipients_external"] = list(
        dict.fromkeys([*texts(form, "recipients_external"), *typed[:MAX_TYPED_CODES]])
    )
    signer = {part: text(form, f"signer_{part}") for part in SIGNER_FIELDS}
    values["signer"] = (
        {**signer, "competence": signer["competence"] or None} if any(signer.values()) else None
    )
    return values


def _errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        name = location[0] if location else "form"
        if name == "signer" and len(location) > 1:
            name = f"signer_{location[1]}"
        errors.setdefault(name, str(error.get("msg", "invalid")))
    return errors


def _valid(model: type[M], values: Doc) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise FormErrors(_errors(exc)) from None


def new_draft(values: Doc) -> dict[str, Any]:
    """The fields of ``POST /api/v1/documents`` (as JSON), or FormErrors."""
    return _valid(DocumentCreate, values).model_dump(mode="json")


def draft_changes(values: Doc) -> dict[str, Any]:
    """The fields of ``PATCH /api/v1/documents/{id}`` (as JSON): every field of the form,
    since the form shows them all; the drafting unit never moves."""
    changes = {k: v for k, v in values.items() if k != "drafting_unit"}
    return _valid(DocumentUpdate, changes).model_dump(mode="json", exclude_unset=True)


def values_of(doc: Doc) -> Doc:
    """A stored draft as the form's values."""
    fields = (
        *TEXT_FIELDS,
        "drafting_unit",
        "effective_date",
        "body",
        "recipients_internal",
        "recipients_external",
        "signer",
    )
    return {name: doc.get(name) for name in fields}
