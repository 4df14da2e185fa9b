"""The SSRF guard (special-purpose ranges, pinned connections) and webhook bodies as
CloudEvents 1.0 that the cloudevents and standardwebhooks packages accept."""

from __future__ import annotations

import datetime as dt
import json

import httpcore
import httpx
import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from standardwebhooks import Webhook

from services.lgsp.domain.payload import delivery_payload
from services.lgsp.domain.signing import new_webhook_secret, webhook_headers
from services.lgsp.domain.webhook_url import UnsafeWebhookUrl, check_addresses, is_private_address
from services.lgsp.services.pinned_transport import PinnedBackend, pinned_transport


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # shared address space: a cloud metadata endpoint
        "100.64.0.1",
        "169.254.169.254",
        "192.0.0.8",
        "198.18.0.1",
        "192.88.99.1",
        "0.1.2.3",
        "255.255.255.255",
        "::ffff:100.100.100.200",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4
        "fd00::1",
        "fe80::1",
        "2001:db8::1",
    ],
)
def test_every_special_purpose_address_is_refused(address: str) -> None:
    assert is_private_address(address)
    with pytest.raises(UnsafeWebhookUrl):
        check_addresses("partner.example", [address])


@pytest.mark.parametrize("address", ["8.8.8.8", "203.113.131.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert not is_private_address(address)


async def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    answers = [["93.184.216.34"], ["127.0.0.1"]]  # a rebinding resolver: public, then local
    resolved: list[str] = []

    async def resolve(host: str) -> list[str]:
        resolved.append(host)
        return answers.pop(0)

    backend = PinnedBackend(resolve)
    connected: list[str] = []

    async def fake_connect(host: str, port: int, *args: object, **kwargs: object) -> object:
        connected.append(host)
        raise httpcore.ConnectError("no network in unit tests")

    backend._inner.connect_tcp = fake_connect  # type: ignore[method-assign]
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("partner.example", 443)
    assert connected == ["93.184.216.34"]  # the checked address, not a fresh lookup
    with pytest.raises(httpcore.ConnectError, match="private or loopback"):
        await backend.connect_tcp("partner.example", 443)
    assert connected == ["93.184.216.34"]  # the rebound answer never got a connection
    assert resolved == ["partner.example", "partner.example"]


async def test_the_pinned_client_refuses_a_host_that_resolves_inside() -> None:
    async def resolve(host: str) -> list[str]:
        return ["100.100.100.200"]

    async with httpx.AsyncClient(transport=pinned_transport(resolve)) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post("http://metadata.example/latest", content=b"{}")


def payload() -> dict[str, object]:
    return delivery_payload(
        "0f8e7c1e-4b7a-4a43-9d1c-1a2b3c4d5e6f",
        "gov.egov.document.published.v1",
        dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC),
        "doc-1",
        {"document_id": "doc-1", "attachments": [{"sha256": "a" * 64, "fetch_path": "/x"}]},
        "https://lgsp.example.gov.vn",
    )


def test_a_webhook_body_is_a_valid_structured_cloudevent() -> None:
    body = json.dumps(payload()).encode()
    message = HTTPMessage(headers={"content-type": "application/cloudevents+json"}, body=body)
    # The SDK refuses a body without specversion, id, source or type.
    event = from_structured(message, JSONFormat(), CloudEvent)
    assert event.get_specversion() == "1.0"
    assert event.get_id() == payload()["id"]
    assert event.get_source() == "urn:egov:documents"
    assert event.get_type() == "gov.egov.document.published.v1"
    assert event.get_subject() == "doc-1"
    assert event.get_time() == dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    assert event.get_datacontenttype() == "application/json"
    data = event.get_data()
    assert isinstance(data, dict)
    assert data["attachments"][0]["url"].endswith("/api/v1/files/" + "a" * 64)


def test_the_old_webhook_body_was_no_cloudevent() -> None:
    old = {k: v for k, v in payload().items() if k not in ("specversion", "source")}
    message = HTTPMessage(headers={}, body=json.dumps(old).encode())
    with pytest.raises(Exception):  # noqa: B017 - the SDK's error types vary by field
        from_structured(message, JSONFormat(), CloudEvent)


def test_a_webhook_is_verified_by_standardwebhooks_with_the_cloudevent_id() -> None:
    secret = new_webhook_secret()
    body = json.dumps(payload()).encode()
    headers = webhook_headers(
        [secret], str(payload()["id"]), int(dt.datetime.now().timestamp()), body
    )
    verified = Webhook(secret).verify(body, headers)
    assert verified["id"] == headers["webhook-id"]


@pytest.mark.parametrize("code", ["0", "E", "G10", "000.00.00.g10", "000.00.00.G10\n", "HIST.01"])
def test_partner_codes_must_have_the_registrys_form(code: str) -> None:
    from pydantic import ValidationError

    from services.lgsp.api.schemas import PartnerCreate, PartnerUpdate

    with pytest.raises(ValidationError):
        PartnerCreate(code=code, name="Sở")
    with pytest.raises(ValidationError):
        PartnerUpdate(code=code)


def test_a_registry_code_is_accepted() -> None:
    from services.lgsp.api.schemas import PartnerCreate

    assert PartnerCreate(code="000.00.31.H01", name="Sở").code == "000.00.31.H01"


@pytest.mark.parametrize("field", ["code", "name", "format", "state"])
def test_a_partner_field_set_to_null_is_refused_and_only_the_webhook_may_be_cleared(
    field: str,
) -> None:
    from pydantic import ValidationError

    from services.lgsp.api.schemas import PartnerUpdate

    with pytest.raises(ValidationError, match="cannot be null"):
        PartnerUpdate.model_validate({field: None})
    cleared = PartnerUpdate.model_validate({"webhook_url": None})
    assert cleared.model_dump(exclude_unset=True) == {"webhook_url": None}
    assert PartnerUpdate.model_validate({}).model_dump(exclude_unset=True) == {}
