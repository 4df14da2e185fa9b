"""Types every service uses: stored documents, aggregate versions, content hashes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

Doc = dict[str, Any]
SHA256_PATTERN = r"^[0-9a-f]{64}$"
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
Version = Annotated[int, Field(ge=1)]
