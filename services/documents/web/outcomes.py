"""What an action on a document will do, in words a confirmation page can show, computed from
the document the way the use cases decide it (``domain/publication.py``): public access →
the portal; external recipients → the agencies, through the LGSP; any confidentiality mark →
nothing leaves the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from services.documents.domain.numbering import book_for, register_year
from services.documents.domain.publication import (
    is_classified,
    is_dispatchable,
    is_public,
    recall_refusal,
)
from shared.contracts.vocabulary import Confidentiality, DocumentType
from shared.kit.types import Doc


@dataclass(frozen=True)
class Outcome:
    """One sentence: a label key and the values it names."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


Names = Callable[[str], str]


def _agencies(codes: list[str], name_of: Names) -> dict[str, str]:
    return {"count": str(len(codes)), "names": "; ".join(name_of(code) for code in codes)}


def _issue(doc: Doc, now: dt.datetime, partner: Names) -> list[Outcome]:
    book = book_for(DocumentType(doc["doc_type"]), Confidentiality(doc["confidentiality"]))
    found = [Outcome("will_number", {"book": book, "year": str(register_year(now))})]
    if is_classified(doc):
        return [*found, Outcome("will_stay_inside")]
    found.append(Outcome("will_publish") if is_public(doc) else Outcome("will_not_publish"))
    codes = [str(c) for c in doc.get("recipients_external") or ()]
    if is_dispatchable(doc):
        found.append(Outcome("will_send", _agencies(codes, partner)))
    else:
        found.append(Outcome("will_send_none"))
    return found


def _recall(doc: Doc, partner: Names) -> list[Outcome]:
    if recall_refusal(doc) is not None:
        return []
    codes = [str(c) for c in doc.get("recipients_external") or ()]
    return [Outcome("will_recall", _agencies(codes, partner))]


def outcomes(
    action: str,
    doc: Doc,
    *,
    now: dt.datetime,
    partner: Names,
    unit: Names,
) -> list[Outcome]:
    """The sentences of ``action``'s confirmation for ``doc``."""
    if action == "submit":
        return [Outcome("will_submit", {"unit": unit(str(doc["drafting_unit"]))})]
    if action == "return":
        return [Outcome("will_return", {"drafter": str(doc.get("created_by") or "")})]
    if action == "approve":
        return [Outcome("will_approve")]
    if action == "issue":
        return _issue(doc, now, partner)
    if action == "revoke":
        found = [Outcome("will_revoke")]
        if doc.get("published"):
            found.append(Outcome("will_portal_revoked"))
        return found + _recall(doc, partner)
    if action == "replace":
        found = [Outcome("will_replace")]
        if doc.get("published"):
            found.append(Outcome("will_portal_replaced"))
        return found
    if action == "recall":
        return [*_recall(doc, partner), Outcome("will_stay_issued")]
    if action == "unpublish":
        return [Outcome("will_unpublish"), Outcome("will_keep_number")]
    return []


def sentence(labels: Mapping[str, str], outcome: Outcome) -> str:
    return labels[outcome.key].format(**outcome.params)
