"""Issue 15 flows in headless Chromium on PostgreSQL, in Korean and English: an outgoing
webhook retried until a local receiver accepts it, and an @mention that notifies a colleague
live (bell, browser notification while the tab is hidden)."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.runtime import Runtime
from tests.support.receiver import receiver
from tests.web.ui.conftest import inbound
from tests.web.ui.locales import LANGS, speak, tr
from tests.web.ui.test_browser import base_url, page, ready, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]
__all__ = ["base_url", "page"]  # fixtures shared with test_browser.py


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest, rt: Runtime) -> str:
    """The language every user reads the UI in (set once the test has made its users)."""
    return str(request.param)


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"WEBHOOK_RETRY_SCHEDULE": "0.3,0.3,0.3", "WEBHOOK_ALLOW_HOSTS": "127.0.0.1"}


def test_outgoing_webhook_is_retried_until_the_receiver_accepts(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], lang: str
) -> None:
    conv = inbound(rt, team_setup["a"], "환불 요청합니다", customer="c1", name="이서연")
    speak(rt, lang)
    with receiver(500, 502) as hook:
        sign_in(page, base_url, "admin@example.test")
        page.goto(f"{base_url}/admin/webhooks")
        page.fill("#webhook-new input[name=name]", "주문 시스템")
        page.fill("#webhook-new input[name=url]", hook.url)
        page.check("#webhook-new input[value='conversation.resolved']")
        page.click("#webhook-new button[type=submit]")
        assert page.locator("#webhook-secret").inner_text().startswith("whsec_")  # once
        webhook_url = base_url + (page.get_attribute("#webhook-link", "href") or "")

        page.goto(f"{base_url}/inbox/c/{conv.id}")
        ready(page)
        page.keyboard.press("e")
        page.wait_for_selector("#conv-status.status-resolved")

        page.goto(webhook_url)
        for _ in range(100):  # the retries run in the app's job threads
            if page.locator("tr.delivery[data-status=delivered]").count():
                break
            page.wait_for_timeout(200)
            page.reload()
        row = page.locator("tr.delivery").first
        assert row.get_attribute("data-status") == "delivered"
        assert row.locator(".codes").inner_text().split(" → ") == ["500", "502", "200"]
        assert len(hook.requests) == 3

        row.locator("button.redeliver").click()
        page.wait_for_selector(f"text={tr(lang, 'Redelivery queued.')}")
        for _ in range(100):
            if page.locator("tr.delivery[data-status=delivered]").count() == 2:
                break
            page.wait_for_timeout(200)
            page.reload()
        assert page.locator("tr.delivery[data-status=delivered]").count() == 2
        assert len(hook.requests) == 4


FAKE_NOTIFICATIONS = """
(() => {
  window.__shown = [];
  window.__asked = 0;
  class FakeNotification {
    constructor(title, options) { window.__shown.push({ title, body: (options || {}).body }); }
    static get permission() { return localStorage.getItem("fake-permission") || "default"; }
    static requestPermission() {
      window.__asked += 1;
      localStorage.setItem("fake-permission", "granted");
      return Promise.resolve("granted");
    }
  }
  window.Notification = FakeNotification;
  Object.defineProperty(document, "hidden", { get: () => window.__hidden === true });
})();
"""


def test_mention_with_autocomplete_notifies_the_colleague_live(
    browser: Any, page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], lang: str
) -> None:
    conv = inbound(rt, team_setup["a"], "배송이 안 와요", customer="c1", name="박지훈")
    speak(rt, lang)
    page.context.add_init_script(FAKE_NOTIFICATIONS)
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/notifications/")
    ready(page)
    assert page.evaluate("window.__asked") == 0  # no prompt before the agent opts in
    page.click("#browser-notify")
    page.wait_for_selector("#browser-notify[aria-pressed=true]")
    assert page.evaluate("window.__asked") == 1
    page.goto(f"{base_url}/inbox/")
    page.wait_for_selector("#live-state.on")
    assert page.locator("#bell-count").is_hidden()
    page.evaluate("window.__hidden = true")  # the agent switched to another tab

    other = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 900})
    try:
        admin = other.new_page()
        sign_in(admin, base_url, "admin@example.test")
        admin.goto(f"{base_url}/inbox/c/{conv.id}")
        ready(admin)
        admin.keyboard.press("n")
        admin.keyboard.type("@민")
        admin.wait_for_selector("#mention-menu li.active >> text=민아")
        admin.keyboard.press("Enter")
        assert admin.input_value("#composer") == "@민아 "
        admin.keyboard.type("고객님께 배송 확인 부탁해요")
        admin.keyboard.press("Control+Enter")
        admin.wait_for_selector("article.kind-note >> text=배송 확인 부탁해요")
    finally:
        other.close()

    page.wait_for_selector("#bell-count:not([hidden]) >> text=1")
    page.wait_for_function("window.__shown.length === 1")
    shown = page.evaluate("window.__shown[0]")
    assert shown["title"] == tr(lang, "You were mentioned")
    assert "배송 확인 부탁해요" in shown["body"]

    page.evaluate("window.__hidden = false")
    page.click("#bell")
    item = page.locator(".notification.unread").first
    assert tr(lang, "You were mentioned") in item.inner_text()
    item.locator("a").click()
    page.wait_for_url(f"**/inbox/c/{conv.id}")
    ready(page)
    assert page.locator("#bell-count").is_hidden()
