"""Demo documents, loaded through the HTTP API with development tokens (`egov demo`).

Facts from the ministry's launch of its e-Government systems (DEMO.md); the texts are ours.
The decision gets number 1637 when the outgoing register of the current year is configured
to start there: EGOV_DOCUMENTS_REGISTER_STARTS='{"BNG:outgoing:<year>": 1637}'
(see :func:`demo_register_starts`). Running the loader twice creates nothing new: creates
carry an Idempotency-Key and transitions already made are skipped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx

from services.documents.domain.numbering import register_year
from shared import demo
from shared.auth.principal import Role
from shared.auth.tokens import issue_dev_token
from shared.contracts.vocabulary import Confidentiality

UNIT = "CNTT"
DECISION_NUMBER = 1637
MINISTER = {
    "name": "Bùi Thanh Sơn",
    "position": "Phó Thủ tướng Chính phủ, Bộ trưởng Bộ Ngoại giao",
    "competence": "BỘ TRƯỞNG",
}
DIRECTOR = {
    "name": "Nguyễn Minh Hằng",
    "position": "Cục trưởng Cục Cơ yếu - Công nghệ thông tin",
    "competence": "TL. BỘ TRƯỞNG",
}

DOCUMENTS: list[tuple[str, dict[str, Any]]] = [
    (
        "decision-digital-transformation",
        {
            "doc_type": "quyet_dinh",
            "subject": (
                "Về việc giao nhiệm vụ triển khai chuyển đổi số và đưa vào vận hành các hệ "
                "thống Chính phủ điện tử của Bộ Ngoại giao"
            ),
            "field": "Chuyển đổi số",
            "access": "public",
            "signer": MINISTER,
            "recipients_internal": ["VP", "TCCB", "CNTT"],
            "body": (
                "Điều 1. Giao các đơn vị thuộc Bộ triển khai nhiệm vụ chuyển đổi số, đưa vào "
                "vận hành Cổng thông tin điện tử, Hệ thống quản lý văn bản và điều hành, Nền "
                "tảng chia sẻ, tích hợp dữ liệu cấp Bộ (LGSP).\n"
                "Điều 2. Cục Cơ yếu - Công nghệ thông tin chủ trì, phối hợp với các đơn vị tổ "
                "chức tập huấn kiến thức, kỹ năng số cho cán bộ, công chức, viên chức.\n"
                "Điều 3. Quyết định này có hiệu lực kể từ ngày ký."
            ),
        },
    ),
    (
        "plan-digital-literacy",
        {
            "doc_type": "ke_hoach",
            "subject": (
                'Triển khai Phong trào "Bình dân học vụ số" tại Bộ Ngoại giao, thực hiện Kế '
                "hoạch số 01-KH/BCĐTW ngày 21/3/2025 của Ban Chỉ đạo Trung ương và Nghị quyết "
                "số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị"
            ),
            "field": "Chuyển đổi số",
            "access": "public",
            "signer": MINISTER,
            "body": (
                "I. MỤC ĐÍCH, YÊU CẦU\n"
                "Phổ cập kiến thức, kỹ năng số cơ bản cho toàn thể cán bộ, công chức, viên chức "
                "của Bộ; hướng tới hệ sinh thái Chính phủ điện tử thời gian thực, tiết kiệm thời "
                "gian, đơn giản hóa thủ tục, xây dựng nền ngoại giao hiện đại, chuyên nghiệp.\n"
                "II. NHIỆM VỤ\n"
                "1. Tổ chức các lớp tập huấn về chuyển đổi số và kỹ năng số.\n"
                "2. Khai thác hiệu quả ba hệ thống vừa đưa vào vận hành."
            ),
        },
    ),
    (
        "letter-data-sharing",
        {
            "doc_type": "cong_van",
            "subject": "V/v phối hợp kết nối, chia sẻ dữ liệu qua Nền tảng LGSP của Bộ Ngoại giao",
            "access": "internal",
            "urgency": "khan",
            "signer": DIRECTOR,
            "recipients_external": [demo.WEBHOOK_PARTNER_CODE],
            "body": (
                f"Kính gửi: {demo.WEBHOOK_PARTNER_NAME}.\n"
                "Bộ Ngoại giao đã đưa vào vận hành Nền tảng chia sẻ, tích hợp dữ liệu cấp Bộ. "
                "Đề nghị Quý Cơ quan cử đầu mối kỹ thuật phối hợp kết nối, trao đổi văn bản "
                "điện tử."
            ),
        },
    ),
    (
        "notice-systems-in-operation",
        {
            "doc_type": "thong_bao",
            "subject": "Thông báo đưa vào vận hành Hệ thống quản lý văn bản và điều hành",
            "access": "internal",
            "signer": DIRECTOR,
            "recipients_external": [demo.INBOX_PARTNER_CODE],
            "body": (
                f"Kính gửi: {demo.INBOX_PARTNER_NAME}.\n"
                "Từ nay, văn bản gửi Bộ Ngoại giao đề nghị gửi qua Nền tảng LGSP của Bộ."
            ),
        },
    ),
    (
        "report-information-security",
        {
            "doc_type": "bao_cao",
            "subject": "Báo cáo tình hình bảo đảm an toàn thông tin các hệ thống Chính phủ điện tử",
            "access": "internal",
            "confidentiality": "mat",
            "signer": DIRECTOR,
            "body": "Nội dung mật: chỉ lưu hành trong hệ thống quản lý văn bản.",
        },
    ),
]


def demo_register_starts(now: dt.datetime | None = None) -> dict[str, int]:
    """The register start that gives the demo decision its real number."""
    year = register_year(now or dt.datetime.now(dt.UTC))
    return {f"{demo.ISSUER_CODE}:outgoing:{year}": DECISION_NUMBER}


# What the clerks and the CNTT unit did with the documents the demo agencies sent in
# (sender's notation -> steps), so that a newcomer sees several states at once. The third one,
# whose signature does not verify, is left for a clerk to decide on.
INCOMING_STEPS: dict[str, tuple[str, ...]] = {
    "512/BNV-CCVC": ("accept", "assign", "progress"),
    "2045/UBND-KT": ("accept",),
}
INCOMING_WAIT_S = 30.0


def _headers(role: Role) -> dict[str, str]:
    token = issue_dev_token(
        user=f"demo-{role}",
        roles=[role],
        clearance=Confidentiality.MAT,
        unit=UNIT,
        audience=["documents"],
    )
    return {"Authorization": f"Bearer {token}"}


async def _step(
    client: httpx.AsyncClient, doc: dict[str, Any], action: str, role: Role
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/documents/{doc['id']}/{action}",
        headers={**_headers(role), "If-Match": f'"{doc["version"]}"'},
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


async def load_demo(
    base_url: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> list[str]:
    """Create, submit, approve and issue the demo documents; returns their ids."""
    ids: list[str] = []
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30) as client:
        for slug, fields in DOCUMENTS:
            body = {"drafting_unit": UNIT, **fields}
            created = await client.post(
                "/api/v1/documents",
                json=body,
                headers={**_headers(Role.DRAFTER), "Idempotency-Key": f"demo-{slug}"},
            )
            created.raise_for_status()
            doc: dict[str, Any] = created.json()
            if doc["state"] == "draft":
                doc = await _step(client, doc, "submit", Role.DRAFTER)
            if doc["state"] == "submitted":
                doc = await _step(client, doc, "approve", Role.APPROVER)
            if doc["state"] == "approved":
                doc = await _step(client, doc, "issue", Role.CLERK)
            ids.append(str(doc["id"]))
    return ids


async def _incoming_step(
    client: httpx.AsyncClient, doc: dict[str, Any], action: str
) -> dict[str, Any]:
    role = {"accept": Role.CLERK, "assign": Role.APPROVER}.get(action, Role.DRAFTER)
    body: dict[str, Any] = {}
    if action == "assign":
        deadline = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
        body = {
            "lead_unit": UNIT,
            "supporting_units": ["VP"],
            "deadline": deadline.isoformat(),
            "handler": f"demo-{Role.DRAFTER}",
            "instruction": "Giao Cục Cơ yếu - Công nghệ thông tin chủ trì, Văn phòng phối hợp",
            "note": "Đã giao đơn vị xử lý",
        }
    response = await client.post(
        f"/api/v1/incoming/{doc['id']}/{action}",
        json=body,
        headers={**_headers(role), "If-Match": f'"{doc["version"]}"'},
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


async def load_incoming(base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> int:
    """Move the documents the demo agencies sent in (through the LGSP) to a few states;
    waits for them to arrive. Returns how many steps were taken (0 on a second run)."""
    deadline = asyncio.get_running_loop().time() + INCOMING_WAIT_S
    steps = 0
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30) as client:
        waiting = dict(INCOMING_STEPS)
        while waiting and asyncio.get_running_loop().time() < deadline:
            listed = await client.get(
                "/api/v1/incoming", params={"limit": 200}, headers=_headers(Role.CLERK)
            )
            listed.raise_for_status()
            for doc in listed.json()["items"]:
                todo = waiting.get(str(doc.get("sender_notation")))
                if todo is None or doc["state"] == "receiving":
                    continue
                del waiting[str(doc["sender_notation"])]
                done = {"accepted": 1, "assigned": 2, "in_progress": 3}.get(doc["state"], 0)
                for action in todo[done:]:
                    doc = await _incoming_step(client, doc, action)
                    steps += 1
            if waiting:
                await asyncio.sleep(0.5)
    return steps
