"""edXML (QCVN 102:2016/BTTTT): read and write the messages Vietnamese document systems
exchange. Pure: bytes in, models out, and back; no I/O.

A message is ``edXML`` > ``edXML:edXMLEnvelope`` > (``edXML:edXMLHeader``,
``edXML:edXMLBody``), then ``AttachmentEncoded`` under the root. A document message carries a
``MessageHeader`` with ``From``, ``To``…, a ``TraceHeaderList`` and attachments; a status
message (the answer to a document) carries ``ResponseFor`` and ``StatusCode`` instead.

Reading is tolerant where agencies differ (empty elements, two date orders, the old
``http://www.go.vn/eDoc`` namespace, ``Bussiness`` or ``Business``) and strict where safety
or meaning is at stake: a DTD of any kind, another namespace, a missing required element, a
date or base64 that does not parse is refused with ``EdxmlInvalid`` naming the problem.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from lxml import etree
from pydantic import ValidationError

from services.lgsp.errors import EdxmlInvalid
from shared.contracts.events import EdxmlHeader, EdxmlSigner, TraceHop
from shared.contracts.vocabulary import (
    DOCUMENT_TYPES,
    URGENCY_RANK,
    DocumentType,
    IncomingStatus,
    Urgency,
)
from shared.kit.text import fold

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
LEGACY_NS = "http://www.go.vn/eDoc"  # read, never written
ACCEPTED_NS = frozenset({NS, LEGACY_NS})
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
PREFIX = "edXML"
# Timestamps on the wire are local time in Vietnam, without an offset.
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
# The contract needs a signer's name and a type name; agencies often leave them empty.
NOT_GIVEN = "(không ghi)"
DEFAULT_MEDIA_TYPE = "application/octet-stream"

_HEADER_PATHS: dict[str, str] = {
    "from_organ_id": "edXML:From/edXML:OrganId",
    "from_organ_name": "edXML:From/edXML:OrganName",
    "to_organ_ids": "edXML:To/edXML:OrganId",
    "code_number": "edXML:Code/edXML:CodeNumber",
    "code_notation": "edXML:Code/edXML:CodeNotation",
    "promulgation_place": "edXML:PromulgationInfo/edXML:Place",
    "promulgation_date": "edXML:PromulgationInfo/edXML:PromulgationDate",
    "document_type": "edXML:DocumentType/edXML:TypeName",
    "subject": "edXML:Subject",
    "signer": "edXML:SignerInfo",
    "due_date": "edXML:DueDate",
    "priority": "edXML:OtherInfo/edXML:Priority",
    "steering_type": "edXML:SteeringType",
    "trace": "edXML:TraceHeaderList",
}
_STAFF_FIELDS = (("Department", "department"), ("Staff", "staff"), ("Email", "email"))
_STAFF_MOBILE = ("Mobile", "mobile")


class BusinessDocType(IntEnum):
    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


@dataclass(frozen=True)
class EdxmlAttachment:
    content_id: str
    name: str
    media_type: str
    description: str
    data: bytes


@dataclass(frozen=True)
class EdxmlDocument:
    header: EdxmlHeader
    sender_document_id: str
    content: str
    business_doc_type: BusinessDocType
    business_reason: str
    attachments: tuple[EdxmlAttachment, ...]
    to_places: tuple[str, ...]
    staff: dict[str, str]
    # DocumentIds of the documents this one replaces (BussinessDocType 3).
    replaces: tuple[str, ...] = ()
    # Names of the agencies in From and To, when known (written next to their codes).
    organ_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EdxmlStatus:
    from_organ_id: str
    from_organ_name: str
    response_for_organ_id: str
    response_for_code: str
    response_for_promulgation_date: dt.date | None
    response_for_document_id: str
    status_code: str
    description: str
    timestamp: dt.datetime


# Vocabulary -----------------------------------------------------------------------------
_TYPES_BY_NAME: dict[str, DocumentType] = {
    fold(vi): doc_type for doc_type, (_abbr, vi, _en) in DOCUMENT_TYPES.items()
}


def document_type_from_name(type_name: str) -> str:
    """Our type slug for a Vietnamese type name; an unknown name is kept as it is."""
    name = type_name.strip()
    if not name:
        return NOT_GIVEN
    known = _TYPES_BY_NAME.get(fold(name))
    return known.value if known is not None else name


def document_type_name(document_type: str) -> str:
    try:
        return DOCUMENT_TYPES[DocumentType(document_type)][1]
    except ValueError:
        return document_type


def urgency_from_priority(priority: int) -> Urgency:
    for urgency, rank in sorted(URGENCY_RANK.items(), key=lambda kv: -kv[1]):
        if priority >= rank:
            return urgency
    return Urgency.THUONG


def priority_of(urgency: Urgency) -> int:
    return URGENCY_RANK[urgency]


def document_id_of(organ_id: str, promulgation_date: dt.date, number: str, notation: str) -> str:
    """The sender's DocumentId: ``000.00.11.H53,2020/10/30,2491/STC-BCTC``."""
    return f"{organ_id},{promulgation_date:%Y/%m/%d},{number}/{notation}"


