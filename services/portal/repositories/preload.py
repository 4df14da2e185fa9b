"""Bulk preload of ready-made visible pages with all their index records (benchmarks).

``preload_pages(db, count)`` writes ``count`` pages as the projection would have left them
(signature already verified, nothing left to do in the work collections), and the records
that find them: slugs, notations, list buckets and their month directories, facet values,
search postings and their word directories, and each page's search record (what it is
indexed under, and what ranking and filters read of it).
Pages are spread over issue days (``per_day`` a day, newest ending at ``end``), as a
ministry's documents are.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from pymongo.asynchronous.database import AsyncDatabase

from services.portal.domain.index_records import IndexRecords
from services.portal.domain.page import SignatureStatus, sort_key
from services.portal.domain.slug import document_slug
from services.portal.repositories.bulk import insert_new
from services.portal.repositories.index_writes import write_index
from services.portal.repositories.model import ModelCollections
from shared.contracts.models import OrgRef, Signer
from shared.contracts.vocabulary import DocumentType
from shared.kit.types import Doc

BATCH = 2000
VOCABULARY = (
    "triển khai kế hoạch chuyển đổi số ngoại giao kinh tế văn hóa lãnh sự hộ chiếu đào tạo "
    "cán bộ hợp tác quốc tế hội nghị tổ chức quy chế quản lý dữ liệu an toàn thông tin "
    "bảo hộ công dân người Việt Nam ở nước ngoài biên giới lãnh thổ phân giới cắm mốc "
    "điều ước thỏa thuận thi đua khen thưởng ngân sách kiểm tra giám sát cải cách hành chính"
)
WORDS = VOCABULARY.split()
FIELDS = ["Chuyển đổi số", "Lãnh sự", "Ngoại giao kinh tế", "Tổ chức cán bộ", None]
ISSUERS = [
    OrgRef(code="000.00.00.G10", name="Bộ Ngoại giao").model_dump(mode="json"),
    OrgRef(code="000.00.31.H01", name="Cục Lãnh sự").model_dump(mode="json"),
    OrgRef(code="000.00.32.H01", name="Vụ Tổ chức cán bộ").model_dump(mode="json"),
]
ABBREVIATIONS = {
    DocumentType.QUYET_DINH: "QĐ",
    DocumentType.THONG_TU: "TT",
    DocumentType.CONG_VAN: "CV",
}


def make_page(n: int, day: dt.date, rng: random.Random, prefix: str) -> Doc:
    """One visible page, shaped like the projection's (``page_fields``) output."""
    document_id = f"{prefix}{n:08d}"
    doc_type = rng.choice(list(ABBREVIATIONS))
    notation = f"{n + 1}/{ABBREVIATIONS[doc_type]}-BNG"
    issuer = rng.choice(ISSUERS)
    subject = "Về việc " + " ".join(rng.sample(WORDS, 8))
    body = "Điều 1. " + " ".join(rng.choices(WORDS, k=40))
    published = dt.datetime.combine(day, dt.time(8), dt.UTC) + dt.timedelta(seconds=n % 86_400)
    signer = Signer(name="Bùi Thanh Sơn", position="Bộ trưởng").model_dump(mode="json")
    signed = {
        "document_id": document_id,
        "notation": notation,
        "subject": subject,
        "signer": signer,
        "drafting_unit": None,
        "language": "vi",
        "body": body,
    }
    return {
        "_id": document_id,
        "visible": True,
        "slug": document_slug(notation, day.year),
        "notation": notation,
        "number": n + 1,
        "year": day.year,
        "doc_type": str(doc_type),
        "subject": subject,
        "issuer": issuer,
        "issue_date": day.isoformat(),
        "effective_date": day.isoformat(),
        "field": rng.choice(FIELDS),
        "attachments": [],
        "published_at": published.isoformat(),
        "version": 1,
        "sort_key": sort_key(day, published, document_id),
        "signed": json.dumps(signed, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        "signature": {"kid": "preload", "value": "", "signed_at": published.isoformat()},
        "signature_status": str(SignatureStatus.VERIFIED),
        "applied": {"page": {"version": 1, "event_id": f"preload-{document_id}"}},
    }


async def preload_pages(
    db: AsyncDatabase[Doc],
    count: int,
    *,
    end: dt.date | None = None,
    per_day: int = 30,
    seed: int = 1,
    id_prefix: str = "pre",
) -> list[str]:
    """Write ``count`` visible pages and all their index records; returns their ids.

    The newest page is issued on ``end`` (default: today), ``per_day`` pages a day before
    it. Safe to run on a database that already has pages (records are merged).
    """
    rng = random.Random(seed)
    end = end or dt.date.today()
    index = IndexRecords()
    slugs: list[Doc] = []
    ids: list[str] = []
    batch: list[Doc] = []
    for n in range(count):
        page = make_page(n, end - dt.timedelta(days=n // per_day), rng, id_prefix)
        index.remember(page)
        slugs.append({"_id": page["slug"], "document_id": page["_id"]})
        ids.append(str(page["_id"]))
        batch.append(page)
        if len(batch) >= BATCH:
            await insert_new(db["pages"], batch)
            batch = []
    await insert_new(db["pages"], batch)
    await write_index(ModelCollections(db), index.changes(), slugs)
    return ids
