"""News bodies are Markdown: the API refuses images without alt text, and the public page
renders the body through the same sanitiser as the editor's preview."""

from __future__ import annotations

from tests.integration.portal.conftest import Portal
from tests.support.services import auth

EDITOR = auth("portal_editor", user="bientap")


async def test_the_api_refuses_a_body_with_an_image_without_alt_text(portal: Portal) -> None:
    article = {"title": "Ảnh thiếu mô tả", "body": "Xem ảnh: ![](/tin-tuc/anh/abc)"}
    refused = await portal.client.post("/api/v1/news", json=article, headers=EDITOR)
    assert refused.status_code == 422, refused.text
    assert "alt text" in refused.json()["detail"]
    listed = (await portal.client.get("/api/v1/news")).json()["items"]
    assert "Ảnh thiếu mô tả" not in {n["title"] for n in listed}  # nothing half-written


async def test_the_public_page_renders_markdown_and_keeps_hostile_text_inert(
    portal: Portal,
) -> None:
    body = "**Đậm** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>"
    created = await portal.client.post(
        "/api/v1/news", json={"title": "Tin Markdown", "body": body}, headers=EDITOR
    )
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "published"
    page = (await portal.client.get(created.json()["url"])).text
    assert "<strong>Đậm</strong>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=y&gt;" in page
