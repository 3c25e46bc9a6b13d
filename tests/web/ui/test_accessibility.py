"""axe-core on every main page in Korean and English, light and dark, and the keyboard path
(issue 21): 0 serious or critical violations; a skip link first; a visible focus ring. The
agent's pages, reports, announcements, the admin pages an admin uses daily, profile,
notifications, help, sign-in and the error page.

One browser context walks all pages in one session (one sign-in, `?lang=` switches the
language for the session), so the added time is one app and one context. axe-core comes from
tests/support/axe (vendored from npm, version and licence there) as an init script: Chromium
runs it before each page's own code, outside the page's CSP, and nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import ConversationKind
from inbox.announcements import Draft, create
from inbox.channels import add_account
from inbox.models import User
from inbox.users import create_user, set_inboxes
from switchboard.runtime import Runtime
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import PASSWORD, inbound

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

AXE = (Path(__file__).resolve().parents[2] / "support" / "axe" / "axe.min.js").read_text()
TIMEOUT_MS = 15_000
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
}"""
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing focused";
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return ring || shadow ? "" : `${el.tagName.toLowerCase()}.${el.className}: no visible focus`;
}"""


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    with serve_wsgi(app) as url:
        yield url


@pytest.fixture
def seeded(rt: Runtime) -> dict[str, int]:
    with rt.db.session() as session:
        fb = add_account(
            session,
            channel="facebook",
            connector="fake",
            name="공식 페이지",
            external_id="acct-fb",
            sealed_credentials=rt.seal({}),
            options={},
        )
        ig = add_account(
            session,
            channel="instagram",
            connector="fake",
            name="공식 인스타",
            external_id="acct-ig",
            sealed_credentials=rt.seal({}),
            options={},
        )
        admin, _ = create_user(
            session, email="boss@example.test", role="admin", name="관리자", password=PASSWORD
        )
        set_inboxes(session, admin, {fb.id, ig.id})
        ids = {"admin": admin.id, "fb": fb.id}
    thread = inbound(rt, fb, "배송 언제 오나요? 주문번호 2026112400317", customer="c1")
    inbound(rt, ig, "색상 문의", customer="c2", name="이서연", kind=ConversationKind.COMMENT)
    with rt.db.session() as session:
        author = session.get(User, ids["admin"])
        announcement = create(
            session,
            author,
            Draft(text="연말 감사 세일", targets={ids["fb"]: None}, title="연말 공지"),
            store=rt.store,
        )
        ids["announcement"] = announcement.id
    ids["thread"] = thread.id
    return ids


def _violations(page: Any) -> list[str]:
    return list(page.evaluate(RUN_AXE))


def test_main_pages_pass_axe_in_both_languages_and_themes_and_work_by_keyboard(
    browser: Any, base_url: str, seeded: dict[str, int]
) -> None:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(script=AXE)
    page = context.new_page()
    found: dict[str, list[str]] = {}

    def check(path: str, label: str) -> None:
        page.goto(f"{base_url}{path}")
        page.wait_for_load_state("load")
        problems = _violations(page)
        if problems:
            found[label] = problems

    try:
        check("/login?lang=ko", "ko /login")
        check("/login?lang=en", "en /login")
        page.fill("input[name=email]", "boss@example.test")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/inbox/")
        pages = [
            "/inbox/",
            f"/inbox/c/{seeded['thread']}",
            "/reports/",
            "/announcements/",
            "/announcements/new",
            f"/announcements/{seeded['announcement']}",
            "/inbox/macros",
            "/admin/agents",
            "/admin/teams",
            "/admin/channels",
            "/admin/labels",
            "/admin/canned",
            "/admin/rules",
            "/admin/sla",
            "/admin/faq",
            "/admin/webhooks",
            "/admin/privacy",
            "/profile",
            "/notifications/",
            "/help",
            "/no/such/page",
        ]
        for lang in ("ko", "en"):
            page.goto(f"{base_url}/inbox/?lang={lang}")
            for path in pages:
                check(path, f"{lang} {path}")
        # Dark mode: the toggle, remembered across pages; the inbox and a thread again.
        page.goto(f"{base_url}/inbox/?lang=ko")
        light = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.click("[data-action='theme']")
        assert page.get_attribute("html", "data-theme") == "dark"
        assert page.get_attribute("[data-action='theme']", "aria-pressed") == "true"
        for path in ("/inbox/", f"/inbox/c/{seeded['thread']}", "/reports/", "/announcements/"):
            check(path, f"dark {path}")
        assert page.get_attribute("html", "data-theme") == "dark"  # the cookie, server-side
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
        # Keyboard: the skip link comes first and lands on the content; focus is visible.
        page.goto(f"{base_url}/inbox/c/{seeded['thread']}")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert page.evaluate(FOCUS_SHOWN) == ""
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        unseen = []
        for _ in range(25):
            page.keyboard.press("Tab")
            problem = page.evaluate(FOCUS_SHOWN)
            if problem:
                unseen.append(problem)
        assert unseen == []
    finally:
        context.close()
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
