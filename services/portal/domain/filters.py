"""What a list or a search of documents asks for: facets, dates, words, a notation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.portal.domain.index import ALL
from shared.kit.types import Doc


@dataclass(frozen=True)
class DocumentFilter:
    tokens: list[str] = field(default_factory=list)
    doc_type: str | None = None
    issuer: str | None = None
    field: str | None = None
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    notation: str | None = None

    def pairs(self) -> list[tuple[str, str]]:
        """The list buckets whose intersection holds the pages this filter keeps."""
        pairs = []
        if self.doc_type:
            pairs.append(("type", self.doc_type))
        if self.year is not None:
            pairs.append(("year", str(self.year)))
        if self.field:
            pairs.append(("field", self.field))
        if self.issuer:
            pairs.append(("issuer", self.issuer))
        return pairs or [ALL]

    def day_range(self) -> tuple[str | None, str | None]:
        return (
            self.date_from.isoformat() if self.date_from else None,
            self.date_to.isoformat() if self.date_to else None,
        )

    def matches(self, page: Doc) -> bool:
        """The filter applied to a page read by id (index entries may be stale)."""
        issue_date = str(page.get("issue_date", ""))
        return (
            page.get("visible") is True
            and (not self.doc_type or page.get("doc_type") == self.doc_type)
            and (not self.issuer or (page.get("issuer") or {}).get("code") == self.issuer)
            and (not self.field or page.get("field") == self.field)
            and (self.year is None or page.get("year") == self.year)
            and (not self.date_from or issue_date >= self.date_from.isoformat())
            and (not self.date_to or issue_date <= self.date_to.isoformat())
            and (not self.notation or page.get("notation") == self.notation)
        )
