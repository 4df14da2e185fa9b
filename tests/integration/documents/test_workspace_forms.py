"""The documents workspace's forms against the real app, FerretDB and Kafka: every page
calls the same use cases as the API with the same permission checks; a stale form never
overwrites; a form without its CSRF token is refused; hostile text stays text.

The session is the cookie the sign-in sets (test_workspace_flow.py signs in through Dex)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import re
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.documents.app import create_app
from shared.contracts import topics
from shared.contracts.events import InboundRecallRequested
from shared.contracts.vocabulary import SignatureVerdict
from shared.web.session import SIGNED_IN_AT, SessionCodec
from shared.web.workspace import Workspace
from tests.integration.documents import support
from tests.integration.documents.test_incoming import inbound
from tests.support.kafka import TopicReader, eventually, header, produce_event
from tests.support.services import running_app

ROOT = Path(__file__).resolve().parents[3]
DIRECTORY = ROOT / "deploy" / "local" / "dex" / "staff-directory.json"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PDF = b"%PDF-1.7\nworkspace test\n%%EOF\n"
DOCUMENT_URL = re.compile(r"/workspace/documents/([0-9A-Za-z]+)$")


@dataclass
class Staff:
    """One signed-in demo account: an HTTP client carrying its session cookie."""

    http: httpx.AsyncClient
    csrf: str

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params or None)

    async def post(
        self, path: str, data: dict[str, Any] | None = None, *, token: bool = True, **kw: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if token:
            form["csrf_token"] = self.csrf
        return await self.http.post(path, data=form, **kw)


@asynccontextmanager
async def signed_in(client: httpx.AsyncClient, email: str) -> AsyncIterator[Staff]:
    app = support.app_of(client)
    workspace: Workspace = app.state.workspace
    token = secrets.token_urlsafe(24)
    session = {"email": email, SIGNED_IN_AT: int(time.time()), "csrf": token}
    cookie = SessionCodec(workspace.policy).dumps(session)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        # As the sign-in sets it: the session answers keep replacing this one cookie.
        http.cookies.set(
            workspace.policy.cookie_name, cookie, domain="testserver.local", path="/workspace"
        )
        yield Staff(http, token)


def document_id(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    found = DOCUMENT_URL.search(response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def draft_form(**overrides: Any) -> dict[str, Any]:
    """Every field of the draft form, as a browser posts it."""
    form: dict[str, Any] = {
        "doc_type": "quyet_dinh",
        "subject": "Quyết định về việc công bố thủ tục hành chính",
        "drafting_unit": "CNTT",
        "signer_competence": "KT. BỘ TRƯỞNG",
        "signer_position": "Thứ trưởng",
        "signer_name": "Nguyễn Văn A",
        "recipients_internal": ["VP", "PL"],
        "recipients_external": ["000.00.00.G22"],
        "recipients_other": "",
        "urgency": "khan",
        "confidentiality": "thuong",
        "access": "public",
        "effective_date": "2026-09-01",
        "field": "Hành chính",
        "body": "Điều 1. Công bố kèm theo Quyết định này.\r\nĐiều 2. Hiệu lực.",
    }
    form.update(overrides)
    return form


def version_on(page: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "the page carries no version"
    return int(found.group(1))


DRAFTER, APPROVER, CLERK = "drafter@egov.local", "approver@egov.local", "clerk@egov.local"
PUBLISHED = "gov.egov.document.published.v1"
INCOMING_STATUS = "gov.egov.incoming.status_changed.v1"


@pytest.fixture(scope="module")
async def client(module_suffix: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = support.settings(module_suffix, staff_directory_file=str(DIRECTORY))
    async with running_app(create_app, settings) as http:
        yield http


async def _draft(staff: Staff, **overrides: object) -> str:
    return document_id(await staff.post("/workspace/documents/new", draft_form(**overrides)))


async def _version(client: httpx.AsyncClient, doc_id: str) -> str:
    """The document's current version, as the API says (drafters of its unit see it all)."""
    found = await client.get(f"/api/v1/documents/{doc_id}", headers=support.drafter())
    return str(found.json()["version"])


async def _page(staff: Staff, doc_id: str) -> str:
    page = await staff.get(f"/workspace/documents/{doc_id}")
    assert page.status_code == 200, page.text
    return page.text


