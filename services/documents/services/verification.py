"""Does a document, a signature or a file match what the issuer issued?"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from services.documents.domain.lifecycle import NUMBERED_STATES, State
from services.documents.errors import InvalidInput
from services.documents.repositories.documents import DocumentRepository
from services.documents.repositories.files import FileStore
from services.documents.services.attachments import documents_with, may_fetch
from services.documents.services.signing_keys import KeyRing
from shared.auth.principal import Principal
from shared.contracts.models import DocumentSignature, SignedDocument
from shared.kit.types import Doc
from shared.signing import form_of, verify


def _summary(doc: Doc) -> Doc:
    return {
        "document_id": doc["_id"],
        "notation": doc.get("notation"),
        "state": doc["state"],
        "issue_date": doc.get("issue_date"),
    }


class VerificationService:
    def __init__(self, documents: DocumentRepository, files: FileStore, keys: KeyRing) -> None:
        self._documents = documents
        self._files = files
        self._keys = keys

    async def jwks(self) -> dict[str, Any]:
        """Every key the issuer ever signed with."""
        return await self._keys.jwks()

    async def _issued(self, principal: Principal | None, document_id: str) -> Doc | None:
        doc = await self._documents.get(document_id)
        if doc is None or State(doc["state"]) not in NUMBERED_STATES:
            return None
        # Public verification must not reveal documents the caller could not fetch.
        if principal is None or principal.is_service:
            return doc if doc.get("published") or doc.get("dispatched") else None
        return doc if may_fetch(principal, doc) else None

    async def by_id(self, principal: Principal | None, document_id: str) -> Doc:
        doc = await self._issued(principal, document_id)
        if doc is None:
            return {"valid": False, "reason": "no issued document with this id is known to you"}
        signature = DocumentSignature(**doc["signature"])
        valid = verify(doc["signed"], signature, await self._keys.jwks())
        return {
            "valid": valid,
            "kid": signature.kid,
            "signature_form": form_of(signature).value,
            **_summary(doc),
        }

    async def by_signature(self, principal: Principal | None, document: Doc, signature: Doc) -> Doc:
        try:
            signed = SignedDocument.model_validate(document)
            sig = DocumentSignature.model_validate(signature)
        except ValidationError as exc:
            raise InvalidInput(
                f"not a signed document and signature: {exc.error_count()} errors", "document"
            ) from exc
        signature_valid = verify(signed, sig, await self._keys.jwks())
        doc = await self._issued(principal, signed.document_id)
        matches = doc is not None and doc["signed"] == signed.model_dump(mode="json")
        result: Doc = {
            "valid": signature_valid and matches,
            "signature_valid": signature_valid,
            "matches_issued": matches,
            "kid": sig.kid,
            "signature_form": form_of(sig).value,
        }
        if doc is not None:
            result.update(_summary(doc))
        return result

    async def by_file(self, principal: Principal | None, sha256: str) -> Doc:
        docs = [
            d
            for d in await documents_with(self._documents, self._files, sha256)
            if State(d["state"]) in NUMBERED_STATES and may_fetch(principal, d)
        ]
        return {"valid": bool(docs), "sha256": sha256, "documents": [_summary(d) for d in docs]}
