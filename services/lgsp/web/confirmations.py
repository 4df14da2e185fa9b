"""The confirmation pages of changes that cut a partner off or invalidate what it holds:
what exactly will happen, in the reader's language, before anything does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from services.lgsp.domain.partners import PartnerState, service_named
from services.lgsp.services.partners import PartnerService
from services.lgsp.web.forms import ConsoleInputInvalid, text
from shared.kit.errors import NotFound
from shared.kit.types import Doc


class UnknownAction(NotFound):
    def __init__(self) -> None:
        super().__init__("no such action on a partner")


class PartnerAction(StrEnum):
    SUSPEND = "suspend"
    DISABLE = "disable"
    ENABLE = "enable"
    ROTATE_KEY = "rotate-key"
    REVOKE_KEY = "revoke-key"
    ROTATE_SECRET = "rotate-secret"
    REVOKE_GRANT = "revoke-grant"
    DELETE_SUBSCRIPTION = "delete-subscription"
    REMOVE_CERTIFICATE = "remove-certificate"

    @classmethod
    def named(cls, value: str) -> PartnerAction:
        try:
            return cls(value)
        except ValueError as exc:
            raise UnknownAction() from exc

    @property
    def new_state(self) -> PartnerState | None:
        return {
            PartnerAction.SUSPEND: PartnerState.SUSPENDED,
            PartnerAction.DISABLE: PartnerState.DISABLED,
            PartnerAction.ENABLE: PartnerState.ACTIVE,
        }.get(self)

    @property
    def section(self) -> str:
        """The part of the partner's page where a refusal of this action is shown."""
        if self.new_state is not None:
            return "state"
        return {
            PartnerAction.ROTATE_KEY: "keys",
            PartnerAction.REVOKE_KEY: "keys",
            PartnerAction.ROTATE_SECRET: "secrets",
            PartnerAction.REVOKE_GRANT: "grants",
            PartnerAction.DELETE_SUBSCRIPTION: "subscriptions",
            PartnerAction.REMOVE_CERTIFICATE: "certificates",
        }[self]


@dataclass(frozen=True)
class Confirmation:
    heading: str
    lines: list[str]
    button: str
    fields: dict[str, str] = field(default_factory=dict)  # hidden fields of the form


async def confirmation_of(
    action: PartnerAction,
    partner: Doc,
    query: Mapping[str, str],
    t: Mapping[str, str],
    partners: PartnerService,
    secret_overlap_s: float,
) -> Confirmation:
    name = f"{partner['name']} ({partner['code']})"
    key = action.value.replace("-", "_")
    heading = t[f"confirm_{key}_title"]
    button = t[f"confirm_{key}_button"]
    if action.new_state is not None:
        if partner["state"] == action.new_state.value:
            raise ConsoleInputInvalid(t["state_already"], field="state")
        return Confirmation(
            heading,
            [t[f"confirm_{key}"].format(name=name)],
            button,
            {"version": str(partner["version"])},
        )
    if action is PartnerAction.ROTATE_KEY:
        active = [k for k in await partners.list_keys(partner["_id"]) if not k.get("revoked_at")]
        return Confirmation(
            heading, [t["confirm_rotate_key"].format(name=name, count=len(active))], button
        )
    if action is PartnerAction.ROTATE_SECRET:
        hours = dt.timedelta(seconds=secret_overlap_s).total_seconds() / 3600
        return Confirmation(
            heading, [t["confirm_rotate_secret"].format(name=name, hours=f"{hours:g}")], button
        )
    if action is PartnerAction.REVOKE_KEY:
        key_id = _required(query, "key_id")
        return Confirmation(
            heading,
            [t["confirm_revoke_key"].format(name=name, key=key_id)],
            button,
            {"key_id": key_id},
        )
    if action is PartnerAction.REVOKE_GRANT:
        service = service_named(_required(query, "service"))
        if service is None:
            raise ConsoleInputInvalid("no such service in the catalogue", field="service")
        return Confirmation(
            heading,
            [t["confirm_revoke_grant"].format(name=name, service=service.value)],
            button,
            {"service": service.value},
        )
    if action is PartnerAction.DELETE_SUBSCRIPTION:
        subscription_id = _required(query, "subscription_id")
        return Confirmation(
            heading,
            [t["confirm_delete_subscription"].format(name=name)],
            button,
            {"subscription_id": subscription_id},
        )
    fingerprint = _required(query, "fingerprint")
    return Confirmation(
        heading,
        [t["confirm_remove_certificate"].format(name=name, fingerprint=fingerprint)],
        button,
        {"fingerprint": fingerprint},
    )


def _required(query: Mapping[str, str], name: str) -> str:
    value = text(query, name, 200)
    if value is None:
        raise ConsoleInputInvalid(f"{name} is missing", field=name)
    return value
