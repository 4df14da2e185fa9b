"""What an operator sees of one run: one trace per document across the three services, and
logs that are JSON on every line and never hold a secret or a classified document.

The three services run as processes (as `make up` runs them) and export their spans to a
small OTLP/HTTP receiver inside the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from egov_cli.platform import Platform
from shared.contracts.vocabulary import Confidentiality
from tests.e2e.flow import CLEARED, LGSP_ADMIN, draft, issue, register_partner
from tests.support.infra import free_port, kafka_bootstrap, mongo_url, unique
from tests.support.kafka import eventually
from tests.support.partner_server import PartnerServer, partner_server
from tests.support.serving import serving

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("documents", "portal", "lgsp")


@dataclass
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    kind: int


@dataclass
class OtlpReceiver:
    port: int
    spans: list[ReceivedSpan] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def of_trace(self, trace_id: str) -> list[ReceivedSpan]:
        return [s for s in self.spans if s.trace_id == trace_id]


def _decode(body: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans: list[ReceivedSpan] = []
    for resource_spans in request.resource_spans:
        attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        service = attributes.get("service.name", "")
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(ReceivedSpan(service, span.name, span.trace_id.hex(), span.kind))
    return spans


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[OtlpReceiver]:
    state = OtlpReceiver(free_port())

    async def traces(request: Request) -> Response:
        state.spans.extend(_decode(await request.body()))
        reply = ExportTraceServiceResponse().SerializeToString()
        return Response(reply, media_type="application/x-protobuf")

    app = Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])
    async with serving(app, state.port):
        yield state


@dataclass
class Observed:
    platform: Platform
    urls: dict[str, str]
    receiver: OtlpReceiver

    def logs(self) -> dict[str, str]:
        return {p.name: p.log_path.read_text(errors="replace") for p in self.platform.processes}


@pytest.fixture(scope="module")
async def observed(
    servers: None, receiver: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Observed]:
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {
        "EGOV_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap(),
        "EGOV_MONGO_URL": mongo_url(),
        "EGOV_TOPIC_SUFFIX": "." + unique("obs"),
        "EGOV_HOME": os.environ["EGOV_HOME"],
        "PYTHONPATH": str(ROOT),
        "EGOV_PORTAL_DOCUMENTS_URL": urls["documents"],
        "EGOV_LGSP_DOCUMENTS_URL": urls["documents"],
        "EGOV_DOCUMENTS_LGSP_URL": urls["lgsp"],
        "EGOV_LGSP_PUBLIC_URL": urls["lgsp"],
        "EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS": "true",
        "EGOV_LGSP_WORKER_POLL_INTERVAL_S": "0.2",
        "EGOV_PORTAL_WORKER_INTERVAL_S": "0.5",
        "EGOV_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        # Every line a service can write, so the scan below sees everything.
        "EGOV_LOG_LEVEL": "DEBUG",
        "EGOV_PORTAL_METRICS_INTERVAL_S": "1",
    }
    for name in SERVICES:
        env[f"EGOV_{name.upper()}_MONGO_DATABASE"] = unique(f"obs_{name}_")
        env[f"EGOV_{name.upper()}_CONSUMER_GROUP"] = unique(f"obs-{name}-")
    log_dir = tmp_path_factory.mktemp("observed-logs")
    platform = Platform()
    try:
        for name, port in ports.items():
            platform.start(name, port, env, log_dir)
        await asyncio.to_thread(platform.wait_ready, 120)
        yield Observed(platform, urls, receiver)
    finally:
        await asyncio.to_thread(platform.stop)


@dataclass
class Run:
    partner: PartnerServer
    partner_secret: str
    partner_api_key: str
    public_id: str
    secret_subject: str
    secret_body: str
    secret_id: str


@pytest.fixture(scope="module")
async def run(observed: Observed) -> AsyncIterator[Run]:
    """One public document to the portal and a partner, one secret document kept inside."""
    async with (
        httpx.AsyncClient(base_url=observed.urls["documents"], timeout=20) as documents,
        httpx.AsyncClient(base_url=observed.urls["portal"], timeout=20) as portal,
        httpx.AsyncClient(base_url=observed.urls["lgsp"], timeout=20) as lgsp,
        partner_server() as receiver_of_feed,
    ):
        partner = await register_partner(
            lgsp, "000.00.00.G22", "Bộ Nội vụ", webhook_url=receiver_of_feed.url, feed=True
        )
        assert partner.secret
        public = await issue(documents, draft(), correlation_id="obs-" + uuid.uuid4().hex[:8])
        marker = uuid.uuid4().hex[:12]
        secret_subject = f"Kế hoạch tác chiến mật {marker}"
        secret_body = f"Nội dung tuyệt đối không được lộ {marker}"
        secret = draft(
            subject=secret_subject,
            body=secret_body,
            access="internal",
            confidentiality=Confidentiality.MAT.value,
        )
        secret_id = (await issue(documents, secret, cleared=True))["id"]
        # Read it back as cleared staff, so its content crosses the HTTP layer too.
        listed = await documents.get("/api/v1/documents", headers=CLEARED["clerk"])
        assert listed.status_code == 200

        async def on_portal() -> bool:
            return (await portal.get(f"/api/v1/documents/{public['id']}")).status_code == 200

        await eventually(on_portal, timeout=40)

        async def delivered() -> bool:
            return any(r.json.get("subject") == public["id"] for r in receiver_of_feed.received)

        await eventually(delivered, timeout=40)
        # The administrators' view of the partner, as an operator would look at it.
        await lgsp.get(f"/api/v1/partners/{partner.id}", headers=LGSP_ADMIN)
        yield Run(
            receiver_of_feed,
            partner.secret,
            partner.api_key,
            public["id"],
            secret_subject,
            secret_body,
            secret_id,
        )


async def test_one_document_is_one_trace_across_the_three_services(
    observed: Observed, run: Run
) -> None:
    webhook = next(r for r in run.partner.received if r.json.get("subject") == run.public_id)
    traceparent = webhook.headers.get("traceparent", "")
    assert traceparent.startswith("00-"), "the webhook call carries the trace context"
    trace_id = traceparent.split("-")[1]

    # A span is exported when it ends, and a parent ends after its children: wait until
    # every span the trace must hold has arrived (a child alone names its service too early).
    expected = {
        "the trace starts at the issuing request": lambda s: (
            s.service == "egov-documents" and "/issue" in s.name
        ),
        "the documents service publishes in it": lambda s: (
            s.service == "egov-documents" and "publish" in s.name
        ),
        "the portal processes the event in it": lambda s: (
            s.service == "egov-portal" and "process" in s.name
        ),
        "the delivery job keeps the trace": lambda s: (
            s.service == "egov-lgsp" and s.name == "lgsp.deliver"
        ),
        "the webhook call is a span of the same trace": lambda s: (
            s.service == "egov-lgsp" and s.name.startswith("POST")
        ),
    }

    def missing() -> list[str]:
        spans = observed.receiver.of_trace(trace_id)
        return [what for what, found in expected.items() if not any(map(found, spans))]

    async def complete() -> bool:
        return not missing()

    with contextlib.suppress(AssertionError):
        await eventually(complete, timeout=30)
    assert not missing(), f"missing from trace {trace_id}: {missing()}"


async def test_every_log_line_is_json_and_holds_no_secret(observed: Observed, run: Run) -> None:
    await asyncio.sleep(1)  # the last lines of the run
    forbidden = {
        "the secret document's subject": run.secret_subject,
        "the secret document's body": run.secret_body,
        "the partner's webhook secret": run.partner_secret,
        "the partner's API key": run.partner_api_key,
        "a bearer token": CLEARED["clerk"]["Authorization"].split()[1],
        "a private key": "PRIVATE KEY",
    }
    traced = 0
    for service, text in observed.logs().items():
        for what, value in forbidden.items():
            assert value not in text, f"{what} is in the {service} log"
        if service != "documents":
            assert run.secret_id not in text, f"the secret document's id is in the {service} log"
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines, f"the {service} log is empty"
        for line in lines:
            entry = json.loads(line)  # every line, libraries' included
            assert entry.get("level") and entry.get("timestamp"), line
            assert entry.get("service") == service, line
            traced += "trace_id" in entry
        handled = [json.loads(line) for line in lines if '"event.handled"' in line]
        for entry in handled:
            assert entry.get("trace_id") and entry.get("document_id"), entry
    assert traced, "log lines name their trace"


async def test_metrics_are_served_on_the_admin_port_only(observed: Observed, run: Run) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for process in observed.platform.processes:
            assert (await client.get(process.url + "/metrics")).status_code == 404
            assert process.admin_url
            readings = await client.get(process.admin_url + "/metrics")
            assert readings.status_code == 200
            assert "egov_http_request_seconds_bucket" in readings.text
            assert (await client.get(process.admin_url + "/readyz")).status_code == 200

        async def lag_read() -> str:
            text = (await client.get(observed.platform.processes[1].admin_url + "/metrics")).text
            return text if "egov_kafka_metrics_up 1.0" in text else ""

        portal_metrics = await eventually(lag_read, timeout=30)
    assert "egov_consumer_lag_records{" in portal_metrics
    assert "egov_event_age_seconds_count{" in portal_metrics
