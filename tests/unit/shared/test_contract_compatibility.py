"""The breaking-change check: what a new .v1 schema may and may not do to its consumers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.compatibility import breaking_changes
from shared.contracts.schemas import contract_schemas


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Part(Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class V1(Strict):
    id: str = Field(min_length=1, max_length=64)
    count: int
    ratio: float = 0.0
    colour: Colour
    status: Literal["02", "03"]
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    at: dt.datetime


def schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def test_the_same_schema_is_compatible() -> None:
    assert breaking_changes(schema(V1), schema(V1)) == []


class AddedOptional(V1):
    extra: str | None = None
    more: list[int] = Field(default_factory=list)


class WiderColour(StrEnum):
    RED = "red"
    BLUE = "blue"
    GREEN = "green"


class Additive(Strict):
    id: str = Field(min_length=1, max_length=128)  # looser bound
    count: float  # integer -> number is wider
    ratio: float = 0.0
    colour: WiderColour
    status: Literal["02", "03", "04"]
    note: str | int | None = None
    tags: list[str] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    at: dt.datetime


@pytest.mark.parametrize("model", [AddedOptional, Additive])
def test_additive_changes_pass(model: type[BaseModel]) -> None:
    assert breaking_changes(schema(V1), schema(model)) == []


class FieldRemoved(Strict):
    id: str = Field(min_length=1, max_length=64)
    count: int
    ratio: float = 0.0
    colour: Colour
    status: Literal["02", "03"]
    tags: list[str] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    at: dt.datetime


class NewRequired(V1):
    reason: str


class TypeNarrowed(V1):
    ratio: int = 0  # type: ignore[assignment]


class NoLongerNullable(V1):
    note: str = ""  # type: ignore[assignment]


class NarrowColour(StrEnum):
    RED = "red"


class EnumValueRemoved(V1):
    colour: NarrowColour  # type: ignore[assignment]


class LiteralValueRemoved(V1):
    status: Literal["02"]  # type: ignore[assignment]


class TighterBound(V1):
    id: str = Field(min_length=1, max_length=32)


class OtherPattern(V1):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z]+$")


class Capped(V1):
    tags: list[str] = Field(default_factory=list, max_length=5)


class ItemTypeChanged(V1):
    tags: list[int] = Field(default_factory=list)  # type: ignore[assignment]


class PartWithoutSize(Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class NestedFieldRemoved(V1):
    parts: list[PartWithoutSize] = Field(default_factory=list)  # type: ignore[assignment]


class NotADate(V1):
    at: int  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("model", "finding"),
    [
        (FieldRemoved, "$.note: field removed"),
        (NewRequired, "$.reason: newly required"),
        (TypeNarrowed, "$.ratio: type narrowed from integer or number to integer"),
        (NoLongerNullable, "$.note: no longer accepts null"),
        (EnumValueRemoved, "$.colour: values removed: ['blue']"),
        (LiteralValueRemoved, "$.status: values removed: ['03']"),
        (TighterBound, "$.id: maxLength lowered to 32"),
        (OtherPattern, "$.id: pattern changed"),
        (Capped, "$.tags: maxItems lowered to 5"),
        (ItemTypeChanged, "$.tags[]: type narrowed from string to integer"),
        (NestedFieldRemoved, "$.parts[].size: field removed"),
        (NotADate, "$.at: type narrowed from string to integer"),
    ],
)
def test_breaking_changes_are_found(model: type[BaseModel], finding: str) -> None:
    problems = breaking_changes(schema(V1), schema(model))
    assert any(p.startswith(finding) for p in problems), problems


def test_adding_the_optional_jws_to_the_signature_was_additive() -> None:
    """What the event schemas were before document signatures gained their JWS form."""
    for path, current in contract_schemas().items():
        if "DocumentSignature" not in current.get("$defs", {}):
            continue
        before = {**current, "$defs": dict(current["$defs"])}
        signature = dict(before["$defs"]["DocumentSignature"])
        signature["properties"] = {k: v for k, v in signature["properties"].items() if k != "jws"}
        before["$defs"]["DocumentSignature"] = signature
        assert breaking_changes(before, current) == [], path
        # ... and taking it away again would break the consumers that read it.
        assert breaking_changes(current, before), path
