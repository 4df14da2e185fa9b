"""The documents workspace in a real browser (Debian's Chromium), signing in through the real
Dex: as drafter, approver and clerk, a public decision goes from draft to issued (its
``document.published`` event reaches Kafka for the portal); an incoming document sent in on
real Kafka is registered and assigned; a stale edit is caught. Screenshots of the main pages
go to test-results/screenshots/."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json

import httpx
from playwright.async_api import Page, Route, expect

from shared.contracts import topics
from shared.contracts.events import InboundRecallRequested
from tests.integration.documents import support
from tests.integration.documents.test_incoming import inbound
from tests.integration.documents.test_workspace_sign_in import (
    _shot,
    _sign_in,
    _sign_out,
    dex,
    directory,
    workspace,
)
from tests.integration.portal.browser import chromium
from tests.support.kafka import TopicReader, eventually, header, produce_event

__all__ = ["dex", "directory", "workspace"]  # the sign-in test's fixtures, used here

PDF = b"%PDF-1.7\nquyet dinh ban hanh\n%%EOF\n"
PUBLISHED = "gov.egov.document.published.v1"
UNPUBLISHED = "gov.egov.document.unpublished.v1"
SUBJECT = "Quyết định ban hành quy chế tiếp công dân"


async def _open_from_home(page: Page, base: str, list_key: str, subject: str) -> None:
    await page.goto(f"{base}/workspace/")
    waiting = page.locator(f"#list-{list_key}").locator("xpath=..")
    await waiting.get_by_role("link", name=subject).click()


async def _confirm(page: Page, action: str, confirm: str) -> str:
    """Click an action, read its confirmation, confirm; the confirmation's text."""
    await page.get_by_role("link", name=action, exact=True).click()
    said = await page.locator("#what-happens").locator("xpath=..").inner_text()
    await page.get_by_role("button", name=confirm).click()
    return said


