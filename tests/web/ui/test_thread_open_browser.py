"""Opening a conversation from the list swaps only the conversation part (issue 21): no page
load, the list keeps its scroll and selection, the address bar, back and reload follow, focus
lands on the thread's heading, and the one event stream keeps delivering; back and forward
restore the list and the threads in place (htmx asks the server for the entry's page); a row
that cannot be opened says so in place. Headless Chromium at 1440 px and 390 px, in Korean and
English, on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from inbox.models import Conversation
from switchboard.runtime import Runtime
from tests.support import inbox_pages as pages
from tests.web.ui.conftest import inbound
from tests.web.ui.locales import speak, tr
from tests.web.ui.test_browser import base_url, ready, sign_in
from tests.web.ui.test_sidebar_browser import lang, page, width

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]
__all__ = ["base_url", "lang", "page", "width"]


def _open(page: Any, conv_id: int) -> None:
    """Click the conversation's row and wait for its thread to be wired."""
    page.click(f".conv-row[data-id='{conv_id}'] a")
    page.wait_for_selector(f"#thread[data-conversation='{conv_id}']")
    page.wait_for_url(f"**/inbox/c/{conv_id}**")
    pages.settled(page)


def _focused_heading(page: Any) -> bool:
    return bool(page.evaluate("document.activeElement.matches('#thread-head h1')"))


def _selected(page: Any) -> list[str]:
    return list(page.locator(".conv-row.selected").evaluate_all("rs => rs.map(r => r.dataset.id)"))


def back(page: Any, step: str = "back") -> None:
    """The browser's back (or forward) button. htmx keeps no copies of pages
    (historyCacheSize 0): it asks the server for the entry's page and swaps its #main in place
    (web/static/app.js), so no page load follows; the caller waits for what the entry shows."""
    page.evaluate(f"setTimeout(() => history.{step}(), 0)")


