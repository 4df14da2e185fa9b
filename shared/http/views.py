"""Building blocks of the response models (``XView``) of the three services' APIs.

A route declares ``response_model=XView``: FastAPI then validates what the route returns
against the model (a mismatch is a bug, found by the schema fuzzing of the test suite) and the
OpenAPI document shows the model. Times keep the form the services always sent
(``datetime.isoformat()``, ``+00:00``), not pydantic's ``Z``, so the JSON clients see does not
change.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


def _iso(value: dt.datetime | dt.date) -> str:
    return value.isoformat()


Timestamp = Annotated[
    dt.datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    Field(description="RFC 3339 time, UTC"),
]
DateText = Annotated[str, Field(description="calendar date, YYYY-MM-DD")]


def plain(value: Any) -> Any:
    """Times (also nested) as ISO strings, as JSON carries them."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class View(BaseModel):
    """A response body with exactly the fields it names."""

    model_config = ConfigDict(extra="ignore")


class OpenView(BaseModel):
    """A response body whose named fields are always there, with more that depend on the
    resource's state (they are listed in the description of the model)."""

    model_config = ConfigDict(extra="allow")


class HealthView(View):
    status: str = Field(examples=["ok"])
    service: str = Field(examples=["documents"])


class ReadinessChecks(View):
    mongo: str = Field(description="ok or unreachable")
    kafka: str = Field(description="ok or unreachable")


class ReadinessView(View):
    status: str = Field(description="ready, degraded (Kafka unreachable) or unavailable")
    checks: ReadinessChecks


def binary_response(description: str, media_types: tuple[str, ...]) -> dict[int | str, Any]:
    """The ``responses`` entry of a route that answers with a file's bytes."""
    schema = {"type": "string", "format": "binary"}
    return {
        200: {"description": description, "content": {m: {"schema": schema} for m in media_types}}
    }
