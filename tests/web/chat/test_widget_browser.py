"""The widget in headless Chromium: chat both ways live, FAQ hand-off, XSS inert, long text.

One browser per module; each test gets a fresh app (its own database) served on loopback
and a fresh browser context (empty localStorage).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inbox.faq.models import FaqEvidence
from inbox.models import Conversation, Message
from tests.support.servers import serve_wsgi
from tests.web.chat.support import seed_faq, widget_account

pytestmark = pytest.mark.browser

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "xss" / "payloads.txt"
TIMEOUT = 30_000  # ms; Playwright waits for a condition, no assertion is about speed


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    # The XSS test sends ~46 payloads from one chat session at once: more than a person would.
    return {"RATE_LIMIT_CHAT_MESSAGES": ""}


@pytest.fixture
def server(app: Any) -> Iterator[str]:
    with serve_wsgi(app) as base:
        yield base


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ko-KR")
    context.set_default_timeout(TIMEOUT)
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.page_errors = errors
    tab.dialogs = dialogs
    yield tab
    context.close()


def open_widget(page: Any, base: str, *, name: str = "", email: str = "", lang: str = "ko"):
    page.goto(f"{base}/chat/demo?lang={lang}")
    page.wait_for_selector("#switchboard-chat[data-ready='1']", state="attached")
    page.click(".sb-launcher")
    if page.locator(".sb-intro").is_visible():
        page.fill(".sb-name", name)
        page.fill(".sb-email", email)
        page.click(".sb-start")
    page.wait_for_selector(".sb-input")


def send(page: Any, text: str) -> None:
    page.fill(".sb-input", text)
    page.press(".sb-input", "Enter")


def api(base: str, method: str, path: str, token: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def agent_token(factory: Any, account_id: int, name: str = "김상담") -> str:
    token: str = factory.token(factory.user("agent", name=name, inboxes=[account_id]))
    return token


def only_conversation(rt: Any) -> Conversation:
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation)).one()
        s.expunge(conversation)
        return conversation


def test_visitor_chats_agent_answers_visitor_sees_it_live_and_after_reload(
    rt, factory, server, page
):
    account = widget_account(factory, self_service=False)
    token = agent_token(factory, account.id)
    open_widget(page, server, name="최예린", email="yerin.choi@example.org")
    send(page, "주문번호 2026112500042 주소를 잘못 입력했어요. 변경 가능한가요?")
    page.wait_for_selector(".sb-visitor[data-id]")
    conversation = only_conversation(rt)
    api(
        server,
        "POST",
        f"/api/v1/conversations/{conversation.id}/messages",
        token,
        {"text": "네, 변경 가능합니다. 새 주소를 알려주세요."},
    )
    agent = page.wait_for_selector(".sb-agent")
    assert agent.query_selector(".sb-author").text_content() == "김상담"
    reply = agent.query_selector(".sb-text").text_content()
    assert reply == "네, 변경 가능합니다. 새 주소를 알려주세요."
    # The session survives a reload (token in localStorage): same conversation, same thread.
    page.reload()
    page.wait_for_selector("#switchboard-chat[data-ready='1']", state="attached")
    page.click(".sb-launcher")
    page.wait_for_selector(".sb-agent")
    assert page.locator(".sb-intro").is_hidden()
    send(page, "서울 마포구 월드컵로 000으로 바꿔주세요")
    page.wait_for_selector(".sb-visitor[data-id] >> nth=1")
    with rt.db.session() as s:
        assert s.scalars(select(Conversation.id)).all() == [conversation.id]
        texts = s.scalars(
            select(Message.text).where(Message.direction == "inbound").order_by(Message.id)
        ).all()
        assert texts[-1] == "서울 마포구 월드컵로 000으로 바꿔주세요"
        assert s.scalars(select(Conversation)).one().contact.name == "최예린"
    assert page.dialogs == [] and page.page_errors == []


def test_faq_answers_appear_and_talk_to_a_person_hands_off(rt, factory, server, page):
    account = widget_account(factory)
    seed_faq(rt)
    token = agent_token(factory, account.id)
    open_widget(page, server)
    send(page, "배송 언제와요?")
    page.wait_for_selector(".sb-answer")
    assert page.locator(".sb-answer").first.get_attribute("data-slug") == "shipping-time"
    assert page.locator(".sb-answer-text").first.text_content()
    assert only_conversation(rt).status == "pending"
    # Still waiting for the visitor's choice after a reload: the answers come back.
    page.reload()
    page.wait_for_selector("#switchboard-chat[data-ready='1']", state="attached")
    page.click(".sb-launcher")
    page.wait_for_selector(".sb-answer[data-slug='shipping-time']")
    page.click(".sb-human")
    page.wait_for_selector(".sb-notice:has-text('상담원을 연결해 드릴게요')")
    assert page.locator(".sb-faq").is_hidden()
    conversation = only_conversation(rt)
    assert (conversation.status, conversation.self_service) == ("open", "handed_off")
    api(
        server,
        "POST",
        f"/api/v1/conversations/{conversation.id}/messages",
        token,
        {"text": "안녕하세요, 주문번호를 알려주시면 확인해 드릴게요."},
    )
    page.wait_for_selector(".sb-agent:has-text('주문번호를 알려주시면')")


def test_this_solved_it_resolves_by_self_service(rt, factory, server, page):
    widget_account(factory)
    seed_faq(rt)
    open_widget(page, server, lang="en")
    send(page, "How do I reset my password?")
    page.wait_for_selector(".sb-answer[data-slug='account-password-reset']")
    page.click(".sb-answer[data-slug='account-password-reset'] .sb-solved")
    page.wait_for_selector(".sb-notice:has-text('Glad that helped')")
    conversation = only_conversation(rt)
    assert (conversation.status, conversation.self_service) == ("resolved", "resolved")
    # The visitor's words now count as evidence for that article.
    with rt.db.session() as s:
        learned = s.scalars(select(FaqEvidence)).one()
        assert (learned.phrase, learned.source) == ("How do I reset my password?", "visitor")


@pytest.mark.parametrize("question", ["'; DROP TABLE users; --", "오늘 서울 날씨 어때요?"])
def test_no_fitting_answer_offers_a_person_at_once(rt, factory, server, page, question):
    widget_account(factory)
    seed_faq(rt)
    open_widget(page, server)
    send(page, question)
    page.wait_for_selector(".sb-notice:has-text('상담원을 연결해 드릴게요')")
    page.wait_for_selector(".sb-visitor[data-id]")
    assert page.locator(".sb-answer").count() == 0
    conversation = only_conversation(rt)
    assert (conversation.status, conversation.self_service) == ("open", "no_match")


def test_xss_payloads_are_inert_on_the_visitor_side(rt, factory, server, page):
    account = widget_account(factory, self_service=False)
    token = agent_token(factory, account.id, name="<img src=x onerror=alert('agent')>")
    payloads = [p for p in PAYLOADS.read_text(encoding="utf-8").split("\n") if p.strip()]
    open_widget(page, server, name="<img src=x onerror=alert('name')>")
    send(page, payloads[0])  # one through the composer itself
    page.wait_for_selector(".sb-visitor[data-id]")
    visitor_token = page.evaluate("localStorage.getItem('switchboard-chat:widget-main')")
    for i, payload in enumerate(payloads[1:], start=1):
        api(
            server,
            "POST",
            "/chat/widget-main/messages",
            visitor_token,
            {"client_msg_id": f"c_xss-{i}", "text": payload},
        )
    conversation = only_conversation(rt)
    for payload in payloads:
        api(
            server,
            "POST",
            f"/api/v1/conversations/{conversation.id}/messages",
            token,
            {"text": payload},
        )
    page.wait_for_function(
        "n => document.querySelector('#switchboard-chat').shadowRoot"
        ".querySelectorAll('.sb-agent').length >= n",
        arg=len(payloads),
    )
    shown = page.evaluate(
        """() => {
          const root = document.querySelector('#switchboard-chat').shadowRoot;
          const texts = sel => [...root.querySelectorAll(sel + ' .sb-text')]
            .map(e => e.textContent);
          const log = root.querySelector('.sb-log');
          return {
            visitor: texts('.sb-visitor'), agent: texts('.sb-agent'),
            authors: [...root.querySelectorAll('.sb-agent .sb-author')].map(e => e.textContent),
            elements: [...log.querySelectorAll('*')].map(e => e.tagName.toLowerCase()),
            pageImages: document.querySelectorAll('img, iframe, svg, object, embed').length,
            xss: window.__xss || null,
            logWidth: log.scrollWidth <= log.clientWidth + 1,
          };
        }"""
    )
    assert shown["visitor"] == payloads
    assert shown["agent"] == payloads
    assert set(shown["authors"]) == {"<img src=x onerror=alert('agent')>"}
    # Only the widget's own structure: list items, author spans and text divs.
    assert set(shown["elements"]) == {"li", "span", "div"}
    assert shown["pageImages"] == 0 and shown["xss"] is None
    assert shown["logWidth"], "a long payload widened the message list"
    assert page.dialogs == [] and page.page_errors == []


def test_a_20000_plus_character_message_gets_a_clear_error_and_nothing_breaks(
    rt, factory, server, page
):
    widget_account(factory, self_service=False)
    open_widget(page, server)
    send(page, "가" * 20_001)
    error = page.wait_for_selector(".sb-error")
    assert "최대 20,000자" in error.text_content() and "20,001자" in error.text_content()
    assert page.input_value(".sb-input") == "가" * 20_001  # kept, so the visitor can shorten it
    assert page.locator(".sb-msg").count() == 0
    send(page, "나" * 20_000)
    page.wait_for_selector(".sb-visitor[data-id]")
    assert page.locator(".sb-error").is_hidden()
    send(page, "짧은 질문도 잘 가요")
    page.wait_for_selector(".sb-visitor[data-id] >> nth=1")
    with rt.db.session() as s:
        lengths = [len(t) for t in s.scalars(select(Message.text).order_by(Message.id))]
    assert lengths == [20_000, len("짧은 질문도 잘 가요")]


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000a49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def host_page(widget_base: str) -> Any:
    """A shop on another origin that embeds the widget with the one documented tag."""
    html = (
        "<!doctype html><html lang='ko'><head><meta charset='utf-8'><title>Shop</title></head>"
        "<body><h1>다른 사이트의 쇼핑몰</h1>"
        f"<script src='{widget_base}/static/widget/widget.js' data-widget='widget-main' async>"
        "</script></body></html>"
    ).encode()

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html]

    return app


def test_embedded_on_an_allowed_site_chats_across_origins_and_sends_an_image(
    rt, factory, server, page
):
    with serve_wsgi(host_page(server)) as shop:
        account = widget_account(factory, self_service=False, allowed_origins=[shop])
        token = agent_token(factory, account.id)
        page.goto(shop + "/")
        page.wait_for_selector("#switchboard-chat[data-ready='1']", state="attached")
        page.click(".sb-launcher")
        page.fill(".sb-name", "Guest Alex")
        page.click(".sb-start")
        send(page, "Do you ship to Canada?")
        page.wait_for_selector(".sb-visitor[data-id]")
        page.set_input_files(
            ".sb-file", files=[{"name": "label.png", "mimeType": "image/png", "buffer": PNG_1X1}]
        )
        image = page.wait_for_selector(".sb-visitor img.sb-image")
        page.wait_for_function("img => img.complete && img.naturalWidth === 1", arg=image)
        assert image.get_attribute("alt") == "label.png"
        conversation = only_conversation(rt)
        api(
            server,
            "POST",
            f"/api/v1/conversations/{conversation.id}/messages",
            token,
            {"text": "Yes, we ship to Canada in 7-14 days."},
        )
        page.wait_for_selector(".sb-agent:has-text('7-14 days')")
        assert page.page_errors == []


def test_a_site_that_is_not_allowed_gets_no_chat(rt, factory, server, page):
    with serve_wsgi(host_page(server)) as shop:
        widget_account(factory, allowed_origins=["https://shop.seoulsupps.example"])
        page.goto(shop + "/")
        page.wait_for_selector("#switchboard-chat[data-ready='1']", state="attached")
        page.click(".sb-launcher")
        page.wait_for_selector(".sb-error")
        assert page.locator(".sb-input").is_hidden()
    with rt.db.session() as s:
        assert s.scalars(select(Conversation)).all() == []


def test_offline_hours_show_the_email_form(rt, factory, server, page):
    widget_account(factory, hours={"timezone": "Asia/Seoul", "days": {}})
    open_offline = page.goto(f"{server}/chat/demo?lang=ko")
    assert open_offline is not None
    page.wait_for_selector("#switchboard-chat[data-ready='1']", state="attached")
    page.click(".sb-launcher")
    page.wait_for_selector(".sb-offline")
    assert page.locator(".sb-input").is_hidden()
    page.fill(".sb-off-name", "이수진")
    page.fill(".sb-off-email", "sujin.lee@example.net")
    page.fill(".sb-off-text", "환불 문의드립니다. 주문번호 2026111900221")
    page.click(".sb-off-send")
    page.wait_for_selector(".sb-notice:has-text('문의가 접수되었어요')")
    with rt.db.session() as s:
        message = s.scalars(select(Message)).one()
        assert message.meta["offline"] is True
        assert message.conversation.contact.email == "sujin.lee@example.net"


def test_agent_answers_in_the_inbox_ui_and_the_visitor_sees_it_live(
    rt, factory, server, page, browser
):
    account = widget_account(factory, self_service=False)
    factory.user("agent", name="김상담", email="agent@example.test", inboxes=[account.id])
    hostile = "<img src=x onerror=alert('chat')>배송 문의드려요"
    open_widget(page, server, name="<svg onload=alert('name')>")
    send(page, hostile)
    page.wait_for_selector(".sb-visitor[data-id]")
    conversation = only_conversation(rt)

    agent_context = browser.new_context(locale="ko-KR")
    agent_context.set_default_timeout(TIMEOUT)
    agent = agent_context.new_page()
    agent_dialogs: list[str] = []
    agent.on("dialog", lambda d: (agent_dialogs.append(d.message), d.dismiss()))
    try:
        agent.goto(f"{server}/login")
        agent.fill("input[name=email]", "agent@example.test")
        agent.fill("input[name=password]", "correct horse battery")
        agent.click("button[type=submit]")
        agent.wait_for_url("**/inbox/**")
        agent.goto(f"{server}/inbox/c/{conversation.id}")
        assert hostile in agent.locator("#messages").inner_text()
        agent.fill("#composer", "고객님, 주문번호를 알려주시면 바로 확인해 드릴게요.")
        page.wait_for_selector(".sb-typing:has-text('김상담님이 입력 중이에요')")
        agent.click("#send-button")
        reply = page.wait_for_selector(".sb-agent:has-text('바로 확인해 드릴게요')")
        assert reply.query_selector(".sb-author").text_content() == "김상담"
        assert page.locator(".sb-typing").is_hidden()  # the reply replaced "is typing"
        assert agent_dialogs == [] and page.dialogs == []
    finally:
        agent_context.close()


def test_xss_payloads_from_the_widget_are_inert_in_the_agents_inbox(rt, factory, server, page):
    account = widget_account(factory, self_service=False)
    factory.user("agent", name="김상담", email="agent@example.test", inboxes=[account.id])
    payloads = [p for p in PAYLOADS.read_text(encoding="utf-8").split("\n") if p.strip()]
    open_widget(page, server, name="<img src=x onerror=alert('name')>")
    send(page, payloads[0])
    page.wait_for_selector(".sb-visitor[data-id]")
    visitor_token = page.evaluate("localStorage.getItem('switchboard-chat:widget-main')")
    for i, payload in enumerate(payloads[1:], start=1):
        api(
            server,
            "POST",
            "/chat/widget-main/messages",
            visitor_token,
            {"client_msg_id": f"c_xss-{i}", "text": payload},
        )
    conversation = only_conversation(rt)
    page.goto(f"{server}/login")
    page.fill("input[name=email]", "agent@example.test")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox/**")
    page.goto(f"{server}/inbox/c/{conversation.id}")
    page.wait_for_selector("#messages")
    found = page.evaluate(
        """() => {
          const box = document.querySelector('#messages');
          const all = [...box.querySelectorAll('*')];
          return {
            dangerous: all.filter(e => ['script', 'iframe', 'svg', 'object', 'embed', 'base',
              'form', 'meta', 'link', 'style'].includes(e.tagName.toLowerCase())).length,
            handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            xImages: box.querySelectorAll('img[src="x"]').length,
            text: box.textContent,
          };
        }"""
    )
    assert found["dangerous"] == 0 and found["handlers"] == 0 and found["xImages"] == 0
    for payload in payloads:
        assert payload in found["text"]
    assert page.dialogs == [] and page.page_errors == []