async def _step(staff: Staff, doc_id: str, step: str, **form: object) -> httpx.Response:
    """Open the confirmation page, then post its form at the version it carries."""
    confirm = await staff.get(f"/workspace/documents/{doc_id}/{step}")
    assert confirm.status_code == 200, confirm.text
    return await staff.post(
        f"/workspace/documents/{doc_id}/{step}", {"version": version_on(confirm.text), **form}
    )


async def test_a_drafter_writes_a_draft_with_every_field_and_attaches_a_file(
    client: httpx.AsyncClient,
) -> None:
    async with signed_in(client, DRAFTER) as drafter:
        form = await drafter.get("/workspace/documents/new")
        assert form.status_code == 200
        assert "Bộ Nội vụ" in form.text and "000.00.00.G22" in form.text  # partners by name
        assert "Văn phòng Bộ" in form.text  # units by name

        refused = await drafter.post(
            "/workspace/documents/new",
            draft_form(subject="", recipients_other="not-a-code", effective_date="31/02"),
        )
        assert refused.status_code == 400
        assert "Biểu mẫu có lỗi" in refused.text
        for field in ("Trích yếu", "Nơi nhận ngoài Bộ", "Ngày có hiệu lực"):
            assert field in refused.text

        doc_id = await _draft(drafter)
        page = await _page(drafter, doc_id)
        for shown in (
            "Quyết định về việc công bố",
            "Hành chính",
            "Bộ Nội vụ (000.00.00.G22)",
            "VP: Văn phòng Bộ",
            "Nguyễn Văn A",
            "01/09/2026",
            "Điều 2. Hiệu lực.",
        ):
            assert shown in page, shown
        api = await client.get(f"/api/v1/documents/{doc_id}", headers=support.drafter())
        stored = api.json()
        assert stored["body"] == "Điều 1. Công bố kèm theo Quyết định này.\nĐiều 2. Hiệu lực."
        assert stored["recipients_internal"] == ["VP", "PL"]
        assert stored["signer"]["competence"] == "KT. BỘ TRƯỞNG"
        assert stored["urgency"] == "khan" and stored["access"] == "public"

        version = version_on(page)
        attached = await drafter.post(
            f"/workspace/documents/{doc_id}/attachments",
            {"version": str(version)},
            files={"file": ("quyet-dinh.pdf", PDF, "application/pdf")},
        )
        assert attached.status_code == 303
        page = await _page(drafter, doc_id)
        assert hashlib.sha256(PDF).hexdigest() in page
        assert "quyet-dinh.pdf" in page

        wrong = await drafter.post(
            f"/workspace/documents/{doc_id}/attachments",
            {"version": str(version_on(page))},
            files={"file": ("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        )
        assert wrong.status_code == 303
        assert "Không nhận tệp" in await _page(drafter, doc_id)


async def test_a_stale_edit_says_who_changed_the_document_and_overwrites_nothing(
    client: httpx.AsyncClient,
) -> None:
    async with signed_in(client, DRAFTER) as drafter:
        doc_id = await _draft(drafter)
        opened = (await drafter.get(f"/workspace/documents/{doc_id}/edit")).text
        old_version = version_on(opened)
        # Meanwhile a colleague edits it through the API.
        current = await client.get(f"/api/v1/documents/{doc_id}", headers=support.drafter())
        changed = await client.patch(
            f"/api/v1/documents/{doc_id}",
            json={"subject": "Sửa bởi đồng nghiệp"},
            headers=support.with_version(support.drafter(), current),
        )
        assert changed.status_code == 200

        stale = await drafter.post(
            f"/workspace/documents/{doc_id}/edit",
            {**draft_form(subject="Bản của tôi"), "version": str(old_version)},
        )
        assert stale.status_code == 412
        assert "Văn bản đã thay đổi" in stale.text
        assert "drafter-CNTT" in stale.text and "(edit)" in stale.text  # who, and what
        assert "Bản của tôi" in stale.text  # what was typed is kept to copy
        assert f"/workspace/documents/{doc_id}/edit" in stale.text  # reload
        after = await client.get(f"/api/v1/documents/{doc_id}", headers=support.drafter())
        assert after.json()["subject"] == "Sửa bởi đồng nghiệp"

        # A confirmation opened before the change is stale too.
        submit = await drafter.post(
            f"/workspace/documents/{doc_id}/submit", {"version": str(old_version)}
        )
        assert submit.status_code == 412
        state = await client.get(f"/api/v1/documents/{doc_id}", headers=support.drafter())
        assert state.json()["state"] == "draft"


async def test_each_role_sees_and_may_do_only_what_the_matrix_allows(
    client: httpx.AsyncClient,
) -> None:
    async with (
        signed_in(client, DRAFTER) as drafter,
        signed_in(client, APPROVER) as approver,
        signed_in(client, CLERK) as clerk,
    ):
        doc_id = await _draft(drafter)
        page = await _page(drafter, doc_id)
        assert "Trình duyệt" in page and "Sửa dự thảo" in page
        assert f"/documents/{doc_id}/approve" not in page
        # The clerk does not even know a draft exists; the approver sees no draft.
        assert (await clerk.get(f"/workspace/documents/{doc_id}")).status_code == 404
        assert (await approver.get(f"/workspace/documents/{doc_id}")).status_code == 404

        assert (await _step(drafter, doc_id, "submit")).status_code == 303
        page = await _page(drafter, doc_id)
        assert f"/documents/{doc_id}/approve" not in page
        assert f"/documents/{doc_id}/submit" not in page
        # A forged approval by the drafter, with a valid token and version, is refused.
        forged = await drafter.post(
            f"/workspace/documents/{doc_id}/approve", {"version": await _version(client, doc_id)}
        )
        assert forged.status_code == 403
        assert "Không được phép" in forged.text or "may not" in forged.text

        approver_page = await _page(approver, doc_id)
        assert f"/documents/{doc_id}/approve" in approver_page
        assert f"/documents/{doc_id}/return" in approver_page
        assert f"/documents/{doc_id}/issue" not in approver_page
        assert (await _step(approver, doc_id, "approve")).status_code == 303

        clerk_page = await _page(clerk, doc_id)
        assert f"/documents/{doc_id}/issue" in clerk_page
        assert f"/documents/{doc_id}/approve" not in clerk_page
        forged = await approver.post(
            f"/workspace/documents/{doc_id}/issue", {"version": await _version(client, doc_id)}
        )
        assert forged.status_code == 403

        # Only drafters write drafts: no link and no form for the clerk.
        assert "/workspace/documents/new" not in (await clerk.get("/workspace/")).text
        assert (await clerk.get("/workspace/documents/new")).status_code == 403
        forged = await clerk.post("/workspace/documents/new", draft_form())
        assert forged.status_code == 403
        # Registers are the clerks'; the drafter has no link and no page.
        assert "/workspace/registers" not in (await drafter.get("/workspace/")).text
        assert (await drafter.get("/workspace/registers")).status_code == 403
        assert "/workspace/registers" in (await clerk.get("/workspace/")).text
        assert (await clerk.get("/workspace/registers")).status_code == 200


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    async with signed_in(client, DRAFTER) as drafter:
        doc_id = await _draft(drafter)
        version = version_on(await _page(drafter, doc_id))
        for path, form in (
            (f"/workspace/documents/{doc_id}/submit", {"version": str(version)}),
            (f"/workspace/documents/{doc_id}/edit", draft_form(version=str(version))),
            ("/workspace/documents/new", draft_form()),
        ):
            refused = await drafter.post(path, form, token=False)
            assert refused.status_code == 403, path
            assert "mã chống giả mạo" in refused.text
        wrong = await drafter.http.post(
            f"/workspace/documents/{doc_id}/submit",
            data={"version": str(version), "csrf_token": "forged"},
        )
        assert wrong.status_code == 403
        state = await client.get(f"/api/v1/documents/{doc_id}", headers=support.drafter())
        assert state.json()["state"] == "draft" and state.json()["version"] == version


async def test_hostile_text_in_every_field_is_shown_as_text(client: httpx.AsyncClient) -> None:
    async with (
        signed_in(client, DRAFTER) as drafter,
        signed_in(client, APPROVER) as approver,
    ):
        doc_id = await _draft(
            drafter,
            subject=f"Tờ trình {HOSTILE}",
            field=HOSTILE[:200],
            body=HOSTILE,
            signer_name=HOSTILE,
            signer_position=HOSTILE,
            signer_competence=HOSTILE,
        )
        await _step(drafter, doc_id, "submit")
        returned = await _step(approver, doc_id, "return", reason=f"Lý do {HOSTILE}")
        assert returned.status_code == 303
        pages = [
            await _page(drafter, doc_id),
            (await drafter.get(f"/workspace/documents/{doc_id}/edit")).text,
            (await drafter.get("/workspace/")).text,
            (await drafter.get("/workspace/search", q="tờ trình")).text,
            (await drafter.get(f"/workspace/documents/{doc_id}/submit")).text,
        ]
        for page in pages:
            assert "<script>" not in page and "<img src=x" not in page
            assert "&lt;script&gt;" in page


async def test_a_public_decision_goes_from_draft_to_issued_through_the_forms(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    async with (
        signed_in(client, DRAFTER) as drafter,
        signed_in(client, APPROVER) as approver,
        signed_in(client, CLERK) as clerk,
        TopicReader(topics.DOCUMENTS_PUBLIC + module_suffix) as public,
    ):
        doc_id = await _draft(
            drafter, recipients_external=["000.00.00.G22", "000.00.00.H26"], recipients_other=""
        )
        confirm = await drafter.get(f"/workspace/documents/{doc_id}/submit")
        assert "trình lãnh đạo đơn vị Cục Cơ yếu" in confirm.text
        assert (await _step(drafter, doc_id, "submit")).status_code == 303
        assert (await _step(approver, doc_id, "approve")).status_code == 303

        confirm = await clerk.get(f"/workspace/documents/{doc_id}/issue")
        assert "đăng công khai trên Cổng thông tin" in confirm.text
        assert "gửi đến 2 cơ quan" in confirm.text
        assert "Bộ Nội vụ; Ủy ban nhân dân thành phố Hà Nội" in confirm.text
        issued = await _step(clerk, doc_id, "issue")
        assert issued.status_code == 303

        page = await _page(clerk, doc_id)
        stored = (await client.get(f"/api/v1/documents/{doc_id}", headers=support.clerk())).json()
        assert stored["state"] == "issued"
        assert stored["notation"] in page
        assert "Chữ ký số hợp lệ" in page
        assert "Chuỗi nhật ký toàn vẹn" in page
        assert page.count("Đang chờ") == 2  # one delivery line per agency, pending
        assert f"/documents/{doc_id}/revoke" in page and f"/documents/{doc_id}/recall" in page

        async def published() -> bool:
            await public.poll(0.3)
            return any(
                header(r, "ce_type") == PUBLISHED and json.loads(r.value)["document_id"] == doc_id
                for r in public.records
            )

        assert await eventually(published)

        # The register of the year lists it; its CSV export too.
        year = dt.date.today().year
        register = await clerk.get("/workspace/registers", book="outgoing", year=year)
        assert stored["notation"] in register.text
        exported = await clerk.get("/workspace/registers.csv", book="outgoing", year=year)
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][:2] == ["number", "notation"]
        assert any(row[1] == stored["notation"] for row in rows[1:])

        # Recall, with its confirmation naming the agencies.
        confirm = await clerk.get(f"/workspace/documents/{doc_id}/recall")
        assert "2 cơ quan đã nhận sẽ được đề nghị trả lại" in confirm.text
        no_reason = await clerk.post(
            f"/workspace/documents/{doc_id}/recall", {"version": str(version_on(confirm.text))}
        )
        assert no_reason.status_code == 400
        recalled = await _step(clerk, doc_id, "recall", reason="Sai sót về thể thức")
        assert recalled.status_code == 303
        assert "Đã đề nghị trả lại" in await _page(clerk, doc_id)


async def test_search_finds_with_and_without_diacritics_what_the_user_may_see(
    client: httpx.AsyncClient,
) -> None:
    async with signed_in(client, DRAFTER) as drafter, signed_in(client, CLERK) as clerk:
        doc_id = await _draft(drafter, subject="Kế hoạch chuyển đổi số năm Bính Ngọ")
        for words in ("chuyển đổi số bính ngọ", "chuyen doi so binh ngo", "KE HOACH"):
            found = await drafter.get("/workspace/search", q=words)
            assert f"/workspace/documents/{doc_id}" in found.text, words
        # A draft is not the clerk's to know about.
        hidden = await clerk.get("/workspace/search", q="binh ngo")
        assert f"/workspace/documents/{doc_id}" not in hidden.text


async def test_an_incoming_document_is_registered_assigned_handled_and_completed(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    event = inbound(verdict=SignatureVerdict.INVALID)
    event = event.model_copy(
        update={"header": event.header.model_copy(update={"subject": f"Công văn {HOSTILE}"})}
    )
    await produce_event(event, module_suffix, source="urn:egov:lgsp")
    inbound_id = event.inbound_id
    async with (
        signed_in(client, CLERK) as clerk,
        signed_in(client, APPROVER) as approver,
        signed_in(client, DRAFTER) as drafter,
    ):

        async def arrived() -> str | None:
            page = await clerk.get(f"/workspace/incoming/{inbound_id}")
            return page.text if page.status_code == 200 and "Chờ vào sổ" in page.text else None

        page = await eventually(arrived)
        assert "KHÔNG hợp lệ" in page  # the sender's signature verdict, plainly
        assert "&lt;script&gt;" in page and "<script>" not in page
        assert f"/incoming/{inbound_id}/accept" in page
        assert f"/incoming/{inbound_id}/assign" not in page
        home = await clerk.get("/workspace/")
        assert f"/workspace/incoming/{inbound_id}" in home.text

        # The drafter cannot register it (not even see it yet).
        assert (await drafter.get(f"/workspace/incoming/{inbound_id}")).status_code == 404

        form = await clerk.get(f"/workspace/incoming/{inbound_id}/accept")
        assert "sổ văn bản đến năm" in form.text
        accepted = await clerk.post(
            f"/workspace/incoming/{inbound_id}/accept",
            {"version": str(version_on(form.text)), "note": "Đã nhận"},
        )
        assert accepted.status_code == 303
        page = (await clerk.get(f"/workspace/incoming/{inbound_id}")).text
        assert "Số đến" in page

        form = await approver.get(f"/workspace/incoming/{inbound_id}/assign")
        assert form.status_code == 200
        version = version_on(form.text)
        past = await approver.post(
            f"/workspace/incoming/{inbound_id}/assign",
            {
                "version": str(version),
                "lead_unit": "CNTT",
                "deadline": "2001-01-01",
                "handler": "demo-drafter",
            },
        )
        assert past.status_code == 400 and "Hạn xử lý" in past.text
        deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()
        assigned = await approver.post(
            f"/workspace/incoming/{inbound_id}/assign",
            {
                "version": str(version),
                "lead_unit": "CNTT",
                "supporting_units": ["VP"],
                "deadline": deadline,
                "handler": "demo-drafter",
                "instruction": HOSTILE,
            },
        )
        assert assigned.status_code == 303

        page = (await drafter.get(f"/workspace/incoming/{inbound_id}")).text
        assert f"/incoming/{inbound_id}/progress" in page
        for step in ("progress", "complete"):
            form = await drafter.get(f"/workspace/incoming/{inbound_id}/{step}")
            done = await drafter.post(
                f"/workspace/incoming/{inbound_id}/{step}",
                {"version": str(version_on(form.text)), "note": "Đang xử lý"},
            )
            assert done.status_code == 303, done.text
        page = (await drafter.get(f"/workspace/incoming/{inbound_id}")).text
        assert "Đã hoàn thành" in page and "<img src=x" not in page

        year = dt.date.today().year
        register = await clerk.get("/workspace/registers", book="incoming", year=year)
        assert f"/workspace/incoming/{inbound_id}" in register.text
        exported = await clerk.get("/workspace/registers.csv", book="incoming", year=year)
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        mine = [row for row in rows if row[-1] == inbound_id]
        assert mine and mine[0][rows[0].index("subject")].startswith("Công văn <script>")


async def test_a_formula_in_a_register_cell_is_exported_as_text(
    client: httpx.AsyncClient,
) -> None:
    async with signed_in(client, CLERK) as clerk:
        doc = await support.issued(client, subject='=HYPERLINK("http://x","y")', access="internal")
        year = dt.date.today().year
        exported = await clerk.get("/workspace/registers.csv", book="outgoing", year=year)
        text = exported.content.decode("utf-8-sig")
        assert "'=HYPERLINK" in text
        assert doc.json()["notation"] in text
        await asyncio.sleep(0)


async def test_a_bad_value_in_a_page_address_gets_a_page_not_json(
    client: httpx.AsyncClient,
) -> None:
    async with signed_in(client, CLERK) as clerk, signed_in(client, DRAFTER) as drafter:
        for path, params in (
            ("/workspace/registers", {"year": "abc"}),
            ("/workspace/registers", {"year": "2026", "after": "x"}),
            ("/workspace/registers.csv", {"year": "MMXXVI"}),
            ("/workspace/search", {"q": "x" * 201}),
        ):
            page = await clerk.get(path, **params)
            assert page.status_code == 422, (path, page.text)
            assert page.headers["content-type"].startswith("text/html")
            assert "Địa chỉ trang không hợp lệ" in page.text
        doc_id = await _draft(drafter)
        unknown_step = await drafter.get(f"/workspace/documents/{doc_id}/publish-twice")
        assert unknown_step.status_code == 422 and "step" in unknown_step.text
        # The JSON API keeps its problem details.
        api = await client.get("/api/v1/documents", params={"limit": "x"}, headers=support.clerk())
        assert api.status_code == 422
        assert api.headers["content-type"] == "application/problem+json"


async def test_the_upload_script_gets_the_next_address_and_the_page_keeps_its_message(
    client: httpx.AsyncClient,
) -> None:
    async with signed_in(client, DRAFTER) as drafter:
        doc_id = await _draft(drafter)
        page = await _page(drafter, doc_id)
        assert 'data-upload-progress="upload-status"' in page
        assert "<progress" in page and "/workspace/static/upload.js" in page
        script = await drafter.get("/workspace/static/upload.js")
        assert script.status_code == 200 and "upload.addEventListener" in script.text
        # As the script sends it: the token in a header, the answer an address, not a redirect.
        scripted = await drafter.http.post(
            f"/workspace/documents/{doc_id}/attachments",
            data={"version": str(version_on(page))},
            files={"file": ("to-trinh.pdf", PDF, "application/pdf")},
            headers={"X-CSRF-Token": drafter.csrf, "X-Requested-With": "XMLHttpRequest"},
        )
        assert scripted.status_code == 200, scripted.text
        assert scripted.json() == {"location": f"/workspace/documents/{doc_id}"}
        shown = await _page(drafter, doc_id)
        sha = hashlib.sha256(PDF).hexdigest()
        assert f"Đã đính kèm to-trinh.pdf (SHA-256 {sha})" in shown  # the flash survived
        forged = await drafter.http.post(
            f"/workspace/documents/{doc_id}/attachments",
            data={"version": str(version_on(shown))},
            files={"file": ("x.pdf", PDF, "application/pdf")},
            headers={"X-CSRF-Token": "forged", "X-Requested-With": "XMLHttpRequest"},
        )
        assert forged.status_code == 403
        stored = await client.get(f"/api/v1/documents/{doc_id}", headers=support.drafter())
        assert [a["name"] for a in stored.json()["attachments"]] == ["to-trinh.pdf"]


async def test_a_published_document_is_taken_off_the_portal_from_its_page(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    async with (
        signed_in(client, CLERK) as clerk,
        signed_in(client, DRAFTER) as drafter,
        TopicReader(topics.DOCUMENTS_PUBLIC + module_suffix) as public,
    ):
        internal = (await support.issued(client, access="internal")).json()["id"]
        assert f"/documents/{internal}/unpublish" not in await _page(clerk, internal)
        doc_id = (await support.issued(client, subject="Thông báo đăng nhầm")).json()["id"]
        page = await _page(clerk, doc_id)
        assert f"/documents/{doc_id}/unpublish" in page
        assert f"/documents/{doc_id}/unpublish" not in await _page(drafter, doc_id)

        confirm = await clerk.get(f"/workspace/documents/{doc_id}/unpublish")
        assert confirm.status_code == 200
        assert "Cổng thông tin sẽ trả lời 410" in confirm.text
        assert "vẫn giữ trạng thái, số" in confirm.text
        no_reason = await clerk.post(
            f"/workspace/documents/{doc_id}/unpublish", {"version": str(version_on(confirm.text))}
        )
        assert no_reason.status_code == 400
        forged = await drafter.post(
            f"/workspace/documents/{doc_id}/unpublish",
            {"version": await _version(client, doc_id), "reason": "x"},
        )
        assert forged.status_code == 403
        done = await _step(clerk, doc_id, "unpublish", reason=f"Đăng nhầm {HOSTILE}")
        assert done.status_code == 303
        page = await _page(clerk, doc_id)
        assert "Đã gỡ văn bản khỏi Cổng thông tin" in page
        assert "Đã gỡ khỏi Cổng thông tin" in page and "<script>" not in page
        assert f"/documents/{doc_id}/unpublish" not in page  # once only
        stored = (await client.get(f"/api/v1/documents/{doc_id}", headers=support.clerk())).json()
        assert stored["state"] == "issued"
        assert stored["unpublished"]["explanation"] == f"Đăng nhầm {HOSTILE}"

        async def gone() -> bool:
            await public.poll(0.3)
            return any(
                header(r, "ce_type") == "gov.egov.document.unpublished.v1"
                and json.loads(r.value)["document_id"] == doc_id
                for r in public.records
            )

        assert await eventually(gone)


async def _arrived(staff: Staff, inbound_id: str, text: str) -> str:
    async def shown() -> str | None:
        page = await staff.get(f"/workspace/incoming/{inbound_id}")
        return page.text if page.status_code == 200 and text in page.text else None

    found = await eventually(shown)
    assert isinstance(found, str)
    return found


async def test_a_clerk_answers_a_senders_recall_from_the_incoming_page(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    refused_event, accepted_event = inbound(), inbound()
    async with (
        signed_in(client, CLERK) as clerk,
        signed_in(client, APPROVER) as approver,
        TopicReader(topics.DOCUMENTS_EXCHANGE + module_suffix) as statuses,
    ):
        for event in (refused_event, accepted_event):
            await produce_event(event, module_suffix, source="urn:egov:lgsp")
            await _arrived(clerk, event.inbound_id, "Chờ vào sổ")
            recall = InboundRecallRequested(
                inbound_id=event.inbound_id,
                inbound_version=2,
                sender_code=event.sender_code,
                reason=f"Gửi nhầm {HOSTILE}",
                requested_at=dt.datetime.now(dt.UTC),
            )
            await produce_event(recall, module_suffix, source="urn:egov:lgsp")

        inbound_id = refused_event.inbound_id
        page = await _arrived(clerk, inbound_id, "Chờ văn thư trả lời")
        assert "Gửi nhầm &lt;script&gt;" in page and "<script>" not in page
        assert f"/incoming/{inbound_id}/recall-answer" in page
        assert f"/incoming/{inbound_id}/accept" not in page  # the recall is answered first
        assert (await approver.get(f"/workspace/incoming/{inbound_id}")).status_code == 404

        form = await clerk.get(f"/workspace/incoming/{inbound_id}/recall-answer")
        assert form.status_code == 200
        assert "Bộ Nội vụ được báo đồng ý (mã 15)" in form.text
        assert "Bộ Nội vụ được báo từ chối (mã 16)" in form.text
        version = str(version_on(form.text))
        path = f"/workspace/incoming/{inbound_id}/recall-answer"
        unchosen = await clerk.post(path, {"version": version})
        assert unchosen.status_code == 400 and "Trả lời" in unchosen.text
        no_reason = await clerk.post(path, {"version": version, "answer": "refuse"})
        assert no_reason.status_code == 400 and "Lý do" in no_reason.text
        refused = await clerk.post(
            path, {"version": version, "answer": "refuse", "reason": "Đã vào xử lý"}
        )
        assert refused.status_code == 303, refused.text
        page = (await clerk.get(f"/workspace/incoming/{inbound_id}")).text
        assert "Đã từ chối trả lại (mã 16)" in page and "Đã vào xử lý" in page
        assert f"/incoming/{inbound_id}/accept" in page  # registration goes on

        inbound_id = accepted_event.inbound_id
        await _arrived(clerk, inbound_id, "Chờ văn thư trả lời")
        form = await clerk.get(f"/workspace/incoming/{inbound_id}/recall-answer")
        accepted = await clerk.post(
            f"/workspace/incoming/{inbound_id}/recall-answer",
            {"version": str(version_on(form.text)), "answer": "accept"},
        )
        assert accepted.status_code == 303
        page = (await clerk.get(f"/workspace/incoming/{inbound_id}")).text
        assert "Đã thu hồi (nơi gửi)" in page and "Đã đồng ý trả lại (mã 15)" in page
        assert f"/incoming/{inbound_id}/accept" not in page

        wanted = {f"{refused_event.inbound_id}:16", f"{accepted_event.inbound_id}:15"}

        async def told() -> bool:
            await statuses.poll(0.3)
            said = {
                f"{body['inbound_id']}:{body['status']}"
                for body in (
                    json.loads(r.value)
                    for r in statuses.records
                    if header(r, "ce_type") == INCOMING_STATUS
                )
            }
            return wanted <= said

        assert await eventually(told)  # what the LGSP sends on to the sender


async def test_the_handler_is_chosen_by_name_or_typed_by_user_id(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    events = [inbound(), inbound()]
    async with signed_in(client, CLERK) as clerk, signed_in(client, APPROVER) as approver:
        for event in events:
            await produce_event(event, module_suffix, source="urn:egov:lgsp")
            await _arrived(clerk, event.inbound_id, "Chờ vào sổ")
            form = await clerk.get(f"/workspace/incoming/{event.inbound_id}/accept")
            accepted = await clerk.post(
                f"/workspace/incoming/{event.inbound_id}/accept",
                {"version": str(version_on(form.text))},
            )
            assert accepted.status_code == 303
        deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()

        first = events[0].inbound_id
        form = await approver.get(f"/workspace/incoming/{first}/assign")
        assert form.status_code == 200
        # The drafters of the approver's unit, by name; not its approver, not other units'.
        assert '<option value="demo-drafter">Trần Văn Minh (demo-drafter)</option>' in form.text
        assert 'value="demo-approver"' not in form.text
        assert 'value="demo-clerk"' not in form.text
        version = str(version_on(form.text))
        path = f"/workspace/incoming/{first}/assign"
        base = {"version": version, "lead_unit": "CNTT", "deadline": deadline}
        nobody = await approver.post(path, base)
        assert nobody.status_code == 400 and "Người xử lý" in nobody.text
        not_a_drafter = await approver.post(path, {**base, "handler": "demo-approver"})
        assert not_a_drafter.status_code == 400
        assert "choose a drafter of the lead unit CNTT" in not_a_drafter.text
        chosen = await approver.post(path, {**base, "handler": "demo-drafter"})
        assert chosen.status_code == 303
        page = (await approver.get(f"/workspace/incoming/{first}")).text
        assert "Trần Văn Minh (demo-drafter)" in page

        second = events[1].inbound_id
        form = await approver.get(f"/workspace/incoming/{second}/assign")
        typed = await approver.post(
            f"/workspace/incoming/{second}/assign",
            {
                "version": str(version_on(form.text)),
                "lead_unit": "CNTT",
                "deadline": deadline,
                "handler": "demo-drafter",
                "handler_other": "drafter-CNTT",  # typed: wins over the choice
            },
        )
        assert typed.status_code == 303
        stored = await client.get(f"/api/v1/incoming/{second}", headers=support.clerk())
        assert stored.json()["assignment"]["handler"] == "drafter-CNTT"


async def test_search_finds_open_incoming_documents_the_user_may_see(
    client: httpx.AsyncClient, module_suffix: str
) -> None:
    event = inbound()
    event = event.model_copy(
        update={
            "header": event.header.model_copy(
                update={"subject": "Công văn về lễ hội Đền Hùng năm Bính Ngọ"}
            )
        }
    )
    await produce_event(event, module_suffix, source="urn:egov:lgsp")
    async with signed_in(client, CLERK) as clerk, signed_in(client, DRAFTER) as drafter:
        await _arrived(clerk, event.inbound_id, "Chờ vào sổ")
        for words in ("lễ hội đền hùng", "le hoi den hung", "DEN HUNG binh"):
            found = await clerk.get("/workspace/search", q=words)
            assert found.status_code == 200
            assert f"/workspace/incoming/{event.inbound_id}" in found.text, words
        assert "Văn bản đến đang xử lý" in found.text
        assert "tìm trong sổ văn bản đến" in found.text  # where closed ones are
        assert "/workspace/registers?book=incoming" in found.text
        # Not registered or assigned yet: not the drafter's to know about.
        hidden = await drafter.get("/workspace/search", q="den hung")
        assert f"/workspace/incoming/{event.inbound_id}" not in hidden.text
        assert "/workspace/registers?book=incoming" not in hidden.text
        missing = await clerk.get("/workspace/search", q="den hung khong co")
        assert f"/workspace/incoming/{event.inbound_id}" not in missing.text
