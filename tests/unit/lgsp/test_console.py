"""The LGSP console's parts without a server: labels, form reading, confirmations, the role
check, and escaping of what the templates render."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from services.lgsp.web.access import ConsoleRefused, console_admin
from services.lgsp.web.confirmations import PartnerAction, UnknownAction, confirmation_of
from services.lgsp.web.forms import (
    ConsoleInputInvalid,
    changed,
    listed,
    local_input,
    local_time,
    shown,
    text,
)
from services.lgsp.web.install import NAV, TEMPLATES
from services.lgsp.web.labels import LABELS, value_label
from shared.auth.principal import Principal, Role
from shared.web.i18n import KIT_LABELS, Labels
from shared.web.render import Renderer

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_both_languages_have_every_label_and_none_hides_behind_a_dict_method() -> None:
    assert LABELS["vi"].keys() == LABELS["en"].keys()
    # `t.keys` in a template would be the dict's method, not the label.
    assert not {k for k in LABELS["vi"] if hasattr(dict, k)}


def test_every_label_a_template_uses_exists() -> None:
    known = set(LABELS["vi"]) | set(KIT_LABELS["vi"])
    used: set[str] = set()
    for template in Path(TEMPLATES).glob("*.html"):
        source = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\.([a-z_]+)", source))
        used |= set(re.findall(r"\bt\[\"([a-z_]+)\"\]", source))
    assert used and used <= known, used - known
    assert {item.label_key for item in NAV} <= known


def test_stored_codes_are_shown_in_words_and_unknown_ones_as_they_are() -> None:
    assert value_label("vi", "suspended") == "Tạm dừng"
    assert value_label("en", "dead") == "Dead"
    assert value_label("vi", "about:document-lookup").startswith("Tra cứu")
    assert value_label("vi", HOSTILE) == HOSTILE
    assert value_label("en", None) == ""


def test_form_text_is_trimmed_and_bounded() -> None:
    assert text({"name": "  Bộ Tư pháp "}, "name") == "Bộ Tư pháp"
    assert text({"name": "   "}, "name") is None
    assert text({}, "name") is None
    with pytest.raises(ConsoleInputInvalid):
        text({"name": "x" * 11}, "name", 10)


def test_lists_are_typed_one_per_line_or_separated_by_commas() -> None:
    assert listed("000.00.00.G06\n 000.00.00.G22 , ;000.00.00.G06\n\n") == [
        "000.00.00.G06",
        "000.00.00.G22",
    ]
    assert listed(None) == []


def test_times_are_typed_and_shown_in_vietnam_time() -> None:
    utc = local_time("2026-03-02T08:15", "from")
    assert utc == dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
    assert local_input(utc) == "2026-03-02T08:15"
    assert shown(utc) == "02/03/2026 08:15:00"
    assert shown(None) == ""
    assert local_time(None, "from") is None
    with pytest.raises(ConsoleInputInvalid):
        local_time("yesterday", "from")


def test_an_unchanged_webhook_url_is_not_sent_as_a_new_endpoint() -> None:
    current = {"name": "A", "webhook_url": "https://a.example/h", "format": "json"}
    submitted = {"name": "B", "webhook_url": "https://a.example/h", "format": "json"}
    assert changed(current, submitted) == {"name": "B"}
    assert changed(current, {**submitted, "webhook_url": None}) == {
        "name": "B",
        "webhook_url": None,
    }


def _principal(*roles: Role) -> Principal:
    return Principal(user="u", roles=frozenset(roles))


def test_the_console_takes_the_api_administrators_role_only() -> None:
    assert console_admin(_principal(Role.LGSP_ADMIN)).user == "u"
    for role in (Role.DRAFTER, Role.CLERK, Role.PORTAL_EDITOR):
        with pytest.raises(ConsoleRefused):
            console_admin(_principal(role))


class _Partners:
    """The one read a confirmation makes: the partner's keys."""

    async def list_keys(self, partner_id: str) -> list[dict[str, Any]]:
        return [{"_id": "k1"}, {"_id": "k2", "revoked_at": dt.datetime.now(dt.UTC)}]


PARTNER = {"_id": "p1", "code": "000.00.00.G22", "name": HOSTILE, "state": "active", "version": 4}


async def _confirm(action: str, **query: str) -> Any:
    return await confirmation_of(
        PartnerAction.named(action),
        PARTNER,
        query,
        LABELS["vi"],
        _Partners(),  # type: ignore[arg-type]
        86400.0,
    )


async def test_confirmations_say_what_will_happen_and_carry_what_the_change_needs() -> None:
    suspend = await _confirm("suspend")
    assert suspend.fields == {"version": "4"}
    assert "000.00.00.G22" in suspend.lines[0] and "giữ lại" in suspend.lines[0]
    rotate = await _confirm("rotate-key")
    assert "1 khoá đang dùng bị thu hồi" in rotate.lines[0]
    secret = await _confirm("rotate-secret")
    assert "24 giờ" in secret.lines[0]
    revoke = await _confirm("revoke-key", key_id="k1")
    assert revoke.fields == {"key_id": "k1"}
    grant = await _confirm("revoke-grant", service="document-lookup")
    assert grant.fields == {"service": "document-lookup"}
    with pytest.raises(ConsoleInputInvalid):
        await _confirm("enable")  # already active
    with pytest.raises(ConsoleInputInvalid):
        await _confirm("revoke-grant", service="no-such-service")
    with pytest.raises(ConsoleInputInvalid):
        await _confirm("remove-certificate")  # which one?
    with pytest.raises(UnknownAction):
        PartnerAction.named("drop-everything")
    assert PartnerAction.DISABLE.section == "state"
    assert PartnerAction.REMOVE_CERTIFICATE.section == "certificates"


def _request(path: str) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [],
        "session": {},
    }
    return Request(scope)


def test_hostile_text_is_escaped_wherever_the_templates_show_it() -> None:
    renderer = Renderer("/console", TEMPLATES, Labels(LABELS), "site_title", NAV)
    partner = {
        "id": "p1",
        "code": "000.00.00.G22",
        "name": HOSTILE,
        "webhook_url": None,
        "format": "json",
        "state": "suspended",
        "parked_reason": HOSTILE,
    }
    common: dict[str, Any] = {"v": lambda value: value_label("vi", value), "when": shown}
    pages = [
        renderer.page(
            _request("/console/"),
            "partners.html",
            principal=_principal(Role.LGSP_ADMIN),
            title=HOSTILE,
            partners=[partner],
            next_cursor=None,
            **common,
        ),
        renderer.page(
            _request("/console/parked"),
            "parked.html",
            principal=_principal(Role.LGSP_ADMIN),
            title="x",
            partners=[partner],
            **common,
        ),
        renderer.page(
            _request("/console/partners/p1/confirm/suspend"),
            "confirm.html",
            principal=_principal(Role.LGSP_ADMIN),
            title="x",
            heading=HOSTILE,
            lines=[HOSTILE],
            action="/partners/p1/do/suspend",
            fields={"version": '4"><script>'},
            button="OK",
            back="/partners/p1",
            **common,
        ),
    ]
    for page in pages:
        body = bytes(page.body).decode()
        assert HOSTILE not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert '"><script>' not in body


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "0001-01-01T06:59", "2026-02-30T10:00"])
def test_a_time_outside_the_calendar_is_a_clear_refusal(typed: str) -> None:
    from services.lgsp.web.forms import ConsoleInputInvalid, local_time

    with pytest.raises(ConsoleInputInvalid):
        local_time(typed, "from")
