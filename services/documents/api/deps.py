"""What routers need from a request: the service's components; and the responses they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Concatenate, ParamSpec
from urllib.parse import quote

from fastapi import Depends, Path, Request
from fastapi.responses import JSONResponse, Response

from services.documents.api.schemas import document_view
from services.documents.components import DocumentsComponents, components_of
from services.documents.domain.files import FileBytes
from shared.auth.dependencies import CurrentPrincipal
from shared.auth.principal import Principal
from shared.http.concurrency import ExpectedVersion, etag
from shared.kit.types import Doc


def components_dep(request: Request) -> DocumentsComponents:
    return components_of(request.app.state.runtime)


ComponentsDep = Annotated[DocumentsComponents, Depends(components_dep)]
InboundId = Annotated[str, Path(min_length=1, max_length=64)]
P = ParamSpec("P")


@dataclass(frozen=True)
class Write:
    """One write on one record: who asks, the components, the record, the version it read."""

    principal: Principal
    components: DocumentsComponents
    target: str
    version: int

    async def apply(
        self,
        use_case: Callable[Concatenate[Principal, str, int, P], Awaitable[Doc]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Doc:
        """``use_case(principal, record, version, ...)``: the order every write of this API
        takes (the version from If-Match, 428 without it)."""
        return await use_case(self.principal, self.target, self.version, *args, **kwargs)


def document_write(
    document_id: str,
    principal: CurrentPrincipal,
    components: ComponentsDep,
    version: ExpectedVersion,
) -> Write:
    return Write(principal, components, document_id, version)


def incoming_write(
    inbound_id: InboundId,
    principal: CurrentPrincipal,
    components: ComponentsDep,
    version: ExpectedVersion,
) -> Write:
    return Write(principal, components, inbound_id, version)


DocumentWrite = Annotated[Write, Depends(document_write)]
IncomingWrite = Annotated[Write, Depends(incoming_write)]


def document_response(doc: Doc, status: int = 200) -> JSONResponse:
    return JSONResponse(
        document_view(doc), status_code=status, headers={"ETag": etag(int(doc["version"]))}
    )


def file_response(item: FileBytes) -> Response:
    """A file to download, never rendered by the browser in the API's origin."""
    return Response(
        item.data,
        media_type=item.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.name)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
