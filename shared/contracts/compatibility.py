"""Whether a new JSON Schema of a ``.v1`` contract still accepts what the old one accepted.

Consumers replay the documents topics from their first record (docs/architecture.md §2), so
a consumer built on the new schema must read every event written under the old one. A change
breaks them when the new schema refuses something the old one accepted: a field removed (the
models refuse unknown fields), a type narrowed, a field newly required, an enum value removed,
a bound tightened, a pattern or format changed. Adding an optional field, an enum value or a
type, or loosening a bound, is additive.

Pure functions over the schemas pydantic generates (``$ref`` into ``$defs``, ``anyOf`` for
unions); words such as ``title``, ``description``, ``default`` and ``examples`` do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]

_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_EXACT = ("pattern", "format", "multipleOf")


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """What ``new`` refuses that ``old`` accepted, one line per finding (empty: compatible)."""
    return _Comparison(old, new).compare(old, new, "$", frozenset())


def _types(schema: Schema) -> set[str] | None:
    """The JSON types a schema allows; None when it does not say (any type)."""
    declared = schema.get("type")
    if declared is None:
        values = _enum(schema)
        if values is None:
            return None
        return {_json_type(v) for v in values}
    types = {declared} if isinstance(declared, str) else set(declared)
    if "number" in types:
        types.add("integer")  # every integer is a number
    return types


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _enum(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _alternatives(schema: Schema) -> list[Schema] | None:
    for word in ("anyOf", "oneOf"):
        branches = schema.get(word)
        if isinstance(branches, list) and branches:
            return [b for b in branches if isinstance(b, Mapping)]
    return None


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._old_root = old_root
        self._new_root = new_root

    @staticmethod
    def _resolve(schema: Schema, root: Schema) -> Schema:
        hops = 0
        while isinstance(schema.get("$ref"), str) and hops < 50:
            ref = str(schema["$ref"])
            if not ref.startswith("#/"):
                raise ValueError(f"only local references are compared, not {ref}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **siblings}
            hops += 1
        return schema

    def compare(self, old: Schema, new: Schema, path: str, seen: frozenset[str]) -> list[str]:
        # ``seen`` holds the definitions being compared on the way here: a recursive one
        # is compared once.
        marker = f"{old.get('$ref')}|{new.get('$ref')}"
        if "$ref" in old and "$ref" in new:
            if marker in seen:
                return []
            seen = seen | {marker}
        old = self._resolve(old, self._old_root)
        new = self._resolve(new, self._new_root)
        old_branches, new_branches = _alternatives(old), _alternatives(new)
        if old_branches is not None or new_branches is not None:
            return self._compare_unions(old_branches or [old], new_branches or [new], path, seen)
        problems = self._compare_types(old, new, path)
        if problems:
            return problems
        problems += self._compare_enums(old, new, path)
        problems += self._compare_bounds(old, new, path)
        problems += self._compare_objects(old, new, path, seen)
        if isinstance(old.get("items"), Mapping) or isinstance(new.get("items"), Mapping):
            problems += self.compare(old.get("items", {}), new.get("items", {}), f"{path}[]", seen)
        return problems

    def _compare_unions(
        self, old: list[Schema], new: list[Schema], path: str, seen: frozenset[str]
    ) -> list[str]:
        problems: list[str] = []
        for branch in old:
            resolved = self._resolve(branch, self._old_root)
            wanted = _types(resolved)
            candidates: list[list[str]] = []
            for other in new:
                offered = _types(self._resolve(other, self._new_root))
                if offered is None or (wanted is not None and wanted <= offered):
                    candidates.append(self.compare(branch, other, path, seen))
            if not candidates:
                kinds = " or ".join(sorted(wanted or {"any"}))
                problems.append(f"{path}: no longer accepts {kinds}")
                continue
            problems.extend(sorted(candidates, key=len)[0])  # the closest match
        return problems

    @staticmethod
    def _compare_types(old: Schema, new: Schema, path: str) -> list[str]:
        wanted, offered = _types(old), _types(new)
        if offered is None or (wanted is not None and wanted <= offered):
            return []
        was = " or ".join(sorted(wanted)) if wanted else "any type"
        return [f"{path}: type narrowed from {was} to {' or '.join(sorted(offered))}"]

    @staticmethod
    def _compare_enums(old: Schema, new: Schema, path: str) -> list[str]:
        before, after = _enum(old), _enum(new)
        if after is None:
            return []
        if before is None:
            return [f"{path}: now restricted to the values {after}"]
        removed = [v for v in before if v not in after]
        return [f"{path}: values removed: {removed}"] if removed else []

    @staticmethod
    def _compare_bounds(old: Schema, new: Schema, path: str) -> list[str]:
        problems: list[str] = []
        for word in _LOWER_BOUNDS:
            if word in new and (word not in old or new[word] > old[word]):
                problems.append(f"{path}: {word} raised to {new[word]} (was {old.get(word)})")
        for word in _UPPER_BOUNDS:
            if word in new and (word not in old or new[word] < old[word]):
                problems.append(f"{path}: {word} lowered to {new[word]} (was {old.get(word)})")
        for word in _EXACT:
            if word in new and new[word] != old.get(word):
                problems.append(f"{path}: {word} changed to {new[word]!r} (was {old.get(word)!r})")
        return problems

    def _compare_objects(
        self, old: Schema, new: Schema, path: str, seen: frozenset[str]
    ) -> list[str]:
        problems: list[str] = []
        old_fields: Mapping[str, Any] = old.get("properties", {})
        new_fields: Mapping[str, Any] = new.get("properties", {})
        closed = new.get("additionalProperties") is False
        for name, schema in old_fields.items():
            if name in new_fields:
                problems += self.compare(schema, new_fields[name], f"{path}.{name}", seen)
            else:
                refused = " (and now refused)" if closed else ""
                problems.append(f"{path}.{name}: field removed{refused}")
        newly_required = sorted(set(new.get("required", [])) - set(old.get("required", [])))
        problems += [f"{path}.{name}: newly required" for name in newly_required]
        if (
            closed
            and old.get("additionalProperties") is not False
            and "object" in (_types(old) or set())
        ):
            problems.append(f"{path}: unknown fields now refused")
        return problems
