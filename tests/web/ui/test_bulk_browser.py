"""Bulk assign from the list in headless Chromium (keyboard and mouse selection), a saved
view, and a macro run from the composer, on PostgreSQL, in Korean and English."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from inbox.macros import save_macro
from inbox.models import Conversation, User
from switchboard.runtime import Runtime
from tests.web.ui.conftest import inbound
from tests.web.ui.locales import LANGS, speak, tr
from tests.web.ui.test_browser import base_url, page, ready, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]
__all__ = ["base_url", "page"]


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest, rt: Runtime) -> str:
    """The language every user reads the UI in (set once the test has made its users)."""
    return str(request.param)


def test_bulk_assign_with_keyboard_and_mouse_then_save_the_view(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], lang: str
) -> None:
    a = team_setup["a"]
    convs = [inbound(rt, a, f"배송 문의 {i}", customer=f"c{i}", name=f"고객{i}") for i in range(3)]
    speak(rt, lang)
    sign_in(page, base_url, "admin@example.test")
    page.keyboard.press("j")  # cursor on the first row
    page.keyboard.press("x")  # picked by keyboard
    page.wait_for_selector("#bulk-form:not([hidden])")
    second = page.locator(".conv-row").nth(1)
    second.locator(".pick").check()  # picked by mouse
    assert page.locator("#bulk-count").inner_text().startswith("2")
    picked = [
        int(x)
        for x in page.locator(".conv-row .pick:checked").evaluate_all("l => l.map(b => b.value)")
    ]
    page.select_option("#bulk-assignee", str(team_setup["agent"].id))
    page.fill("input[name=add_label]", "배송")
    page.click("#bulk-apply")
    page.wait_for_selector(f"text={tr(lang, 'Updated %(count)s conversations.', count=2)}")
    ready(page)
    with rt.db.session() as session:
        rows = session.scalars(
            select(Conversation).where(Conversation.id.in_([c.id for c in convs]))
        )
        assigned = {c.id: (c.assignee_id, [x.name for x in c.labels]) for c in rows}
    assert {i for i, (who, _) in assigned.items() if who == team_setup["agent"].id} == set(picked)
    assert all(labels == ["배송"] for i, (_, labels) in assigned.items() if i in picked)
    assert page.locator(".conv-row .assignee >> text=민아").count() == 2

    page.click("#pick-page")  # everything on the page, then one status for all
    assert page.locator(".conv-row .pick:checked").count() == 3
    page.select_option("#bulk-status", "pending")
    page.click("#bulk-apply")
    page.wait_for_selector(f"text={tr(lang, 'Updated %(count)s conversations.', count=3)}")
    ready(page)
    with rt.db.session() as session:
        statuses = set(
            session.scalars(
                select(Conversation.status).where(Conversation.id.in_([c.id for c in convs]))
            )
        )
    assert statuses == {"pending"}
    page.goto(f"{base_url}/inbox/?status=pending")
    ready(page)

    page.select_option("select[name=label]", "배송")
    page.wait_for_url("**label=**")
    ready(page)
    page.click(".save-view summary")
    page.fill("#save-view-form input[name=name]", "배송 건")
    page.click("#save-view-form button[type=submit]")
    page.wait_for_selector("#saved-views >> text=배송 건")
    page.goto(f"{base_url}/inbox/")
    page.click("#saved-views >> text=배송 건")
    ready(page)
    assert page.locator(".conv-row").count() == 2


def test_macro_from_the_composer_with_the_keyboard(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], lang: str
) -> None:
    conv = inbound(rt, team_setup["a"], "환불해 주세요", customer="c1", name="이서연")
    with rt.db.session() as session:
        mina = session.get(User, team_setup["agent"].id)
        assert mina is not None
        save_macro(
            session,
            mina,
            name="환불 접수",
            actions={"assignee": "me", "add_labels": ["환불"], "status": "pending"},
            reply="{{contact_name}}님, 환불 접수되었습니다.",
            reply_private=True,
        )
    speak(rt, lang)
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    ready(page)
    page.keyboard.press("m")
    assert page.evaluate("document.activeElement.id") == "macro-select"
    page.select_option("#macro-select", label="환불 접수")
    page.wait_for_selector("article.kind-note >> text=이서연님, 환불 접수되었습니다.")
    page.wait_for_selector("#conv-status.status-pending")
