"""The `egov` command finds the project's own files wherever it is installed from."""

from __future__ import annotations

from egov_cli.up import ROOT


def test_egov_up_finds_the_local_infrastructure_script() -> None:
    assert (ROOT / "deploy" / "local" / "infra.sh").is_file()


def test_egov_lgsp_verify_log_is_a_command_of_the_lgsp_group() -> None:
    from typer.testing import CliRunner

    from egov_cli.main import app

    result = CliRunner().invoke(app, ["lgsp", "verify-log", "--help"])
    assert result.exit_code == 0, result.output
    assert "--partner" in result.output


def test_egov_lgsp_verify_log_names_the_damaged_positions() -> None:
    from egov_cli.lgsp import _line

    damaged = {
        "log": "message-log",
        "chain": "p1",
        "ok": False,
        "floor_seq": 0,
        "last_seq": 20,
        "checked": 20,
        "problems": [
            {"seq": 9, "last_seq": 11, "problem": "missing", "detail": "no entry"},
            {"seq": 14, "problem": "reordered", "detail": "holds entry 15"},
        ],
    }
    line = _line(damaged)
    assert line.startswith("DAMAGED message-log p1")
    assert "9..11 missing" in line and "14 reordered (holds entry 15)" in line
    assert _line({**damaged, "ok": True, "problems": []}).startswith("ok ")
