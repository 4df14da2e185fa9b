"""The choices a draft form offers: units of the ministry, partner agencies by name, and the
controlled vocabularies, each as (code, words) in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from services.documents.settings import Settings
from services.documents.web.labels import value_label
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType, Urgency

Choice = tuple[str, str]


@dataclass(frozen=True)
class DraftChoices:
    doc_types: list[Choice]
    units: list[Choice]
    partners: list[Choice]
    urgencies: list[Choice]
    confidentialities: list[Choice]
    accesses: list[Choice]


def draft_choices(settings: Settings, lang: str) -> DraftChoices:
    def words(values: list[str]) -> list[Choice]:
        return [(value, value_label(lang, value)) for value in values]

    return DraftChoices(
        doc_types=sorted(words([t.value for t in DocumentType]), key=lambda c: c[1]),
        units=sorted(settings.units.items()),
        # By name: staff know agencies by name, the LGSP by code.
        partners=sorted(settings.partners.items(), key=lambda item: item[1]),
        urgencies=words([u.value for u in Urgency]),
        confidentialities=words([c.value for c in Confidentiality]),
        accesses=words([a.value for a in Access]),
    )


def partner_name(settings: Settings, code: str) -> str:
    return settings.partners.get(code, code)


def unit_name(settings: Settings, code: str) -> str:
    return settings.units.get(code, code)