def test_opening_threads_never_reloads_and_back_returns_to_the_list(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    a = team_setup["a"]
    made = [inbound(rt, a, f"문의 {i}", customer=f"t{i}", name=f"고객{i}") for i in range(14)]
    first, second = made[3], made[11]  # the list is newest first: `first` is further down
    speak(rt, lang)
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/live/stream" in r.url else None)
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/?view=unassigned")
    ready(page)
    page.wait_for_selector("#live-state.on")
    streams.clear()  # this page's own stream is open: none may follow while it stays
    pages.mark_page(page)
    scroller = "#list-pane" if width > pages.PHONE else "html"
    page.eval_on_selector(scroller, "el => { el.scrollTop = 120; }")
    scrolled = page.eval_on_selector(scroller, "el => el.scrollTop")
    assert scrolled > 0

    _open(page, first.id)
    assert pages.same_page(page)
    assert "view=unassigned" in page.url  # the list's state stays in the address
    assert _focused_heading(page)
    assert page.title().startswith("고객3 · ")
    if width > pages.PHONE:  # the list beside it kept its place and moved its selection
        assert page.eval_on_selector("#list-pane", "el => el.scrollTop") == scrolled
        assert _selected(page) == [str(first.id)]
    else:  # list → thread → details → thread → list, each a screen of its own
        assert page.locator("#list-pane").is_hidden()
        pages.to_details(page)
        pages.back_to_list(page)
        assert page.locator("#thread").count() == 0
        assert page.locator(f".conv-row.cursor[data-id='{first.id}']").count() == 1
        assert page.evaluate("document.activeElement.closest('.conv-row').dataset.id") == str(
            first.id
        )
        box = page.locator(f".conv-row[data-id='{first.id}']").bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 844
    _open(page, second.id)
    assert _focused_heading(page) and pages.same_page(page)
    # A view chosen now keeps the conversation open now, not the one the links were drawn for.
    if width > pages.PHONE:
        page.click(".view[data-view=all]")
        page.wait_for_url(f"{base_url}/inbox/c/{second.id}")  # view=all is the default: left out
        pages.settled(page)
        page.wait_for_selector(".view.current[data-view=all]")
        assert _selected(page) == [str(second.id)]

    # Live events still arrive after the opens, over the one stream opened with the page.
    inbound(rt, a, "아직 답이 없나요?", customer="t11", name="고객11")
    page.wait_for_selector("#messages >> text=아직 답이 없나요?")
    inbound(rt, a, "새 문의", customer="late", name="늦은고객")
    page.wait_for_selector(".conv-row .who >> text=늦은고객", state="attached")
    assert pages.same_page(page) and streams == []

    # Back and forward restore the list and the threads in place, without a page load.
    if width > pages.PHONE:  # back through the view switch and both threads to the list
        back(page)
        page.wait_for_url(f"**/inbox/c/{second.id}?view=unassigned")
        page.wait_for_selector(".view.current[data-view=unassigned]")
        assert _selected(page) == [str(second.id)]
        back(page)
        page.wait_for_url(f"**/inbox/c/{first.id}?view=unassigned")
        page.wait_for_selector(f"#thread[data-conversation='{first.id}']")
        pages.settled(page)
        assert _focused_heading(page) and _selected(page) == [str(first.id)]
        back(page)
    else:  # the thread → the list (where its back link went), then the thread before it
        back(page)
    page.wait_for_url(f"{base_url}/inbox/?view=unassigned")
    page.wait_for_selector("#thread", state="detached")  # the address moves first, then the page
    page.wait_for_selector("#list-pane", state="visible")
    assert pages.same_page(page)
    assert page.locator(f".conv-row[data-id='{second.id}']").count() == 1
    assert tr(lang, "Conversations") == page.get_attribute("#list-pane", "aria-label")
    if width <= pages.PHONE:  # the screen links' entries (#thread) restore their page too
        back(page)
        page.wait_for_url(f"**/inbox/c/{first.id}?view=unassigned#thread")
    else:
        assert page.locator(f".conv-row.cursor[data-id='{first.id}']").count() == 1
        back(page, "forward")
        page.wait_for_url(f"**/inbox/c/{first.id}?view=unassigned")
    page.wait_for_selector(f"#thread[data-conversation='{first.id}']", state="visible")
    pages.settled(page)
    assert pages.same_page(page) and streams == []
    assert page.title().startswith("고객3 · ")
    # The restored thread is live and wired like a loaded one.
    inbound(rt, a, "복원된 화면에도", customer="t3", name="고객3")
    page.wait_for_selector("#messages >> text=복원된 화면에도")

    page.reload()  # the address bar is this thread's
    page.wait_for_selector(f"#thread[data-conversation='{first.id}']")
    ready(page)


def test_enter_on_the_cursor_row_opens_it_without_a_page_load(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    if width <= pages.PHONE:
        pytest.skip("phones have no keyboard shortcuts to press")
    older, _newer = (inbound(rt, team_setup["a"], t, customer=t) for t in ("첫째", "둘째"))
    speak(rt, lang)
    sign_in(page, base_url, "mina@example.test")
    pages.mark_page(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#thread[data-conversation='{older.id}']")
    pages.settled(page)
    assert pages.same_page(page) and _focused_heading(page)
    page.keyboard.press("Tab")  # from the heading on into the thread, not back to the top
    assert page.evaluate("document.activeElement.closest('#thread') !== null")
    with rt.db.session() as session:  # opened means seen, as a page load did
        seen = session.get(Conversation, older.id)
        assert seen is not None and seen.agent_last_seen_at is not None


def test_a_row_that_cannot_be_opened_says_so_in_place(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    moved = inbound(rt, team_setup["a"], "옮겨질 문의", customer="m1", name="옮겨질고객")
    speak(rt, lang)
    sign_in(page, base_url, "mina@example.test")
    pages.mark_page(page)
    with rt.db.session() as session:  # meanwhile it moved to an inbox the agent does not see
        session.execute(
            update(Conversation)
            .where(Conversation.id == moved.id)
            .values(channel_account_id=team_setup["b"].id)
        )
    page.click(f".conv-row[data-id='{moved.id}'] a")
    page.wait_for_selector("#refused", state="visible")
    pages.settled(page)
    assert pages.same_page(page)  # not reloaded, not the error page
    assert page.inner_text("#refused h1") == tr(lang, "This conversation cannot be opened")
    assert page.evaluate("document.activeElement.matches('#refused h1')")
    if width <= pages.PHONE:  # a screen of its own, like a thread; back returns to the list
        assert page.locator("#list-pane").is_hidden()
        back(page)
        page.wait_for_url(f"{base_url}/inbox/")
        page.wait_for_selector("#list-pane", state="visible")
        assert pages.same_page(page)
    else:
        assert page.locator("#list-pane").is_visible()
    # The whole page at that address: the list, the same message, and a 404.
    response = page.goto(f"{base_url}/inbox/c/{moved.id}")
    assert response is not None and response.status == 404
    page.wait_for_selector("#refused", state="visible")
    assert page.locator("#conv-list").count() == 1
