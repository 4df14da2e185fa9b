"""Request bodies and response views of the portal's JSON API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.vocabulary import Language
from shared.http.text import TextBody


class NewsCreate(TextBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Bộ Ngoại giao tổ chức họp báo định kỳ",
                    "summary": "Người phát ngôn trả lời câu hỏi của phóng viên.",
                    "body": "Chiều 2/3, Bộ Ngoại giao tổ chức họp báo thường kỳ ...",
                    "language": "vi",
                }
            ]
        },
    )

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=2000)
    body: str = Field(default="", max_length=100_000)
    language: Language = Language.VI


class NewsUpdate(TextBody):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, max_length=2000)
    body: str | None = Field(default=None, max_length=100_000)


class NewsImageView(BaseModel):
    sha256: str
    media_type: str
    alt: str
    url: str


class NewsView(BaseModel):
    id: str
    slug: str
    url: str
    title: str
    summary: str
    body: str = Field(description="Markdown (a safe subset), rendered on the news page")
    language: str
    published_at: str | None = Field(description="null while the article is a draft")
    updated_at: str
    author: str
    version: int
    state: str = Field(default="published", description="draft, published or unpublished")
    image: NewsImageView | None = None


class NewsList(BaseModel):
    items: list[NewsView]
    next_cursor: str | None


class DocumentSummaryView(BaseModel):
    """A document in a list: never its body or its signed copy."""

    id: str
    slug: str
    url: str
    notation: str
    number: int
    year: int
    type: str
    type_name: str
    type_name_en: str
    subject: str
    issuer: dict[str, Any]
    field: str | None
    issue_date: str
    effective_date: str | None
    published_at: str
    version: int
    withdrawn: bool
    replaced: bool


class AttachmentView(BaseModel):
    name: str
    media_type: str
    size: int
    sha256: str
    available: bool
    url: str | None


class SignatureView(BaseModel):
    status: str
    kid: str | None


class DocumentView(DocumentSummaryView):
    """A document's page as JSON (the HTML page shows the same)."""

    drafting_unit: dict[str, Any] | None
    signer: dict[str, Any]
    language: str
    body: str
    attachments: list[AttachmentView]
    signature: SignatureView
    revoked: dict[str, Any] | None
    replaced_by: dict[str, Any] | None
    replaces: list[dict[str, Any]]


class DocumentList(BaseModel):
    items: list[DocumentSummaryView]
    next_cursor: str | None


class MarkedTextView(BaseModel):
    """A run of text; ``match`` when it is a word the query matched (folded)."""

    text: str
    match: bool


class SearchItemView(DocumentSummaryView):
    subject_marked: list[MarkedTextView]
    notation_marked: list[MarkedTextView]


class FacetCountsView(BaseModel):
    """Results per value of each facet (issuers by code; ``issuer_names`` names them)."""

    types: dict[str, int]
    issuers: dict[str, int]
    fields: dict[str, int]
    years: dict[str, int]


class SearchResultView(BaseModel):
    """One numbered page of ranked results: exact notation first, then by how many query
    words are in the heading, then newest."""

    items: list[SearchItemView]
    page: int
    total: int | None = Field(description="results of a text search; None for a plain list")
    capped: bool = Field(description="more candidates exist than were ranked")
    has_next: bool
    facets: FacetCountsView | None
    issuer_names: dict[str, str]
    exact: DocumentSummaryView | None = Field(
        description="the one document whose notation is exactly the query, if there is one"
    )
