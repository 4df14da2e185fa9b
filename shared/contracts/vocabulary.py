"""Controlled vocabularies of official documents (Decree 30/2020/ND-CP style).

Values are ASCII slugs so they are safe in URLs, field values and filters; the Vietnamese
names and the notation abbreviations are looked up here, in one place.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The roles a token carries: staff, administrators and service accounts."""

    CLERK = "clerk"
    DRAFTER = "drafter"
    APPROVER = "approver"
    RECORDS_OFFICER = "records_officer"
    ADMIN = "admin"
    PORTAL_EDITOR = "portal_editor"
    LGSP_ADMIN = "lgsp_admin"
    SERVICE_PORTAL = "service_portal"
    SERVICE_LGSP = "service_lgsp"
    SERVICE_DOCUMENTS = "service_documents"


class DocumentType(StrEnum):
    NGHI_QUYET = "nghi_quyet"
    QUYET_DINH = "quyet_dinh"
    CHI_THI = "chi_thi"
    QUY_CHE = "quy_che"
    QUY_DINH = "quy_dinh"
    THONG_CAO = "thong_cao"
    THONG_BAO = "thong_bao"
    HUONG_DAN = "huong_dan"
    CHUONG_TRINH = "chuong_trinh"
    KE_HOACH = "ke_hoach"
    PHUONG_AN = "phuong_an"
    DE_AN = "de_an"
    DU_AN = "du_an"
    BAO_CAO = "bao_cao"
    BIEN_BAN = "bien_ban"
    TO_TRINH = "to_trinh"
    HOP_DONG = "hop_dong"
    CONG_DIEN = "cong_dien"
    BAN_GHI_NHO = "ban_ghi_nho"
    BAN_THOA_THUAN = "ban_thoa_thuan"
    GIAY_UY_QUYEN = "giay_uy_quyen"
    GIAY_MOI = "giay_moi"
    GIAY_GIOI_THIEU = "giay_gioi_thieu"
    GIAY_NGHI_PHEP = "giay_nghi_phep"
    PHIEU_GUI = "phieu_gui"
    PHIEU_CHUYEN = "phieu_chuyen"
    PHIEU_BAO = "phieu_bao"
    CONG_VAN = "cong_van"
    THONG_TU = "thong_tu"


# type -> (abbreviation used in the notation, Vietnamese name, English name)
DOCUMENT_TYPES: dict[DocumentType, tuple[str, str, str]] = {
    DocumentType.NGHI_QUYET: ("NQ", "Nghị quyết", "Resolution"),
    DocumentType.QUYET_DINH: ("QĐ", "Quyết định", "Decision"),
    DocumentType.CHI_THI: ("CT", "Chỉ thị", "Directive"),
    DocumentType.QUY_CHE: ("QC", "Quy chế", "Regulation"),
    DocumentType.QUY_DINH: ("QyĐ", "Quy định", "Rules"),
    DocumentType.THONG_CAO: ("TC", "Thông cáo", "Communiqué"),
    DocumentType.THONG_BAO: ("TB", "Thông báo", "Notice"),
    DocumentType.HUONG_DAN: ("HD", "Hướng dẫn", "Guidance"),
    DocumentType.CHUONG_TRINH: ("CTr", "Chương trình", "Programme"),
    DocumentType.KE_HOACH: ("KH", "Kế hoạch", "Plan"),
    DocumentType.PHUONG_AN: ("PA", "Phương án", "Scheme"),
    DocumentType.DE_AN: ("ĐA", "Đề án", "Project proposal"),
    DocumentType.DU_AN: ("DA", "Dự án", "Project"),
    DocumentType.BAO_CAO: ("BC", "Báo cáo", "Report"),
    DocumentType.BIEN_BAN: ("BB", "Biên bản", "Minutes"),
    DocumentType.TO_TRINH: ("TTr", "Tờ trình", "Submission"),
    DocumentType.HOP_DONG: ("HĐ", "Hợp đồng", "Contract"),
    DocumentType.CONG_DIEN: ("CĐ", "Công điện", "Official telegram"),
    DocumentType.BAN_GHI_NHO: ("BGN", "Bản ghi nhớ", "Memorandum of understanding"),
    DocumentType.BAN_THOA_THUAN: ("BTT", "Bản thỏa thuận", "Agreement"),
    DocumentType.GIAY_UY_QUYEN: ("GUQ", "Giấy ủy quyền", "Power of attorney"),
    DocumentType.GIAY_MOI: ("GM", "Giấy mời", "Invitation"),
    DocumentType.GIAY_GIOI_THIEU: ("GGT", "Giấy giới thiệu", "Letter of introduction"),
    DocumentType.GIAY_NGHI_PHEP: ("GNP", "Giấy nghỉ phép", "Leave permit"),
    DocumentType.PHIEU_GUI: ("PG", "Phiếu gửi", "Dispatch slip"),
    DocumentType.PHIEU_CHUYEN: ("PC", "Phiếu chuyển", "Transfer slip"),
    DocumentType.PHIEU_BAO: ("PB", "Phiếu báo", "Notification slip"),
    DocumentType.CONG_VAN: ("", "Công văn", "Official letter"),
    DocumentType.THONG_TU: ("TT", "Thông tư", "Circular"),
}

# Legal normative documents carry the year in their notation and have one sequence per type.
LEGAL_NORMATIVE_TYPES: frozenset[DocumentType] = frozenset({DocumentType.THONG_TU})


def type_abbreviation(doc_type: DocumentType) -> str:
    return DOCUMENT_TYPES[doc_type][0]


def type_name(doc_type: DocumentType, language: str = "vi") -> str:
    _abbr, vi, en = DOCUMENT_TYPES[doc_type]
    return en if language == "en" else vi


class Urgency(StrEnum):
    THUONG = "thuong"
    KHAN = "khan"
    THUONG_KHAN = "thuong_khan"
    HOA_TOC = "hoa_toc"


URGENCY_RANK: dict[Urgency, int] = {
    Urgency.THUONG: 0,
    Urgency.KHAN: 1,
    Urgency.THUONG_KHAN: 2,
    Urgency.HOA_TOC: 3,
}


class Confidentiality(StrEnum):
    THUONG = "thuong"
    MAT = "mat"
    TOI_MAT = "toi_mat"
    TUYET_MAT = "tuyet_mat"


CLEARANCE_RANK: dict[Confidentiality, int] = {
    Confidentiality.THUONG: 0,
    Confidentiality.MAT: 1,
    Confidentiality.TOI_MAT: 2,
    Confidentiality.TUYET_MAT: 3,
}


class Access(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class IncomingStatus(StrEnum):
    """Status codes exchanged between Vietnamese document systems."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    IN_PROGRESS = "05"
    COMPLETED = "06"
    RECALL_REQUESTED = "13"
    RECALL_ACCEPTED = "15"
    RECALL_REFUSED = "16"


class SignatureVerdict(StrEnum):
    """What checking the sender's signature of a document sent in found; staff decide on it."""

    VALID = "valid"
    INVALID = "invalid"
    UNSIGNED = "unsigned"
    UNKNOWN_CERTIFICATE = "unknown_certificate"


class MessageFormat(StrEnum):
    """How a partner agency's system exchanges documents with the LGSP."""

    JSON = "json"
    EDXML = "edxml"


class DeliveryState(StrEnum):
    DELIVERED = "delivered"
    RETRYING = "retrying"
    FAILED = "failed"
    DEAD = "dead"
