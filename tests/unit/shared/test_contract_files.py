"""The committed contracts/ folder: up to date, never broken incompatibly, and true to what
the services really send (event records and webhook bodies)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from typer.testing import CliRunner

from egov_cli import contracts as contract_files
from egov_cli.main import app
from services.lgsp.domain.payload import delivery_payload
from services.lgsp.domain.routing import routable
from shared.contracts.events import EVENTS, EventSpec
from shared.contracts.schemas import contract_schemas, webhook_specs

FIXTURES = Path(__file__).parents[3] / "shared" / "contracts" / "fixtures"
ROOT = contract_files.ROOT


def fixture(spec: EventSpec) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{spec.model.event_name}.json").read_text())
    return data


def committed(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / path).read_text(encoding="utf-8"))
    return data


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_the_committed_contracts_are_what_the_models_generate() -> None:
    stale = contract_files.stale()
    assert stale == [], f"stale contracts, run `egov contracts`: {stale}"


def test_no_v1_schema_changed_in_a_way_that_breaks_its_consumers() -> None:
    assert contract_files.breaking() == {}


def test_every_event_type_has_a_schema_and_every_partner_event_a_webhook_schema() -> None:
    paths = set(contract_schemas())
    assert {f"events/{spec.ce_type}.json" for spec in EVENTS} <= paths
    for spec in EVENTS:
        event = spec.model.model_validate(fixture(spec))
        delivered = f"webhooks/{spec.ce_type}.json" in paths
        # Exactly the events the LGSP routes to partners have a webhook body.
        try:
            routable(event)
            routed = True
        except ValueError:
            routed = False
        assert delivered == routed, spec.ce_type


@pytest.mark.parametrize("spec", EVENTS, ids=lambda s: s.ce_type)
def test_the_event_schema_accepts_the_record_value_and_refuses_unknown_fields(
    spec: EventSpec,
) -> None:
    check = validator(committed(f"events/{spec.ce_type}.json"))
    value = json.loads(spec.model.model_validate(fixture(spec)).model_dump_json())
    assert list(check.iter_errors(value)) == []
    assert not check.is_valid({**value, "surprise": 1})
    first_required = check.schema["required"][0]
    assert not check.is_valid({k: v for k, v in value.items() if k != first_required})


@pytest.mark.parametrize("spec", webhook_specs(), ids=lambda s: s.ce_type)
def test_the_webhook_schema_accepts_the_body_the_lgsp_sends(spec: EventSpec) -> None:
    check = validator(committed(f"webhooks/{spec.ce_type}.json"))
    event = spec.model.model_validate(fixture(spec))
    body = delivery_payload(
        "0b6f3b8e-5d1c-4f7a-9a57-2f64c4f1d9a1",
        spec.ce_type,
        dt.datetime(2025, 6, 2, 3, 0, tzinfo=dt.UTC),
        event.aggregate_id,
        event.model_dump(mode="json"),
        "https://lgsp.example.gov.vn",
    )
    assert list(check.iter_errors(body)) == []
    if body["data"].get("attachments"):
        assert "url" in body["data"]["attachments"][0]
        body["data"]["attachments"][0]["fetch_path"] = "/api/v1/files/x"
        assert not check.is_valid(body), "partners get URLs, never the producer's paths"
    assert not check.is_valid({**body, "type": "gov.egov.other.v1"})


def test_the_command_refuses_to_overwrite_a_v1_schema_with_a_breaking_change(
    tmp_path: Path,
) -> None:
    root = tmp_path / "contracts"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns("schemas-vendor"))
    runner = CliRunner()
    assert runner.invoke(app, ["contracts", "--check", "--root", str(root)]).exit_code == 0

    # The committed snapshot had a field the models no longer have: a removal.
    path = root / "events" / "gov.egov.document.revoked.v1.json"
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    snapshot["properties"]["legacy_code"] = {"type": "string"}
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    refused = runner.invoke(app, ["contracts", "--root", str(root)])
    assert refused.exit_code == 1
    assert "legacy_code: field removed" in refused.output
    assert "legacy_code" in path.read_text(encoding="utf-8"), "left as it was"

    # Tightened in the snapshot, looser in the models: additive, merely stale.
    del snapshot["properties"]["legacy_code"]
    snapshot["properties"]["reason"]["maxLength"] = 100
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    # The snapshot from before signatures had a JWS: the optional field is additive too.
    published = root / "events" / "gov.egov.document.published.v1.json"
    before_jws = json.loads(published.read_text(encoding="utf-8"))
    del before_jws["$defs"]["DocumentSignature"]["properties"]["jws"]
    published.write_text(json.dumps(before_jws), encoding="utf-8")
    stale = runner.invoke(app, ["contracts", "--check", "--root", str(root)])
    assert stale.exit_code == 1, stale.output
    assert "stale: events/gov.egov.document.revoked.v1.json" in stale.output
    assert "stale: events/gov.egov.document.published.v1.json" in stale.output
    assert runner.invoke(app, ["contracts", "--root", str(root)]).exit_code == 0
    assert contract_files.stale(root) == []