def split_notation(notation: str) -> tuple[str, str]:
    """``2491/STC-BCTC`` -> (``2491``, ``STC-BCTC``)."""
    number, _, rest = notation.partition("/")
    return number.strip(), rest.strip()


# Dates ------------------------------------------------------------------------------------
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
_TIMESTAMP = re.compile(r"^(\d{4})[/\-](\d{1,2})[/\-](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_date(text: str, where: str) -> dt.date:
    """``dd/MM/yyyy`` or ``yyyy/MM/dd`` (also with - or .)."""
    value = text.strip()
    try:
        if m := _DMY.match(value):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := _YMD.match(value):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise EdxmlInvalid(f"{where} is not a date (dd/MM/yyyy or yyyy/MM/dd): {value[:40]!r}")


def format_date(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


def parse_timestamp(text: str, where: str) -> dt.datetime:
    """``yyyy/MM/dd HH:mm:ss``, local time in Vietnam."""
    value = text.strip()
    m = _TIMESTAMP.match(value)
    try:
        if m is not None:
            year, month, day, hour, minute, second = (int(g) for g in m.groups(default="0"))
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM)
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM)
    except ValueError:
        pass
    raise EdxmlInvalid(f"{where} is not a timestamp (yyyy/MM/dd HH:mm:ss): {value[:40]!r}")


def format_timestamp(value: dt.datetime) -> str:
    local = value.astimezone(VIETNAM) if value.tzinfo else value
    return f"{local:%Y/%m/%d %H:%M:%S}"


# Safe parsing -----------------------------------------------------------------------------
class _NothingExternal(etree.Resolver):  # type: ignore[misc]
    """Every external lookup (DTD, entity, XInclude) resolves to nothing: no file is opened,
    whatever slipped past the checks before parsing."""

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        return self.resolve_string("", context)


