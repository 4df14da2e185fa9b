"""The `egov` command finds the project's own files wherever it is installed from."""

from __future__ import annotations

from egov_cli.up import ROOT


def test_egov_up_finds_the_local_infrastructure_script() -> None:
    assert (ROOT / "deploy" / "local" / "infra.sh").is_file()
