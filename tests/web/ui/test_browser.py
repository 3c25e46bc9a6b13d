"""The inbox in headless Chromium against the real app on PostgreSQL (issue 4's checks).

One browser per test session; each test gets a fresh context (cookies) on a fresh app.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from inbox.canned import save_canned
from inbox.conversations import Change, apply_change
from inbox.faq.service import seed_default_articles
from inbox.models import Conversation
from switchboard.runtime import Runtime
from tests.support.factory import fake_delivery, fake_message
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import PASSWORD, inbound

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

TIMEOUT_MS = 15_000


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    with serve_wsgi(app) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def ready(page: Any) -> None:
    """Wait until this page's script has wired the keyboard (after every navigation)."""
    page.wait_for_selector("html[data-ready]", state="attached")


def sign_in(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/inbox/")
    ready(page)


def test_agent_filters_searches_replies_notes_assigns_resolves(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    a = team_setup["a"]
    with rt.db.session() as session:
        save_canned(
            session,
            shortcut="사과",
            title="사과",
            body="{{contact_name}}님, 불편을 드려 죄송합니다.",
        )
        seed_default_articles(session)
    refund = inbound(rt, a, "환불해주세요. 포장이 파손됐어요", customer="c1", name="이서연")
    inbound(rt, a, "배송 언제 오나요?", customer="c2", name="박지훈")
    sign_in(page, base_url, "mina@example.test")
    assert page.locator(".conv-row").count() == 2
    page.keyboard.press("/")
    page.keyboard.type("환불")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=%ED%99%98%EB%B6%88**")
    ready(page)
    assert page.locator(".conv-row").count() == 1
    page.select_option("select[name=channel]", "facebook")  # auto-submits
    page.wait_for_url("**channel=facebook**")
    ready(page)
    assert page.locator(".conv-row .who").inner_text() == "이서연"
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/inbox/c/{refund.id}?**")
    ready(page)
    assert "파손" in page.locator("#messages").inner_text()
    page.click("#faq-suggestions summary")  # answers for the customer's latest message
    page.wait_for_selector("#faq-suggestions .faq-list li button")
    assert "환불" in page.locator("#faq-suggestions .faq-list").inner_text()

    page.keyboard.press("?")
    page.wait_for_selector("#help[open]")
    page.keyboard.press("Escape")
    page.wait_for_selector("#help:not([open])", state="attached")

    page.keyboard.press("r")
    page.keyboard.type("/사과")
    page.keyboard.press("Tab")  # the canned response, variables filled in
    assert page.input_value("#composer") == "이서연님, 불편을 드려 죄송합니다."
    page.keyboard.type(" 바로 환불 접수해 드릴게요.")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("article.msg-outbound [data-delivery=sent]")  # live, no reload
    ready(page)

    page.keyboard.press("n")
    page.keyboard.type("사진 확인 완료")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("article.kind-note >> text=사진 확인 완료")
    ready(page)

    page.keyboard.press("a")
    page.select_option("#assign-select", "me")
    page.wait_for_selector(
        f"#assign-select option[value='{team_setup['agent'].id}'][selected]", state="attached"
    )
    ready(page)

    page.keyboard.press("e")
    page.wait_for_selector("#conv-status.status-resolved")
    events = page.locator(".event").all_inner_texts()
    assert any("담당자 지정: 민아" in text for text in events)
    assert any("해결됨" in text for text in events)


def test_webhook_delivery_shows_up_live(
    page: Any, base_url: str, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    account = factory.account("facebook", external_id="page-live")
    admin_conv = inbound(rt, account, "첫 문의입니다", customer="cust-1")
    sign_in(page, base_url, "admin@example.test")
    page.goto(f"{base_url}/inbox/c/{admin_conv.id}")
    page.wait_for_selector("#live-state.on")
    body, headers = fake_delivery(
        "page-live",
        fake_message("live-1", "추가 질문: 영수증도 받을 수 있나요?", customer="cust-1"),
        fake_message("live-2", "새 고객의 문의예요", customer="cust-9", name="최유진"),
    )
    assert requests.post(f"{base_url}/webhooks/fake", data=body, headers=headers).ok
    page.wait_for_selector("#messages >> text=영수증도 받을 수 있나요")
    page.wait_for_selector(".conv-row .who >> text=최유진")


def test_agent_of_another_inbox_gets_nothing(
    page: Any, base_url: str, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    secret = inbound(rt, team_setup["a"], "A 인박스의 문의", customer="c1")
    token = factory.token(team_setup["outsider"])
    api = requests.get(
        f"{base_url}/api/v1/conversations/{secret.id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 404
    sign_in(page, base_url, "joon@example.test")
    assert page.locator(".conv-row").count() == 0
    assert page.goto(f"{base_url}/inbox/c/{secret.id}").status == 404
    assert page.goto(f"{base_url}/inbox/c/{secret.id}/_parts").status == 404
    page.goto(f"{base_url}/inbox/")
    # Listen as the outsider; a message for inbox A, then one for their own inbox B.
    page.evaluate(
        """() => { window.seen = []; const s = new EventSource('/live/stream');
        s.onmessage = (m) => window.seen.push(JSON.parse(m.data));
        return new Promise((ok) => { s.onopen = ok; }); }"""
    )
    inbound(rt, team_setup["a"], "A 인박스 두 번째", customer="c1")
    theirs = inbound(rt, team_setup["b"], "B 인박스 문의", customer="c7")
    page.wait_for_function(
        "(id) => window.seen.some((e) => e.conversation_id === id)", arg=theirs.id
    )
    seen = page.evaluate("window.seen")
    assert all(e["channel_account_id"] == team_setup["b"].id for e in seen)
    assert not any(e.get("conversation_id") == secret.id for e in seen)


def test_form_without_csrf_token_is_refused(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    sign_in(page, base_url, "mina@example.test")
    url = f"{base_url}/inbox/c/{conv.id}/update"
    refused = page.request.post(url, form={"status": "resolved"}, max_redirects=0)
    assert refused.status == 400
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    accepted = page.request.post(
        url, form={"status": "resolved", "csrf_token": token}, max_redirects=0
    )
    assert accepted.status == 302
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None and fresh.status == "resolved"


def test_xss_payloads_render_inert_under_a_strict_csp(
    page: Any, base_url: str, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    from pathlib import Path

    payloads = [
        line
        for line in (Path(__file__).parents[2] / "fixtures/xss/payloads.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]
    a = team_setup["a"]
    mailbox = factory.account("email")
    texts = dm = mail = None
    for i, payload in enumerate(payloads):
        dm = inbound(rt, a, payload, customer="xss-dm", external_id=f"dm-{i}")
        mail = inbound(
            rt,
            mailbox,
            payload,
            customer="x@example.com",
            external_id=f"mail-{i}",
            html=payload,
            subject=payload,
            kind=_email(),
        )
        texts = inbound(rt, a, "이름 확인", customer=f"xss-name-{i}", name=payload[:200])
        with rt.db.session() as session:
            named = session.get(Conversation, texts.id)
            assert named is not None
            apply_change(session, named, Change(labels=(payload[:64],)), actor=None)
    assert dm is not None and mail is not None and texts is not None
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(
        """window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          if (e.effectiveDirective.startsWith('script')) window.__violations.push(e.blockedURI);
        });"""
    )
    sign_in(page, base_url, "admin@example.test")
    pages = [
        "/inbox/?status=any",
        f"/inbox/c/{dm.id}",
        f"/inbox/c/{mail.id}",
        f"/inbox/c/{texts.id}",
        "/admin/labels",
    ]
    first = page.goto(f"{base_url}/inbox/?status=any")
    more = page.locator("a[rel=next]").get_attribute("href")
    assert more
    pages.append(more)
    for path in pages:
        response = page.goto(f"{base_url}{path}")
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert page.evaluate(INJECTED) == [], path
        assert page.evaluate("window.__violations") == [], path
    assert first is not None
    assert dialogs == []
    shown = page.goto(f"{base_url}/inbox/c/{dm.id}")
    assert shown is not None
    assert page.locator("#messages").inner_text().count("<script>alert(1)</script>") >= 1


def _email() -> Any:
    from connectors.base import ConversationKind

    return ConversationKind.EMAIL


# Elements or attributes that could run code, anywhere in the page body.
INJECTED = """() => {
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'base', 'frame', 'frameset', 'applet',
         'meta', 'link', 'style', 'svg', 'math'].includes(tag)) bad.push(tag);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) bad.push(tag + '[' + name + ']');
      if (/^\\s*(javascript|vbscript|data:text\\/html)/i.test(attr.value) &&
          ['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc'].includes(name))
        bad.push(tag + '[' + name + ']=' + attr.value);
      if (name === 'srcdoc' || name === 'style') bad.push(tag + '[' + name + ']');
    }
  }
  return bad;
}"""


def test_someone_else_is_replying(
    browser: Any, page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    page.wait_for_selector("#live-state.on")
    other = browser.new_context(locale="ko-KR")
    try:
        admin = other.new_page()
        sign_in(admin, base_url, "admin@example.test")
        admin.goto(f"{base_url}/inbox/c/{conv.id}")
        admin.keyboard.press("r")
        admin.keyboard.type("답장 작성 중")
        page.wait_for_selector("#typing:not([hidden]) >> text=관리자")
    finally:
        other.close()


def test_x_counter_matches_the_server_and_the_server_refuses_long_posts(
    page: Any, base_url: str, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    from connectors.base import ConversationKind
    from connectors.x.weighted_length import weighted_length

    samples = [
        "배송 문의 답변드립니다",
        "Order 2026112400317 ships today: https://shop.example.com/orders/2026112400317?x=1",
        "감사합니다 🙏🏽 👨‍👩‍👧 🇰🇷",
        "mixed 한글 and English, shop.co.kr/faq 참고",
        "가" * 141,
    ]
    x = factory.account("x", connector="x", external_id="x-acct")
    with rt.db.session() as session:
        from inbox.models import User
        from inbox.users import set_inboxes

        agent = session.get(User, team_setup["agent"].id)
        assert agent is not None
        set_inboxes(session, agent, {team_setup["a"].id, x.id})
    mention = inbound(
        rt, x, "@seoulsupps 배송 언제?", customer="x-user", kind=ConversationKind.MENTION
    )
    sign_in(page, base_url, "mina@example.test")
    for sample in samples:
        ours = page.evaluate("(s) => window.switchboardWeightedLength(s)", sample)
        assert ours == weighted_length(sample), sample
    page.goto(f"{base_url}/inbox/c/{mention.id}")
    # The badge takes the colours the x declaration gives (/channels.css, allowed by the CSP).
    badge = page.locator("#thread-head .chan-x")
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(233, 233, 233)"
    page.fill("#composer", "가" * 141)
    page.wait_for_selector("#reply-counter.over >> text=282 / 280")
    assert page.is_disabled("#send-button")
    # The server refuses it too (the counter is only a courtesy).
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    page.request.post(
        f"{base_url}/inbox/c/{mention.id}/reply", form={"csrf_token": token, "text": "가" * 141}
    )
    with rt.db.session() as session:
        from inbox.models import Message

        assert session.query(Message).filter_by(direction="outbound").count() == 0


def test_shortcuts_work_with_the_korean_ime_in_hangul_mode(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    inbound(rt, team_setup["a"], "문의", customer="c1")
    sign_in(page, base_url, "mina@example.test")
    # In Hangul mode the J key reports key "ㅓ" with code "KeyJ".
    page.evaluate(
        """() => document.dispatchEvent(new KeyboardEvent('keydown',
             {key: 'ㅓ', code: 'KeyJ', bubbles: true}))"""
    )
    page.wait_for_selector(".conv-row.cursor")
