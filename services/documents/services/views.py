"""The JSON shape of a document for staff: the stored aggregate minus its internals."""

from __future__ import annotations

from typing import Any

from services.documents.domain.lifecycle import State
from services.documents.domain.permissions import DocumentFacts
from shared.contracts.vocabulary import Confidentiality

Doc = dict[str, Any]
INTERNAL_FIELDS = frozenset(
    {"_id", "outbox", "outbox_lease", "audit_pending", "search", "signed", "link_pending"}
)


def facts(doc: Doc) -> DocumentFacts:
    return DocumentFacts(
        state=State(doc["state"]),
        drafting_unit=str(doc["drafting_unit"]),
        confidentiality=Confidentiality(doc["confidentiality"]),
    )


def document_view(doc: Doc) -> Doc:
    view: Doc = {"id": doc["_id"]}
    for key, value in doc.items():
        if key in INTERNAL_FIELDS:
            continue
        view[key] = value.isoformat() if hasattr(value, "isoformat") else value
    issue = view.get("issue")
    if isinstance(issue, dict):
        view["issue"] = {
            k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in issue.items()
        }
    return view


def register_entry(doc: Doc) -> Doc:
    return {
        "number": doc.get("number"),
        "notation": doc.get("notation"),
        "document_id": doc["_id"],
        "doc_type": doc["doc_type"],
        "subject": doc["subject"],
        "issue_date": doc.get("issue_date"),
        "drafting_unit": doc["drafting_unit"],
        "confidentiality": doc["confidentiality"],
        "state": doc["state"],
    }


def audit_view(entry: Doc) -> Doc:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in entry.items() if k != "_id"
    }
