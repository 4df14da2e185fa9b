"""A stand-in documents service (JWKS + claim-check files) on a real port, and events."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.contracts.events import DocumentPublished
from shared.contracts.models import (
    Attachment,
    ClaimCheck,
    DocumentSignature,
    OrgRef,
    SignedDocument,
    Signer,
)
from shared.contracts.vocabulary import Access, Confidentiality, DocumentType
from shared.signing import public_jwk, sign
from tests.support.infra import free_port


@dataclass
class DocumentsStandIn:
    """Serves ``/.well-known/jwks.json`` and ``/api/v1/files/{sha256}`` like the real one."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    kid: str = field(default_factory=lambda: f"k-{uuid.uuid4().hex[:8]}")
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_file(self, content: bytes, *, serve: bytes | None = None) -> str:
        """Register a file; ``serve`` makes the server send other bytes (a mismatch)."""
        sha = hashlib.sha256(content).hexdigest()
        self.files[sha] = content if serve is None else serve
        return sha

    def app(self) -> Starlette:
        async def jwks(_: Request) -> JSONResponse:
            self.requests.append("jwks")
            return JSONResponse({"keys": [public_jwk(self.key.public_key(), self.kid)]})

        async def file(request: Request) -> Response:
            sha = request.path_params["sha"]
            self.requests.append(f"file:{sha}:{request.headers.get('authorization', '')[:6]}")
            if sha not in self.files:
                return Response(status_code=404)
            return Response(self.files[sha], media_type="application/octet-stream")

        return Starlette(
            routes=[
                Route("/.well-known/jwks.json", jwks),
                Route("/api/v1/files/{sha}", file),
            ]
        )

    async def __aenter__(self) -> DocumentsStandIn:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        await self._task


def signed_document(
    *,
    document_id: str | None = None,
    notation: str = "1637/QĐ-BNG",
    subject: str = "Quyết định ban hành Kế hoạch chuyển đổi số",
    body: str = "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số.",
    doc_type: DocumentType = DocumentType.QUYET_DINH,
    issue_date: dt.date = dt.date(2025, 3, 28),
    access: Access = Access.PUBLIC,
    confidentiality: Confidentiality = Confidentiality.THUONG,
    field_name: str | None = "Chuyển đổi số",
    issuer: OrgRef | None = None,
    attachments: list[ClaimCheck] | None = None,
) -> SignedDocument:
    number = int(notation.split("/")[0])
    return SignedDocument(
        document_id=document_id or uuid.uuid4().hex,
        notation=notation,
        number=number,
        year=issue_date.year,
        doc_type=doc_type,
        subject=subject,
        issuer=issuer or OrgRef(code="000.00.00.G10", name="Bộ Ngoại giao"),
        signer=Signer(name="Bùi Thanh Sơn", position="Bộ trưởng"),
        issue_date=issue_date,
        effective_date=issue_date,
        field=field_name,
        access=access,
        confidentiality=confidentiality,
        body=body,
        attachments=[
            Attachment(**claim.model_dump(exclude={"fetch_path"})) for claim in attachments or []
        ],
    )


def claim_check(sha: str, size: int, name: str = "quyet-dinh.pdf") -> ClaimCheck:
    return ClaimCheck(
        attachment_id=uuid.uuid4().hex[:12],
        name=name,
        media_type="application/pdf",
        size=size,
        sha256=sha,
        fetch_path=f"/api/v1/files/{sha}",
    )


def published(
    server: DocumentsStandIn,
    document: SignedDocument,
    *,
    version: int = 5,
    attachments: list[ClaimCheck] | None = None,
    tamper: bool = False,
) -> DocumentPublished:
    """A DocumentPublished signed by the stand-in's key (``tamper``: signature of other text)."""
    signed_over = document.model_copy(update={"subject": "khác"}) if tamper else document
    return DocumentPublished(
        document_id=document.document_id,
        document_version=version,
        document=document,
        signature=DocumentSignature(
            kid=server.kid, value=sign(signed_over, server.key), signed_at=dt.datetime.now(dt.UTC)
        ),
        attachments=attachments or [],
        published_at=dt.datetime.now(dt.UTC),
    )
