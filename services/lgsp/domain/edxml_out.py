"""What the ministry sends an edXML partner, built from the contract events: pure.

An issued document (dispatched or published) is a document message (BussinessDocType 0); a
revocation or a recall names the original document with BussinessDocType 1; a replacement
is the new document with BussinessDocType 3 naming the one it replaces; the handling status
of a document an agency sent in is a status message. The ministry (``organisation_code`` and
``organisation_name``) is the sender and adds its hop to the trace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.lgsp.domain.edxml import (
    BusinessDocType,
    EdxmlAttachment,
    EdxmlDocument,
    EdxmlStatus,
    document_id_of,
    split_notation,
)
from shared.contracts.events import EdxmlHeader, EdxmlSigner, IncomingStatusChanged, TraceHop
from shared.contracts.models import SignedDocument
from shared.contracts.vocabulary import IncomingStatus, Urgency

# What the status message says when the clerk left no note.
STATUS_DESCRIPTIONS: dict[str, str] = {
    IncomingStatus.ARRIVED.value: "Đã đến",
    IncomingStatus.REJECTED.value: "Từ chối tiếp nhận văn bản đến",
    IncomingStatus.ACCEPTED.value: "Đã tiếp nhận văn bản đến",
    IncomingStatus.ASSIGNED.value: "Đã phân công xử lý văn bản đến",
    IncomingStatus.IN_PROGRESS.value: "Đang xử lý văn bản đến",
    IncomingStatus.COMPLETED.value: "Đã hoàn thành xử lý văn bản đến",
    IncomingStatus.RECALL_ACCEPTED.value: "Đồng ý thu hồi văn bản",
    IncomingStatus.RECALL_REFUSED.value: "Từ chối thu hồi văn bản",
}


@dataclass(frozen=True)
class Ministry:
    code: str
    name: str
    place: str  # of promulgation


def code_of(notation: str) -> tuple[str, str]:
    """(CodeNumber, CodeNotation) of ``1637/QĐ-BNG``; a notation without a number is kept."""
    number, rest = split_notation(notation)
    return (number, rest) if number and rest else (notation, notation)


def sender_document_id(ministry: Ministry, doc: SignedDocument) -> str:
    """The ministry's DocumentId of an issued document: the same in every message about it."""
    number, notation = code_of(doc.notation)
    return document_id_of(ministry.code, doc.issue_date, number, notation)


def document_message(
    ministry: Ministry,
    doc: SignedDocument,
    *,
    to: Sequence[str],
    names: Mapping[str, str],
    attachments: Sequence[EdxmlAttachment],
    urgency: Urgency,
    at: dt.datetime,
    business: BusinessDocType = BusinessDocType.NEW,
    reason: str = "",
    replaces: Sequence[str] = (),
) -> EdxmlDocument:
    number, notation = code_of(doc.notation)
    header = EdxmlHeader(
        from_organ_id=ministry.code,
        from_organ_name=ministry.name,
        to_organ_ids=list(to),
        code_number=number[:20],
        code_notation=notation[:100],
        promulgation_place=ministry.place,
        promulgation_date=doc.issue_date,
        document_type=doc.doc_type.value,
        subject=doc.subject,
        signer=EdxmlSigner(
            competence=doc.signer.competence or "",
            position=doc.signer.position,
            full_name=doc.signer.name,
        ),
        priority=urgency,
        trace=[TraceHop(organ_id=ministry.code, timestamp=at)],
    )
    staff = {"department": doc.drafting_unit.name} if doc.drafting_unit else {}
    return EdxmlDocument(
        header=header,
        sender_document_id=sender_document_id(ministry, doc),
        content=doc.body,
        business_doc_type=business,
        business_reason=reason,
        attachments=tuple(attachments),
        to_places=tuple(names.get(code, code) for code in to),
        staff=staff,
        replaces=tuple(replaces),
        organ_names={ministry.code: ministry.name, **{c: names[c] for c in to if c in names}},
    )


def status_message(ministry: Ministry, event: IncomingStatusChanged) -> EdxmlStatus:
    return EdxmlStatus(
        from_organ_id=ministry.code,
        from_organ_name=ministry.name,
        response_for_organ_id=event.sender_code,
        response_for_code=event.sender_notation,
        response_for_promulgation_date=event.promulgation_date,
        response_for_document_id=event.sender_document_id,
        status_code=event.status,
        description=event.note or STATUS_DESCRIPTIONS.get(event.status, ""),
        timestamp=event.changed_at,
    )
