"""Demo news for `egov demo`, posted through the portal's editor API (idempotent)."""

from __future__ import annotations

import httpx

from shared.auth.principal import Role
from shared.auth.tokens import issue_dev_token

LAUNCH_KEY = "demo-news-launch"
LAUNCH = {
    "title": 'Bộ Ngoại giao phát động Phong trào "Bình dân học vụ số" và đưa vào vận hành '
    "ba hệ thống Chính phủ điện tử",
    "summary": "Lễ phát động do Phó Thủ tướng, Bộ trưởng Bộ Ngoại giao Bùi Thanh Sơn chủ trì; "
    "Cổng thông tin điện tử, Hệ thống quản lý văn bản và điều hành, Nền tảng chia sẻ, "
    "tích hợp dữ liệu cấp Bộ (LGSP) chính thức đi vào hoạt động.",
    "body": (
        "Tại buổi lễ, Phó Thủ tướng, Bộ trưởng Bùi Thanh Sơn đề nghị toàn thể cán bộ, công "
        "chức, viên chức thực hiện các nhiệm vụ tại Quyết định số 1637/QĐ-BNG và tích cực "
        "tham gia các khóa tập huấn về chuyển đổi số, kỹ năng số do Cục Cơ yếu - Công nghệ "
        "thông tin phối hợp với các đơn vị tổ chức.\n\n"
        "Phong trào được triển khai theo Kế hoạch số 01-KH/BCĐTW ngày 21/3/2025 của Ban Chỉ "
        "đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số, "
        "và Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị.\n\n"
        "Ba hệ thống thuộc Dự án Chính phủ điện tử của Bộ, xây dựng cùng Tập đoàn Bưu chính "
        "Viễn thông Việt Nam (VNPT), là bước tiến hướng tới hệ sinh thái Chính phủ điện tử "
        "thời gian thực trong Bộ: tiết kiệm thời gian, đơn giản hóa thủ tục và đặt nền móng "
        "cho một nền ngoại giao hiện đại, chuyên nghiệp.\n\n"
        "(Theo Báo Quốc tế)"
    ),
    "language": "vi",
}


async def load_demo(base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
    token = issue_dev_token(user="demo-editor", roles=[Role.PORTAL_EDITOR], audience=["portal"])
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": LAUNCH_KEY}
    async with httpx.AsyncClient(base_url=base_url, timeout=20, transport=transport) as client:
        response = await client.post("/api/v1/news", json=LAUNCH, headers=headers)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"the portal refused the demo news: {response.text}")
