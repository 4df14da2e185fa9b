"""The pinned checking tools of deploy/tools.sh (installed once into the cache directory)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def tool(name: str) -> str:
    result = subprocess.run(
        ["bash", str(ROOT / "deploy" / "tools.sh"), name],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, f"installing {name} failed:\n{result.stderr[-3000:]}"
    return result.stdout.strip().splitlines()[-1]


def load_yaml(text: str) -> list[Any]:
    """YAML documents as Python values, read by the tools' own PyYAML (the project's
    environment does not depend on a YAML library)."""
    python = Path(tool("podman-compose")).parent / "python"
    result = subprocess.run(
        [
            str(python),
            "-c",
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))",
        ],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    documents: list[Any] = json.loads(result.stdout)
    return documents
