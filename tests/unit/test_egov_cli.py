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


def test_egov_token_refuses_a_lifetime_that_is_not_positive_or_above_a_day() -> None:
    from typer.testing import CliRunner

    from egov_cli.main import MAX_TOKEN_TTL_S, app

    runner = CliRunner()
    base = ["token", "--user", "lan", "--role", "drafter"]
    for ttl in ("-5", "0", str(MAX_TOKEN_TTL_S + 1), str(10 * 365 * 86400)):
        result = runner.invoke(app, [*base, "--ttl", ttl])
        assert result.exit_code == 2, (ttl, result.output)
        said = " ".join(result.output.replace("│", " ").split())  # unboxed, unwrapped
        assert f"Invalid value for --ttl: {ttl} is not a lifetime" in said
        assert "24 h at most" in said
    assert MAX_TOKEN_TTL_S == 86400


def test_egov_token_signs_a_token_for_a_lifetime_up_to_a_day() -> None:
    import jwt
    from typer.testing import CliRunner

    from egov_cli.main import MAX_TOKEN_TTL_S, app

    result = CliRunner().invoke(
        app, ["token", "--user", "lan", "--role", "drafter", "--ttl", str(MAX_TOKEN_TTL_S)]
    )
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == MAX_TOKEN_TTL_S
    assert claims["sub"] == "lan" and claims["roles"] == ["drafter"]
