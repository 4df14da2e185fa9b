"""Vietnamese first, English on request: ``?lang=en`` (or ``vi``) on any workspace page is
kept in the session for the pages that follow."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from shared.contracts.vocabulary import DOCUMENT_TYPES

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
SESSION_KEY = "lang"

# The kit's own labels; each service adds its own with ``Labels.extend``.
KIT_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "skip": "Bỏ qua, đến nội dung chính",
        "main_nav": "Điều hướng chính",
        "language": "Ngôn ngữ",
        "other_language": "English",
        "sign_in": "Đăng nhập",
        "sign_out": "Đăng xuất",
        "signed_in_as": "Đang đăng nhập:",
        "sign_in_title": "Đăng nhập vào hệ thống",
        "sign_in_text": "Dùng tài khoản do cơ quan cấp. Bạn sẽ được chuyển đến trang đăng nhập "
        "chung của Bộ, rồi quay lại đây.",
        "signed_out": "Bạn đã đăng xuất",
        "signed_out_text": "Phiên làm việc đã kết thúc trên máy này.",
        "session_expired": "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
        "not_authorised": "Bạn chưa được cấp quyền",
        "not_authorised_text": "Tài khoản {email} đã đăng nhập nhưng chưa có trong danh bạ "
        "cán bộ của hệ thống. Đề nghị liên hệ quản trị viên để được cấp vai trò.",
        "forbidden": "Không được phép",
        "csrf_refused": "Biểu mẫu không hợp lệ hoặc đã cũ (thiếu mã chống giả mạo). Vui lòng "
        "tải lại trang rồi gửi lại.",
        "sign_in_failed": "Đăng nhập không thành công",
        "sign_in_failed_text": "Không xác nhận được đăng nhập. Vui lòng thử lại.",
        "provider_down": "Không kết nối được máy chủ đăng nhập. Vui lòng thử lại sau.",
        "directory_down": "Không đọc được danh bạ cán bộ. Đề nghị liên hệ quản trị viên.",
        "too_large": "Nội dung gửi lên quá lớn",
        "too_large_detail": "Tệp hoặc biểu mẫu vượt quá dung lượng cho phép ({limit}).",
        "not_found": "Không tìm thấy",
        "invalid_address": "Địa chỉ trang không hợp lệ",
        "invalid_address_detail": "Giá trị không hợp lệ trong địa chỉ: {names}. Hãy quay lại "
        "trang trước hoặc về trang chính.",
        "error": "Có lỗi",
        "back_home": "Về trang chính",
        "try_again": "Đăng nhập lại",
        "messages": "Thông báo",
    },
    "en": {
        "skip": "Skip to main content",
        "main_nav": "Main navigation",
        "language": "Language",
        "other_language": "Tiếng Việt",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "signed_in_as": "Signed in as",
        "sign_in_title": "Sign in",
        "sign_in_text": "Use the account your agency gave you. You will be taken to the "
        "ministry's sign-in page and brought back here.",
        "signed_out": "You have signed out",
        "signed_out_text": "Your session on this computer has ended.",
        "session_expired": "Your session has expired. Please sign in again.",
        "not_authorised": "You are not authorised yet",
        "not_authorised_text": "The account {email} signed in but is not in the staff "
        "directory. Ask an administrator to give you a role.",
        "forbidden": "Not allowed",
        "csrf_refused": "This form is invalid or out of date (its anti-forgery token is "
        "missing). Reload the page and send it again.",
        "sign_in_failed": "Sign-in failed",
        "sign_in_failed_text": "The sign-in could not be confirmed. Please try again.",
        "provider_down": "The sign-in server cannot be reached. Please try again later.",
        "directory_down": "The staff directory cannot be read. Ask an administrator.",
        "too_large": "Too large",
        "too_large_detail": "The file or form is larger than allowed ({limit}).",
        "not_found": "Not found",
        "invalid_address": "This address is not valid",
        "invalid_address_detail": "A value in the address is not valid: {names}. Go back to "
        "the previous page or to the home page.",
        "error": "Something went wrong",
        "back_home": "Back to the home page",
        "try_again": "Sign in again",
        "messages": "Messages",
    },
}


class Labels:
    def __init__(self, labels: dict[str, dict[str, str]] | None = None) -> None:
        self._labels = {lang: dict(KIT_LABELS[lang]) for lang in LANGUAGES}
        if labels:
            self.extend(labels)

    def extend(self, labels: dict[str, dict[str, str]]) -> None:
        for lang in LANGUAGES:
            self._labels[lang].update(labels.get(lang, {}))

    def of(self, lang: str) -> dict[str, str]:
        return self._labels[lang if lang in LANGUAGES else DEFAULT]


class ValueLabels:
    """Stored codes in words (a state, an urgency, a format…), per language, with every
    workspace's names of the document types; an unknown code is shown as it is."""

    def __init__(self, labels: dict[str, dict[str, str]]) -> None:
        self._labels = {
            lang: {**labels.get(lang, {}), **_document_types(lang)} for lang in LANGUAGES
        }

    def __call__(self, lang: str, value: object) -> str:
        text = "" if value is None else str(value)
        return self._labels.get(lang, self._labels[DEFAULT]).get(text, text)


def _document_types(lang: str) -> dict[str, str]:
    return {
        doc_type.value: (vi if lang == "vi" else en)
        for doc_type, (_abbr, vi, en) in DOCUMENT_TYPES.items()
    }


def language(request: Request) -> str:
    """The page's language: ``?lang=`` (remembered), else the session's, else Vietnamese."""
    session: dict[str, Any] = request.scope.get("session", {})
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        session[SESSION_KEY] = asked
        return asked
    kept = session.get(SESSION_KEY)
    return kept if kept in LANGUAGES else DEFAULT