async def test_a_public_decision_goes_from_draft_to_issued_in_the_browser(
    workspace: str, module_suffix: str
) -> None:
    async with (
        chromium() as browser,
        TopicReader(topics.DOCUMENTS_PUBLIC + module_suffix) as public,
    ):
        context = await browser.new_context()
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))

        # The drafter writes the draft with every field and attaches the signed scan.
        await _sign_in(page, workspace, "drafter@egov.local")
        await page.get_by_role("link", name="Soạn văn bản").click()
        await page.select_option("#doc_type", "quyet_dinh")
        await page.fill("#subject", SUBJECT)
        await page.fill("#signer_competence", "KT. BỘ TRƯỞNG")
        await page.fill("#signer_position", "Thứ trưởng")
        await page.fill("#signer_name", "Nguyễn Văn A")
        await page.get_by_label("VP: Văn phòng Bộ").check()
        await page.get_by_label("Bộ Nội vụ").check()
        await page.select_option("#urgency", "khan")
        await page.select_option("#access", "public")
        await page.fill("#effective_date", "2026-09-01")
        await page.fill("#field", "Hành chính")
        await page.fill("#body", "Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp công dân.")
        await _shot(page, "draft-form")
        await page.get_by_role("button", name="Tạo dự thảo").click()
        await expect(page.locator(".ws-flash-success")).to_contain_text("Đã tạo dự thảo")
        document_url = page.url

        # The upload goes by the page's script, showing its progress; the request is held
        # until the progress bar has been seen.
        release = asyncio.Event()
        sent_by: list[str] = []

        async def hold(route: Route) -> None:
            sent_by.append(route.request.resource_type)
            await release.wait()
            await route.continue_()

        await page.route("**/attachments", hold)
        await page.set_input_files(
            "#file", files=[{"name": "quy-che.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        await page.get_by_role("button", name="Tải lên", exact=True).click()
        await expect(page.locator("#upload-progress")).to_be_visible()
        await expect(page.get_by_role("button", name="Tải lên", exact=True)).to_be_disabled()
        await _shot(page, "upload-progress")
        release.set()
        sha = hashlib.sha256(PDF).hexdigest()
        await expect(page.locator(".ws-flash-success")).to_contain_text(f"SHA-256 {sha}")
        await page.unroute("**/attachments")
        assert sent_by == ["xhr"]
        assert page.url == document_url
        files = page.locator("#files").locator("xpath=..")
        await expect(files).to_contain_text("quy-che.pdf")
        await expect(files).to_contain_text(sha)
        await expect(page.locator("#upload-progress")).to_be_hidden()
        assert await page.get_by_role("link", name="Duyệt", exact=True).count() == 0
        said = await _confirm(page, "Trình duyệt", "Xác nhận trình duyệt")
        assert "Cục Cơ yếu - Công nghệ thông tin" in said
        await expect(page.locator(".ws-flash-success")).to_contain_text("Đã trình duyệt")
        await _sign_out(page, workspace)

        # The approver approves it from what waits for them.
        await _sign_in(page, workspace, "approver@egov.local")
        await _open_from_home(page, workspace, "to_approve", SUBJECT)
        assert await page.get_by_role("link", name="Cấp số và phát hành").count() == 0
        await _confirm(page, "Duyệt", "Xác nhận duyệt")
        await expect(page.locator(".ws-flash-success")).to_contain_text("Đã duyệt")
        await _sign_out(page, workspace)

        # The clerk is told what issuing will do, then issues it.
        await _sign_in(page, workspace, "clerk@egov.local")
        await _open_from_home(page, workspace, "to_issue", SUBJECT)
        await page.get_by_role("link", name="Cấp số và phát hành").click()
        said = await page.locator("#what-happens").locator("xpath=..").inner_text()
        assert "đăng công khai trên Cổng thông tin" in said
        assert "gửi đến 1 cơ quan qua nền tảng LGSP: Bộ Nội vụ" in said
        await _shot(page, "confirm-issue")
        await page.get_by_role("button", name="Xác nhận phát hành").click()
        await expect(page.locator(".ws-flash-success")).to_contain_text("Đã cấp số")
        assert page.url == document_url
        main = await page.inner_text("main")
        assert "Đã ban hành" in main and "/QĐ-BNG" in main
        assert "Chữ ký số hợp lệ" in main and "Chuỗi nhật ký toàn vẹn" in main
        assert "Đang chờ" in main  # the delivery to Bộ Nội vụ, until the LGSP reports
        await _shot(page, "document-issued")

        document_id = document_url.rsplit("/", 1)[1]

        async def published() -> bool:
            await public.poll(0.3)
            return any(
                header(r, "ce_type") == PUBLISHED
                and json.loads(r.value)["document_id"] == document_id
                for r in public.records
            )

        assert await eventually(published)  # what the portal consumes

        year = dt.date.today().year
        await page.get_by_role("link", name="Sổ văn bản").click()
        await expect(page.locator("main")).to_contain_text(SUBJECT)
        await page.emulate_media(media="print")
        await _shot(page, "register-print")
        await page.emulate_media(media="screen")
        exported = await page.request.get(
            f"{workspace}/workspace/registers.csv?book=outgoing&year={year}"
        )
        assert SUBJECT in (await exported.body()).decode("utf-8-sig")

        # Published by mistake: taken off the portal, after saying what the portal will answer.
        await page.goto(document_url)
        await page.get_by_role("link", name="Gỡ khỏi Cổng thông tin").click()
        said = await page.locator("#what-happens").locator("xpath=..").inner_text()
        assert "Cổng thông tin sẽ trả lời 410" in said
        await page.fill("#reason", "Đăng nhầm bản chưa hoàn chỉnh")
        await _shot(page, "confirm-unpublish")
        await page.get_by_role("button", name="Xác nhận gỡ khỏi Cổng thông tin").click()
        await expect(page.locator(".ws-flash-success")).to_contain_text("Đã gỡ văn bản")
        assert "Đã gỡ khỏi Cổng thông tin" in await page.inner_text("main")

        async def unpublished() -> bool:
            await public.poll(0.3)
            return any(
                header(r, "ce_type") == UNPUBLISHED
                and json.loads(r.value)["document_id"] == document_id
                for r in public.records
            )

        assert await eventually(unpublished)  # the portal answers 410 from it
        await _sign_out(page, workspace)
        assert dialogs == []
        await context.close()


async def test_an_incoming_document_is_registered_and_assigned_in_the_browser(
    workspace: str, module_suffix: str
) -> None:
    event = inbound()
    await produce_event(event, module_suffix, source="urn:egov:lgsp")
    subject = event.header.subject
    async with chromium() as browser:
        page = await browser.new_page()
        await _sign_in(page, workspace, "clerk@egov.local")

        async def listed() -> bool:
            await page.goto(f"{workspace}/workspace/")
            return event.inbound_id in await page.content()

        assert await eventually(listed)
        await _open_from_home(page, workspace, "to_register", subject)
        assert "Hợp lệ" in await page.inner_text("main")  # the sender's signature verdict
        await _shot(page, "incoming")
        said = await _confirm(page, "Vào sổ văn bản đến", "Xác nhận vào sổ")
        assert "Bộ Nội vụ được báo đã nhận (mã 03)" in said
        await expect(page.locator("main")).to_contain_text("Số đến")
        await _sign_out(page, workspace)

        await _sign_in(page, workspace, "approver@egov.local")
        await _open_from_home(page, workspace, "to_assign", subject)
        await page.get_by_role("link", name="Phân công xử lý").click()
        await page.select_option("#lead_unit", "CNTT")
        await page.get_by_label("VP: Văn phòng Bộ").check()
        deadline = (dt.date.today() + dt.timedelta(days=5)).isoformat()
        await page.fill("#deadline", deadline)
        await page.select_option("#handler", label="Trần Văn Minh (demo-drafter)")
        await page.fill("#instruction", "Đề nghị CNTT chủ trì, báo cáo trước hạn.")
        await _shot(page, "incoming-assign")
        await page.get_by_role("button", name="Xác nhận phân công").click()
        await expect(page.locator(".ws-flash-success")).to_contain_text("Đã phân công")
        assert "Trần Văn Minh (demo-drafter)" in await page.inner_text("#assignment ~ dl")
        await _sign_out(page, workspace)

        # The handler finds it among their assignments.
        await _sign_in(page, workspace, "drafter@egov.local")
        await _open_from_home(page, workspace, "assignments_due", subject)
        assert await page.get_by_role("link", name="Bắt đầu xử lý").count() == 1
        await _sign_out(page, workspace)


async def test_a_stale_edit_shows_who_changed_the_draft_and_offers_to_reload(
    workspace: str,
) -> None:
    async with httpx.AsyncClient(base_url=workspace, timeout=30) as api:
        created = await api.post(
            "/api/v1/documents",
            json=support.body(subject="Dự thảo sửa cùng lúc"),
            headers=support.drafter(),
        )
        assert created.status_code == 201
        doc_id = created.json()["id"]
        async with chromium() as browser:
            page = await browser.new_page()
            await _sign_in(page, workspace, "drafter@egov.local")
            await page.goto(f"{workspace}/workspace/documents/{doc_id}/edit")
            changed = await api.patch(
                f"/api/v1/documents/{doc_id}",
                json={"subject": "Đồng nghiệp đã sửa"},
                headers=support.with_version(support.drafter(), created),
            )
            assert changed.status_code == 200
            await page.fill("#subject", "Bản sửa của tôi")
            await page.get_by_role("button", name="Lưu dự thảo").click()
            main = await page.inner_text("main")
            assert "Văn bản đã thay đổi" in main and "drafter-CNTT" in main
            await _shot(page, "stale-edit")
            await page.get_by_role("link", name="Tải lại văn bản").click()
            assert await page.input_value("#subject") == "Đồng nghiệp đã sửa"
            await _sign_out(page, workspace)


async def test_a_clerk_finds_an_incoming_document_and_answers_its_recall_in_the_browser(
    workspace: str, module_suffix: str
) -> None:
    event = inbound()
    subject = "Công văn về lễ hội Đền Hùng gửi nhầm"
    event = event.model_copy(
        update={"header": event.header.model_copy(update={"subject": subject})}
    )
    await produce_event(event, module_suffix, source="urn:egov:lgsp")
    async with chromium() as browser:
        page = await browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await _sign_in(page, workspace, "clerk@egov.local")

        async def listed() -> bool:
            await page.goto(f"{workspace}/workspace/")
            return event.inbound_id in await page.content()

        assert await eventually(listed)
        # The sender asks for it back before it is registered.
        recall = InboundRecallRequested(
            inbound_id=event.inbound_id,
            inbound_version=2,
            sender_code=event.sender_code,
            reason="Gửi nhầm nơi nhận",
            requested_at=dt.datetime.now(dt.UTC),
        )
        await produce_event(recall, module_suffix, source="urn:egov:lgsp")

        # Found by search, without diacritics, among the incoming documents being handled.
        await page.get_by_role("link", name="Tìm kiếm").click()
        await page.fill("#q", "le hoi den hung")
        await page.get_by_role("button", name="Tìm", exact=True).click()
        results = page.locator("#incoming-results").locator("xpath=..")
        await expect(results).to_contain_text(subject)
        await _shot(page, "search-incoming")
        await results.get_by_role("link", name=subject).click()

        async def recalled() -> bool:
            await page.reload()
            return "Chờ văn thư trả lời" in await page.inner_text("main")

        assert await eventually(recalled)
        assert await page.get_by_role("link", name="Vào sổ văn bản đến").count() == 0
        await page.get_by_role("link", name="Trả lời đề nghị trả lại").click()
        await expect(page.locator("main")).to_contain_text("Gửi nhầm nơi nhận")
        await page.get_by_label("Từ chối trả lại", exact=False).check()
        await page.fill("#reason", "Văn bản đã được chuyển xử lý")
        await _shot(page, "incoming-recall-answer")
        await page.get_by_role("button", name="Xác nhận trả lời").click()
        await expect(page.locator(".ws-flash-success")).to_contain_text("Đã trả lời")
        main = await page.inner_text("main")
        assert "Đã từ chối trả lại (mã 16)" in main and "Văn bản đã được chuyển xử lý" in main
        assert await page.get_by_role("link", name="Vào sổ văn bản đến").count() == 1

        # A mistyped address is a page, not JSON.
        answer = await page.goto(f"{workspace}/workspace/registers?year=abc")
        assert answer is not None and answer.status == 422
        assert "Địa chỉ trang không hợp lệ" in await page.inner_text("main")
        await _shot(page, "invalid-address")
        await _sign_out(page, workspace)
        assert dialogs == []
