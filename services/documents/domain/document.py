"""What staff send to create or edit a draft, and the search key of a document."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.models import ORG_CODE_PATTERN, Signer
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType, Language, Urgency

OrgCode = Annotated[str, StringConstraints(pattern=ORG_CODE_PATTERN)]
UnitCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftInput(_Input):
    doc_type: DocumentType
    subject: str = Field(min_length=1, max_length=2000, description="trích yếu")
    drafting_unit: UnitCode
    signer: Signer | None = None
    effective_date: dt.date | None = None
    field: str | None = Field(default=None, max_length=200, description="lĩnh vực")
    recipients_internal: list[UnitCode] = Field(default_factory=list, max_length=200)
    recipients_external: list[OrgCode] = Field(default_factory=list, max_length=200)
    urgency: Urgency = Urgency.THUONG
    confidentiality: Confidentiality = Confidentiality.THUONG
    access: Access = Access.INTERNAL
    language: Language = Language.VI
    body: str = Field(default="", max_length=500_000)


class DraftPatch(_Input):
    """Every field optional; the drafting unit cannot move (it decides who may see it)."""

    doc_type: DocumentType | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=2000)
    signer: Signer | None = None
    effective_date: dt.date | None = None
    field: str | None = Field(default=None, max_length=200)
    recipients_internal: list[UnitCode] | None = Field(default=None, max_length=200)
    recipients_external: list[OrgCode] | None = Field(default=None, max_length=200)
    urgency: Urgency | None = None
    confidentiality: Confidentiality | None = None
    access: Access | None = None
    language: Language | None = None
    body: str | None = Field(default=None, max_length=500_000)


class ReasonInput(_Input):
    reason: str = Field(min_length=1, max_length=2000)


class IssueInput(_Input):
    signer: Signer | None = None


class ReplaceInput(_Input):
    replaced_by: str = Field(min_length=1, max_length=64, description="the newer issued document")
    reason: str = Field(default="", max_length=2000)


def fold(text: str) -> str:
    """Diacritic-insensitive form: NFD without marks, đ/Đ as d, lower case."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def tokens(query: str) -> list[str]:
    return [t for t in fold(query).replace("/", " ").replace("-", " ").split() if t]


def search_key(subject: str, notation: str | None) -> str:
    parts = [subject]
    if notation:
        parts.append(notation.replace("/", " ").replace("-", " "))
        parts.append(notation)
    return " ".join(fold(p) for p in parts)
