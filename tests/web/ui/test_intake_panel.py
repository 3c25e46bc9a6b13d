"""The intake checklist beside an email thread and its one-click request (issue #7 §6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from connectors.base import Attachment, ConversationKind
from inbox.intake import DETAILS, NAME_CONTACT, ORDER_NUMBER, PHOTOS, request_text
from switchboard.runtime import Runtime
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import PASSWORD, inbound, login


def _panel(html: str) -> str:
    found = re.search(r'<section id="intake-panel".*?</section>', html, re.S)
    assert found, "no intake panel on the page"
    return found.group(0)


def _state(panel: str, item: str) -> str:
    found = re.search(rf'<li class="(ok|missing)" data-item="{item}">', panel)
    assert found, item
    return found.group(1)


def _request(panel: str) -> str | None:
    found = re.search(r'data-intake-request="([^"]*)"', panel)
    return found.group(1) if found else None


def test_missing_order_number_offers_the_korean_request(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    mailbox = factory.account("email")
    conv = inbound(
        rt,
        mailbox,
        "안녕하세요. 어제 받은 유리컵이 깨져서 왔어요. 교환 부탁드립니다.\n\n이서연 드림",
        customer="seoyeon@example.com",
        name="이서연",
        kind=ConversationKind.EMAIL,
        subject="파손 상품 교환 문의",
    )
    login(client, "admin@example.test")
    panel = _panel(client.get(f"/inbox/c/{conv.id}").get_data(as_text=True))
    assert _state(panel, ORDER_NUMBER) == "missing"
    assert _state(panel, PHOTOS) == "missing"  # breakage, and no photo sent
    assert _state(panel, NAME_CONTACT) == "ok" and "seoyeon@example.com" in panel
    assert _state(panel, DETAILS) == "ok"
    expected = request_text([ORDER_NUMBER, PHOTOS], "ko")
    assert expected is not None
    assert _request(panel) == str(escape(expected))
    assert "주문번호 (13자리 숫자" in expected


def test_order_number_with_invisible_characters_is_present(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    mailbox = factory.account("email")
    conv = inbound(
        rt,
        mailbox,
        "주문번호 2026\u200b1124\u200d00317 상품 포장이 찢어져서 왔어요. 사진 보내드립니다.",
        customer="minho@example.com",
        kind=ConversationKind.EMAIL,
        subject="포장 파손",
        attachments=(
            Attachment(kind="image", filename="box.jpg", content_type="image/jpeg", data=b"jpg"),
        ),
    )
    login(client, "admin@example.test")
    panel = _panel(client.get(f"/inbox/c/{conv.id}").get_data(as_text=True))
    assert _state(panel, ORDER_NUMBER) == "ok"
    assert '<span class="order-number">2026112400317</span>' in panel
    assert _state(panel, PHOTOS) == "ok"
    assert 'class="intake intake-complete"' in panel
    assert _request(panel) is None  # nothing to ask for


def test_english_inquiry_gets_the_english_request(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    mailbox = factory.account("email")
    conv = inbound(
        rt,
        mailbox,
        "Hello, the mug in order 2026112400317 arrived broken. Can you send a new one?",
        customer="jane@example.com",
        name="Jane Doe",
        kind=ConversationKind.EMAIL,
        subject="Broken mug",
    )
    login(client, "admin@example.test")
    panel = _panel(client.get(f"/inbox/c/{conv.id}").get_data(as_text=True))
    assert _state(panel, ORDER_NUMBER) == "ok"
    expected = request_text([PHOTOS], "en")
    assert expected is not None
    assert _request(panel) == str(escape(expected))
    assert 'lang="en"' in panel


def test_dm_conversation_has_no_intake_panel(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "배송 언제 오나요?", customer="c1")
    login(client, "admin@example.test")
    response = client.get(f"/inbox/c/{conv.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="intake-panel"' not in html and 'id="messages"' in html
    parts = client.get(f"/inbox/c/{conv.id}/_parts")
    assert parts.status_code == 200 and 'id="intake-panel"' not in parts.get_data(as_text=True)


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_clicking_the_request_fills_the_composer(
    app: Any, browser: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    mailbox = factory.account("email")
    conv = inbound(
        rt,
        mailbox,
        "배송이 너무 늦어요. 언제 받을 수 있나요?",
        customer="late@example.com",
        kind=ConversationKind.EMAIL,
        subject="배송 문의",
    )
    expected = request_text([ORDER_NUMBER], "ko")
    assert expected is not None
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        with serve_wsgi(app) as base_url:
            page.goto(f"{base_url}/login")
            page.fill("input[name=email]", "admin@example.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base_url}/inbox/")
            page.goto(f"{base_url}/inbox/c/{conv.id}")
            page.wait_for_selector("html[data-ready]", state="attached")
            page.click('input[name="mode"][value="note"]')
            page.click("[data-intake-request]")
            assert page.input_value("#composer") == expected
            assert page.is_checked('input[name="mode"][value="reply"]')
    finally:
        context.close()
