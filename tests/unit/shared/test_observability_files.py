"""The alert rules and the dashboard name only metrics the services really expose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import shared.metrics  # noqa: F401  (registers the metrics)

DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "observability"
METRIC = re.compile(r"\begov_[a-z_]+")
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def _exposed() -> set[str]:
    names: set[str] = set()
    for collector in list(REGISTRY._collector_to_names):
        for family in collector.describe() if hasattr(collector, "describe") else []:
            names.add(family.name)
    return names


def _known(name: str, exposed: set[str]) -> bool:
    base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), name)
    return name in exposed or base in exposed


def test_every_alert_is_well_formed_and_names_existing_metrics() -> None:
    rules = yaml.safe_load((DEPLOY / "alerts.yaml").read_text())
    exposed = _exposed()
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert len(alerts) >= 10
    for rule in alerts:
        assert rule["alert"].startswith("Egov") and rule["labels"]["severity"]
        assert rule["annotations"]["summary"]
        for name in METRIC.findall(rule["expr"]):
            assert _known(name, exposed), f"{rule['alert']} names unknown metric {name}"


def test_every_dashboard_panel_queries_existing_metrics() -> None:
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exposed = _exposed()
    covered: set[str] = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for name in METRIC.findall(target["expr"]):
                assert _known(name, exposed), f"{panel['title']} names unknown metric {name}"
                covered.add(name)
    for required in (
        "egov_consumer_lag_records",
        "egov_outbox_oldest_pending_seconds",
        "egov_lgsp_delivery_queue_depth",
        "egov_lgsp_delivery_oldest_due_seconds",
        "egov_lgsp_partner_parked",
        "egov_dead_letters_held",
        "egov_documents_numbering_reservations",
        "egov_http_request_seconds_bucket",
        "egov_event_age_seconds_bucket",
    ):
        assert required in covered, f"the dashboard lacks {required}"