def safe_parser() -> etree.XMLParser:
    """No entities resolved, no network, no DTD loaded, no external lookup at all, comments
    dropped (a comment splits a text node, so a field read around it would differ from
    what was signed); ``huge_tree`` only lifts libxml2's size limits (attachments are base64
    text nodes of tens of MB) — entity expansion cannot happen because any DTD is refused."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_pis=True,
        remove_comments=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NothingExternal())
    return parser


# As many as a document sent in may carry (the inbound contract's limit).
MAX_ATTACHMENTS = 100
_UTF8_BOM = b"\xef\xbb\xbf"
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _check_encoding(data: bytes) -> bytes:
    """edXML is read as UTF-8 only: other encodings could hide a DOCTYPE from the check
    below. Returns the bytes after an optional byte-order mark."""
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    if b"\x00" in body[:4] or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise EdxmlInvalid("an edXML message must be encoded in UTF-8")
    declared = _DECLARED_ENCODING.match(body[:200])
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise EdxmlInvalid("an edXML message must be encoded in UTF-8")
    return body


def refuse_doctype(data: bytes) -> None:
    """Refuse a DOCTYPE (external entities, entity expansion, DTDs) before parsing: walk the
    whole prolog (declaration, comments, processing instructions) up to the root element."""
    body = _check_encoding(data)
    i, n = 0, len(body)
    while i < n:
        if body[i : i + 1].isspace():
            i += 1
        elif body.startswith(b"<?", i):
            end = body.find(b"?>", i + 2)
            if end < 0:
                raise EdxmlInvalid("the message is not well-formed XML: unterminated declaration")
            i = end + 2
        elif body.startswith(b"<!--", i):
            end = body.find(b"-->", i + 4)
            if end < 0:
                raise EdxmlInvalid("the message is not well-formed XML: unterminated comment")
            i = end + 3
        elif body.startswith(b"<!", i):
            raise EdxmlInvalid(
                "a DOCTYPE or other declaration is not accepted in an edXML message "
                "(no DTDs, no entities)"
            )
        else:
            return


def parse_xml(data: bytes) -> etree._Element:
    """The root element of ``data``, parsed safely; EdxmlInvalid if malformed or with a DTD."""
    if not data.strip():
        raise EdxmlInvalid("the message is empty")
    refuse_doctype(data)
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise EdxmlInvalid(f"the message is not well-formed XML: {exc}"[:300]) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise EdxmlInvalid("a DOCTYPE is not accepted in an edXML message (no DTDs, no entities)")
    for _ in root.iter(etree.Entity):
        raise EdxmlInvalid("entity references are not accepted in an edXML message")
    return root


# Reading ----------------------------------------------------------------------------------
def _local(el: etree._Element) -> tuple[str | None, str]:
    qname = etree.QName(el)
    return qname.namespace, qname.localname


def _children(el: etree._Element | None, *names: str) -> Iterator[etree._Element]:
    if el is None:
        return
    for child in el:
        if not isinstance(child.tag, str):
            continue  # comments
        namespace, local = _local(child)
        if local in names and namespace in ACCEPTED_NS:
            yield child


def _child(el: etree._Element | None, *names: str) -> etree._Element | None:
    if el is None:
        return None
    return next(_children(el, *names), None)


def _text(el: etree._Element | None, *names: str) -> str:
    """All the text of the element (comments are dropped by the parser)."""
    found = _child(el, *names)
    return "".join(found.itertext()).strip() if found is not None else ""


def _required(el: etree._Element | None, name: str, path: str) -> etree._Element:
    found = _child(el, name)
    if found is None:
        raise EdxmlInvalid(f"{path} is missing")
    return found


def _required_text(el: etree._Element | None, name: str, path: str) -> str:
    value = _text(el, name)
    if not value:
        raise EdxmlInvalid(f"{path} is missing")
    return value


def _int(text: str, where: str, default: int) -> int:
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise EdxmlInvalid(f"{where} is not a number: {text[:20]!r}") from None


def _message_header(root: etree._Element) -> tuple[etree._Element, etree._Element]:
    namespace, local = _local(root)
    if local != "edXML" or namespace not in ACCEPTED_NS:
        raise EdxmlInvalid(
            f"the root element must be edXML in the namespace {NS} (found {local} in "
            f"{namespace or 'no namespace'})"
        )
    envelope = _child(root, "edXMLEnvelope")
    if envelope is None:
        strangers = {_local(c)[0] for c in root if isinstance(c.tag, str)} - ACCEPTED_NS
        if strangers:
            raise EdxmlInvalid(
                f"edXML:edXMLEnvelope is missing (elements in namespace {strangers.pop()})"
            )
        raise EdxmlInvalid("edXML:edXMLEnvelope is missing")
    header = _required(envelope, "edXMLHeader", "edXML:edXMLHeader")
    return header, _required(header, "MessageHeader", "edXML:MessageHeader")


def parse_message(data: bytes) -> EdxmlDocument | EdxmlStatus:
    """A document message or a status message; EdxmlInvalid naming what is wrong."""
    root = parse_xml(data)
    header, message = _message_header(root)
    if _child(message, "ResponseFor") is not None:
        return _status(message)
    return _document(root, header, message)


def _organ(el: etree._Element | None, path: str) -> tuple[str, str]:
    organ_id = _required_text(el, "OrganId", f"{path}/edXML:OrganId")
    return organ_id, _text(el, "OrganName")


def _signer(message: etree._Element) -> EdxmlSigner:
    info = _child(message, "SignerInfo")
    return EdxmlSigner(
        competence=_text(info, "Competence"),
        position=_text(info, "Position"),
        full_name=_text(info, "FullName") or NOT_GIVEN,
    )


def _trace(header: etree._Element) -> list[TraceHop]:
    hops: list[TraceHop] = []
    for i, hop in enumerate(_children(_child(header, "TraceHeaderList"), "TraceHeader")):
        where = f"edXML:TraceHeader[{i + 1}]"
        stamp = _text(hop, "Timestamp")
        hops.append(
            TraceHop(
                organ_id=_text(hop, "OrganId")[:64],
                timestamp=parse_timestamp(stamp, f"{where}/edXML:Timestamp"),
            )
        )
    return hops


def _business(header: etree._Element) -> etree._Element | None:
    trace_list = _child(header, "TraceHeaderList")
    found = _child(trace_list, "Bussiness", "Business")
    return found if found is not None else _child(header, "Bussiness", "Business")


def _staff(business: etree._Element | None) -> dict[str, str]:
    info = _child(business, "StaffInfo")
    if info is None:
        return {}
    pairs = ((key, _text(info, name)) for name, key in (*_STAFF_FIELDS, _STAFF_MOBILE))
    return {key: value for key, value in pairs if value}


def _replaces(business: etree._Element | None) -> tuple[str, ...]:
    found: list[str] = []
    for info in _children(_child(business, "ReplacementInfoList"), "ReplacementInfo"):
        document_id = _text(info, "DocumentId")
        if document_id:
            found.append(document_id)
    return tuple(found)


def _decode_base64(text: str, where: str) -> bytes:
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise EdxmlInvalid(f"{where} is not valid base64") from None


def _attachments(root: etree._Element) -> tuple[EdxmlAttachment, ...]:
    encoded = _child(root, "AttachmentEncoded")
    if encoded is None:
        return ()
    out: list[EdxmlAttachment] = []
    for i, item in enumerate(_children(encoded, "Attachment")):
        if i >= MAX_ATTACHMENTS:
            raise EdxmlInvalid(f"a message carries at most {MAX_ATTACHMENTS} attachments")
        where = f"AttachmentEncoded/Attachment[{i + 1}]"
        content_id = _text(item, "ContentId")
        name = _text(item, "AttachmentName") or content_id.removeprefix("cid:")
        if not name:
            raise EdxmlInvalid(f"{where}/AttachmentName is missing")
        payload = _child(item, "ContentTransferEncoded")
        if payload is None:
            raise EdxmlInvalid(f"{where}/edXML:ContentTransferEncoded is missing")
        out.append(
            EdxmlAttachment(
                content_id=content_id,
                name=name,
                media_type=_text(item, "ContentType") or DEFAULT_MEDIA_TYPE,
                description=_text(item, "Description"),
                data=_decode_base64(
                    "".join(payload.itertext()), f"{where}/edXML:ContentTransferEncoded"
                ),
            )
        )
    return tuple(out)


def _validation_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = [str(part) for part in error.get("loc", ())]
    path = _HEADER_PATHS.get(loc[0], loc[0]) if loc else "the header"
    return f"{path}: {error.get('msg', 'invalid')}"


def _document(
    root: etree._Element, header: etree._Element, message: etree._Element
) -> EdxmlDocument:
    from_el = _required(message, "From", "edXML:From")
    from_id, from_name = _organ(from_el, "edXML:From")
    names = {from_id: from_name} if from_name else {}
    to_ids: list[str] = []
    for i, to in enumerate(_children(message, "To")):
        organ_id, organ_name = _organ(to, f"edXML:To[{i + 1}]")
        to_ids.append(organ_id)
        if organ_name:
            names.setdefault(organ_id, organ_name)
    if not to_ids:
        raise EdxmlInvalid("edXML:To is missing")
    code = _required(message, "Code", "edXML:Code")
    number = _required_text(code, "CodeNumber", "edXML:Code/edXML:CodeNumber")
    notation = _required_text(code, "CodeNotation", "edXML:Code/edXML:CodeNotation")
    promulgation = _required(message, "PromulgationInfo", "edXML:PromulgationInfo")
    date_path = "edXML:PromulgationInfo/edXML:PromulgationDate"
    promulgated = parse_date(_required_text(promulgation, "PromulgationDate", date_path), date_path)
    subject = _required_text(message, "Subject", "edXML:Subject")
    due_text = _text(message, "DueDate")
    other = _child(message, "OtherInfo")
    priority = _int(_text(other, "Priority"), "edXML:OtherInfo/edXML:Priority", 0)
    try:
        parsed_header = EdxmlHeader(
            from_organ_id=from_id,
            from_organ_name=from_name or from_id,
            to_organ_ids=to_ids,
            code_number=number,
            code_notation=notation,
            promulgation_place=_text(promulgation, "Place"),
            promulgation_date=promulgated,
            document_type=document_type_from_name(
                _text(_child(message, "DocumentType"), "TypeName")
            ),
            subject=subject,
            signer=_signer(message),
            due_date=parse_date(due_text, "edXML:DueDate") if due_text else None,
            priority=urgency_from_priority(priority),
            steering_type=_text(message, "SteeringType"),
            trace=_trace(header),
        )
    except ValidationError as exc:
        raise EdxmlInvalid(_validation_problem(exc)) from None
    business = _business(header)
    doc_type = _int(
        _text(business, "BussinessDocType", "BusinessDocType"), "edXML:BussinessDocType", 0
    )
    try:
        business_type = BusinessDocType(doc_type)
    except ValueError:
        raise EdxmlInvalid(f"edXML:BussinessDocType {doc_type} is not 0, 1, 2 or 3") from None
    sender_document_id = _text(message, "DocumentId") or document_id_of(
        from_id, promulgated, number, notation
    )
    return EdxmlDocument(
        header=parsed_header,
        sender_document_id=sender_document_id,
        content=_text(message, "Content"),
        business_doc_type=business_type,
        business_reason=_text(business, "BussinessDocReason", "BusinessDocReason"),
        attachments=_attachments(root),
        to_places=tuple(
            text
            for p in _children(_child(message, "ToPlaces"), "Place")
            if (text := "".join(p.itertext()).strip())
        ),
        staff=_staff(business),
        replaces=_replaces(business),
        organ_names=names,
    )


_STATUS_CODES = frozenset(s.value for s in IncomingStatus)


def _status(message: etree._Element) -> EdxmlStatus:
    from_id, from_name = _organ(_required(message, "From", "edXML:From"), "edXML:From")
    response = _required(message, "ResponseFor", "edXML:ResponseFor")
    date_text = _text(response, "PromulgationDate")
    status_code = _required_text(message, "StatusCode", "edXML:StatusCode")
    if status_code not in _STATUS_CODES:
        raise EdxmlInvalid(f"edXML:StatusCode {status_code[:10]!r} is not a known status")
    return EdxmlStatus(
        from_organ_id=from_id,
        from_organ_name=from_name or from_id,
        response_for_organ_id=_required_text(
            response, "OrganId", "edXML:ResponseFor/edXML:OrganId"
        ),
        response_for_code=_text(response, "Code"),
        response_for_promulgation_date=(
            parse_date(date_text, "edXML:ResponseFor/edXML:PromulgationDate") if date_text else None
        ),
        response_for_document_id=_required_text(
            response, "DocumentId", "edXML:ResponseFor/edXML:DocumentId"
        ),
        status_code=status_code,
        description=_text(message, "Description"),
        timestamp=parse_timestamp(
            _required_text(message, "Timestamp", "edXML:Timestamp"), "edXML:Timestamp"
        ),
    )


# Writing ----------------------------------------------------------------------------------
def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(
    parent: etree._Element, name: str, text: str | None = None, **nsmap: str
) -> etree._Element:
    el = etree.SubElement(parent, _q(name), nsmap=nsmap or None)
    if text:
        el.text = text
    return el


def _add_all(parent: etree._Element, pairs: Sequence[tuple[str, str]]) -> None:
    for name, text in pairs:
        _add(parent, name, text)


def _skeleton() -> tuple[etree._Element, etree._Element, etree._Element]:
    root = etree.Element(_q("edXML"), nsmap={None: NS})
    envelope = _add(root, "edXMLEnvelope", edXML=NS)
    header = _add(envelope, "edXMLHeader")
    return root, envelope, header


def _write_organ(parent: etree._Element, name: str, organ_id: str, organ_name: str) -> None:
    organ = _add(parent, name)
    _add_all(
        organ,
        [
            ("OrganId", organ_id),
            ("OrganizationInCharge", ""),
            ("OrganName", organ_name),
            ("OrganAdd", ""),
            ("Email", ""),
            ("Telephone", ""),
            ("Fax", ""),
            ("Website", ""),
        ],
    )


def write_document(doc: EdxmlDocument) -> etree._Element:
    """The unsigned document message; sign it with ``XmlSigner``."""
    h = doc.header
    root, envelope, header = _skeleton()
    message = _add(header, "MessageHeader")
    _write_organ(message, "From", h.from_organ_id, h.from_organ_name)
    for organ_id in h.to_organ_ids:
        _write_organ(message, "To", organ_id, doc.organ_names.get(organ_id, ""))
    _add(message, "DocumentId", doc.sender_document_id)
    _add_all(
        _add(message, "Code"), [("CodeNumber", h.code_number), ("CodeNotation", h.code_notation)]
    )
    _add_all(
        _add(message, "PromulgationInfo"),
        [("Place", h.promulgation_place), ("PromulgationDate", format_date(h.promulgation_date))],
    )
    legal = h.document_type == DocumentType.THONG_TU.value
    _add_all(
        _add(message, "DocumentType"),
        [
            ("Type", "1" if legal else "2"),  # 1 legal normative, 2 administrative
            ("TypeDetail", "0"),
            ("TypeName", document_type_name(h.document_type)),
        ],
    )
    _add(message, "Subject", h.subject)
    _add(message, "Content", doc.content)
    _add_all(
        _add(message, "SignerInfo"),
        [
            ("Competence", h.signer.competence),
            ("Position", h.signer.position),
            ("FullName", h.signer.full_name),
        ],
    )
    _add(message, "DueDate", format_date(h.due_date) if h.due_date else None)
    other = _add(message, "OtherInfo")
    _add_all(
        other,
        [
            ("Priority", str(priority_of(h.priority))),
            ("SphereOfPromulgation", ""),
            ("TyperNotation", ""),
            ("PromulgationAmount", "1"),
            ("PageAmount", "0"),
            ("Direction", "false"),
        ],
    )
    _add(other, "Appendixes")
    _add(message, "SteeringType", h.steering_type)
    places = _add(message, "ToPlaces")
    for place in doc.to_places:
        _add(places, "Place", place)
    _write_trace(header, doc)
    _write_body(root, envelope, doc.attachments)
    return root


def _write_trace(header: etree._Element, doc: EdxmlDocument) -> None:
    trace_list = _add(header, "TraceHeaderList")
    for hop in doc.header.trace:
        _add_all(
            _add(trace_list, "TraceHeader"),
            [("OrganId", hop.organ_id), ("Timestamp", format_timestamp(hop.timestamp))],
        )
    business = _add(trace_list, "Bussiness")
    _add_all(
        business,
        [
            ("DocumentId", doc.sender_document_id),
            ("BussinessDocType", str(int(doc.business_doc_type))),
            ("BussinessDocReason", doc.business_reason),
            ("Paper", "0"),
        ],
    )
    if doc.replaces:
        infos = _add(business, "ReplacementInfoList")
        for document_id in doc.replaces:
            info = _add(infos, "ReplacementInfo")
            _add(info, "DocumentId", document_id)
            organs = _add(info, "OrganIdList")
            for organ_id in doc.header.to_organ_ids:
                _add(organs, "OrganId", organ_id)
    staff = _add(business, "StaffInfo")
    _add_all(
        staff, [(name, doc.staff.get(key, "")) for name, key in (*_STAFF_FIELDS, _STAFF_MOBILE)]
    )


def _write_body(
    root: etree._Element, envelope: etree._Element, attachments: Sequence[EdxmlAttachment]
) -> None:
    manifest = _add(_add(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _add(root, "AttachmentEncoded")
    for i, attachment in enumerate(attachments):
        content_id = attachment.content_id or f"cid:{i + 1}"
        _add_all(
            _add(manifest, "Reference"),
            [
                ("ContentId", content_id),
                ("ContentType", attachment.media_type),
                ("Description", attachment.description),
                ("AttachmentName", attachment.name),
            ],
        )
        item = _add(encoded, "Attachment")
        _add_all(
            item,
            [
                ("ContentId", content_id),
                ("AttachmentName", attachment.name),
                ("Description", attachment.description),
                ("ContentType", attachment.media_type),
            ],
        )
        _add(
            item,
            "ContentTransferEncoded",
            base64.b64encode(attachment.data).decode("ascii"),
            edXML=NS,
        )


def write_status(status: EdxmlStatus) -> etree._Element:
    """The unsigned status message (no trace list, no body, no attachments)."""
    root, _envelope, header = _skeleton()
    message = _add(header, "MessageHeader")
    _write_organ(message, "From", status.from_organ_id, status.from_organ_name)
    response = _add(message, "ResponseFor")
    promulgated = status.response_for_promulgation_date
    _add_all(
        response,
        [
            ("OrganId", status.response_for_organ_id),
            ("Code", status.response_for_code),
            ("PromulgationDate", format_date(promulgated) if promulgated else ""),
            ("DocumentId", status.response_for_document_id),
        ],
    )
    _add_all(
        _add(message, "StaffInfo"),
        [("Department", ""), ("Staff", ""), ("Mobile", ""), ("Email", "")],
    )
    _add(message, "StatusCode", status.status_code)
    _add(message, "Description", status.description)
    _add(message, "Timestamp", format_timestamp(status.timestamp))
    return root


def to_bytes(element: etree._Element) -> bytes:
    """UTF-8 with an XML declaration."""
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))
