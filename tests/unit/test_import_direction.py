"""The import direction the code relies on: shared/ imports nothing above it, domains stay
pure, use cases leave storage to the repositories."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("documents", "portal", "lgsp")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _offending(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted(folder.rglob("*.py")):
        for name in sorted(_imports(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


def test_shared_imports_nothing_above_it() -> None:
    assert _offending(ROOT / "shared", ("services", "egov_cli", "tests")) == []


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_domain_is_pure(service: str) -> None:
    forbidden = ("pymongo", "bson", "gridfs", "fastapi", "starlette", "httpx", "faststream")
    forbidden += ("shared.auth", "shared.http", "shared.messaging", "shared.runtime")
    assert _offending(ROOT / "services" / service / "domain", forbidden) == []


@pytest.mark.parametrize("service", SERVICES)
def test_use_cases_leave_storage_to_the_repositories(service: str) -> None:
    forbidden = ("pymongo", "bson", "gridfs", "fastapi", "starlette")
    assert _offending(ROOT / "services" / service / "services", forbidden) == []


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str) -> None:
    others = tuple(f"services.{o}" for o in SERVICES if o != service)
    assert _offending(ROOT / "services" / service, (*others, "egov_cli")) == []
