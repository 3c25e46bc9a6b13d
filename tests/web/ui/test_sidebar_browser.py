"""The conversation sidebar, partial updates and the phone layout in headless Chromium
(issue 21), at 1440 px and 390 px, in Korean and English, on PostgreSQL (the no-reload and
no-sideways-scroll checks: tests/support/inbox_pages.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from inbox.conversations import Change, apply_change
from inbox.models import Conversation, Label, User
from switchboard.runtime import Runtime
from tests.support.inbox_pages import (
    PHONE,
    WIDTHS,
    back_to_list,
    mark_page,
    no_sideways_scroll,
    same_page,
    settled,
    sized_page,
    to_details,
)
from tests.web.ui.conftest import inbound
from tests.web.ui.locales import BROWSER_LOCALE, LANGS, speak, tr
from tests.web.ui.test_browser import TIMEOUT_MS, base_url, ready, sign_in
from web.ui.snooze import preset_time, zone_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]
__all__ = ["base_url"]


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, width: int, lang: str) -> Iterator[Any]:
    with sized_page(browser, width, BROWSER_LOCALE[lang], TIMEOUT_MS) as tab:
        yield tab


def _setup(rt: Runtime, team_setup: dict[str, Any], lang: str) -> Conversation:
    with rt.db.session() as session:
        session.add_all([Label(name="VIP", color="red"), Label(name="배송지연", color="blue")])
        agent = session.get(User, team_setup["agent"].id)
        assert agent is not None
        agent.timezone = "Europe/Berlin"  # presets must follow the agent's zone, not Seoul's
    conv = inbound(rt, team_setup["a"], "배송이 너무 늦어요", customer="c1", name="이서연")
    speak(rt, lang)
    return conv


def test_sidebar_actions_are_one_click_and_never_reload(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    conv = _setup(rt, team_setup, lang)
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    ready(page)
    assert no_sideways_scroll(page)
    if width <= PHONE:  # the narrowest phones too
        page.set_viewport_size({"width": 360, "height": 740})
        assert no_sideways_scroll(page)
        page.goto(f"{base_url}/inbox/?status=any")
        assert no_sideways_scroll(page)
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{base_url}/inbox/c/{conv.id}")
        ready(page)
    mark_page(page)
    # Each action names the newest message shown and gets only the changed parts back.
    answers: list[tuple[str, str | None]] = []
    page.on(
        "response",
        lambda r: (
            answers.append((r.request.post_data or "", r.headers.get("hx-reswap")))
            if r.url.endswith("/update")
            else None
        ),
    )
    if width <= PHONE:  # list → thread → details: the details are a screen of their own
        assert page.locator("#list-pane").is_hidden()
        assert page.locator("#conv-details").is_hidden()
        to_details(page)
        assert no_sideways_scroll(page)
        page.set_viewport_size({"width": 360, "height": 740})
        assert no_sideways_scroll(page)
        page.set_viewport_size({"width": width, "height": 844})

    # Category: translated names, never the raw codes.
    options = page.locator("#category-select option").all_inner_texts()
    assert tr(lang, "Delivery time") in options
    assert not any(o.strip() == "shipping-time" for o in options)
    page.select_option("#category-select", "shipping-time")
    page.wait_for_selector(
        "#messages .event >> text="
        + tr(lang, "Category: %(c)s · %(who)s", c=tr(lang, "Delivery time"), who="민아"),
        state="attached",  # on a phone the thread is behind the details screen
    )

    # Assign to me: one click.
    page.click("#assign-me")
    page.wait_for_selector(
        f"#assign-select option[value='{team_setup['agent'].id}'][selected]", state="attached"
    )
    page.wait_for_selector("#assign-me", state="detached")  # nothing left to assign

    # Priority: one click on the segment.
    page.click("#priority-form button[value=high]")
    page.wait_for_selector("#priority-form button.prio-high.current")

    # Labels: chips with colours, a picker, one click to remove.
    page.click("#label-picker summary")
    page.check("#label-picker input[value=VIP]")
    page.wait_for_selector("#label-chips .chip.label-red >> text=VIP")
    assert page.locator("#label-picker[open]").count() == 1  # the picker stays open
    page.fill("#label-picker input[name=new_label]", "재발송")
    page.click("#label-picker button[name=picker]")
    page.wait_for_selector("#label-chips .chip >> text=재발송")
    page.click("#label-chips .chip:has-text('VIP') .chip-x")
    page.wait_for_selector("#label-chips .chip >> text=VIP", state="detached")

    # Snooze: "tomorrow 9:00" on the agent's clock (Berlin), not the server's or Seoul's.
    page.click("#snooze-menu summary")
    before = datetime.now(UTC)
    page.click("#snooze-presets button[data-snooze=tomorrow]")
    page.wait_for_selector("#conv-status.status-snoozed", state="attached")
    page.wait_for_selector("#snoozed-until")  # the sidebar says until when
    after = datetime.now(UTC)
    assert same_page(page)
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None
        assert fresh.status == "snoozed" and fresh.priority == "high"
        assert fresh.assignee_id == team_setup["agent"].id
        assert fresh.category == "shipping-time"
        assert sorted(label.name for label in fresh.labels) == ["재발송"]
        berlin = zone_of("Europe/Berlin")
        expected = {preset_time("tomorrow", t, berlin) for t in (before, after)}
        assert fresh.snoozed_until is not None
        assert fresh.snoozed_until.astimezone(UTC) in expected
    assert no_sideways_scroll(page)
    assert len(answers) >= 6
    assert all("after=" in sent and reswap == "none" for sent, reswap in answers), answers
    events = page.locator("#messages .event").evaluate_all("es => es.map(e => e.id)")
    assert len(events) == len(set(events)) >= 6  # each action's line once, however it came

    if width <= PHONE:  # back: details → thread → list
        back_to_list(page)
        page.wait_for_selector("#conv-list .empty")  # snoozed: gone from the open list
        assert no_sideways_scroll(page)


def test_keyboard_shortcuts_are_documented_and_work(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    if width <= PHONE:
        pytest.skip("phones have no keyboard shortcuts to press")
    conv = _setup(rt, team_setup, lang)
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    ready(page)
    mark_page(page)
    page.keyboard.press("?")
    help_text = page.locator("#help").inner_text()
    for msgid in ("Assign to me", "Pending (waiting for the customer)", "Labels", "Category"):
        assert tr(lang, msgid) in help_text
    page.keyboard.press("Escape")
    page.keyboard.press("i")  # assign to me
    page.wait_for_selector(
        f"#assign-select option[value='{team_setup['agent'].id}'][selected]", state="attached"
    )
    page.keyboard.press("p")  # pending
    page.wait_for_selector("#conv-status.status-pending")
    page.keyboard.press("s")  # the snooze menu opens, its first preset focused
    page.wait_for_selector("#snooze-menu[open]")
    assert page.evaluate("document.activeElement.dataset.snooze") == "1h"
    page.keyboard.press("Escape")
    page.keyboard.press("l")
    page.wait_for_selector("#label-picker[open]")
    page.keyboard.press("Escape")
    page.click(".resolve-more summary")  # the summary box belongs to the Resolve form
    page.fill("#resolve-summary", "배송 일정 안내함")
    page.keyboard.press("Escape")  # leave the box: keys act again
    page.keyboard.press("e")  # resolve
    page.wait_for_selector("#conv-status.status-resolved")
    assert same_page(page)
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None and fresh.resolution_summary == "배송 일정 안내함"


def test_views_filters_and_paging_swap_only_the_list(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    a = team_setup["a"]
    made = [inbound(rt, a, f"문의 {i}", customer=f"p{i}", name=f"고객{i}") for i in range(27)]
    with rt.db.session() as session:
        mine = session.get(Conversation, made[0].id)
        assert mine is not None
        apply_change(session, mine, Change(assignee_id=team_setup["agent"].id), actor=None)
    speak(rt, lang)
    sign_in(page, base_url, "mina@example.test")
    assert no_sideways_scroll(page)
    mark_page(page)
    first = page.locator(".conv-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
    page.click("a[rel=next]")
    page.wait_for_url("**cursor=**")
    page.wait_for_function(
        "(ids) => !ids.includes(document.querySelector('.conv-row').dataset.id)", arg=first
    )
    settled(page)
    second = page.locator(".conv-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert sorted(int(i) for i in first + second) == sorted(c.id for c in made)
    page.click(".view[data-view=mine]")
    page.wait_for_url("**view=mine**")
    page.wait_for_selector(".view.current[data-view=mine]")
    settled(page)
    assert page.locator(".conv-row").count() == 1
    if width <= PHONE:
        page.click(".filters-link")
        page.wait_for_selector("#filters", state="visible")
    page.select_option("#filters select[name=status]", "resolved")
    page.wait_for_url("**status=resolved**")
    assert "channel=" not in page.url and "sort=" not in page.url  # defaults left out
    page.wait_for_selector("#conv-list .empty")
    assert page.locator(".view[data-view=mine] .count").inner_text() == "0"
    assert same_page(page)
    assert no_sideways_scroll(page)
    page.go_back()  # the address bar is the list's state: back restores the previous view
    page.wait_for_url("**view=mine**")
    page.wait_for_selector(".conv-row")


def test_counts_rows_and_the_open_thread_stay_live(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    if width <= PHONE:
        pytest.skip("the same stream and refresh at every width")
    a = team_setup["a"]
    conv = inbound(rt, a, "첫 문의", customer="c1", name="이서연")
    speak(rt, lang)
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    page.wait_for_selector("#live-state.on")
    mark_page(page)
    assert page.locator(".view[data-view=unassigned] .count").inner_text() == "1"
    for i in range(3):
        inbound(rt, a, f"새 문의 {i}", customer=f"n{i}", name=f"새고객{i}")
    page.wait_for_selector(".view[data-view=unassigned] .count >> text=4")
    page.wait_for_selector(".view[data-view=all] .count >> text=4")
    page.wait_for_selector(".conv-row .who >> text=새고객2")
    with rt.db.session() as session:  # a colleague assigns the open conversation
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None
        apply_change(session, fresh, Change(assignee_id=team_setup["admin"].id), actor=None)
    page.wait_for_selector(
        f"#assign-select option[value='{team_setup['admin'].id}'][selected]", state="attached"
    )
    page.wait_for_selector(".view[data-view=unassigned] .count >> text=3")
    assert same_page(page)


def test_a_live_refresh_keeps_what_the_agent_typed_for_the_resolve_form(
    page: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any], width: int, lang: str
) -> None:
    """The summary and follow-up are sent with Resolve, later: a refresh in between (a
    colleague's change, a new message) must not blank them. CI once resolved with an empty
    summary after the agent had typed one (test_keyboard_shortcuts_are_documented_and_work)."""
    if width <= PHONE:
        pytest.skip("the same stream and refresh at every width")
    conv = _setup(rt, team_setup, lang)
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conv.id}")
    page.wait_for_selector("#live-state.on")
    mark_page(page)
    page.click(".resolve-more summary")
    page.fill("#resolve-summary", "배송 일정 안내함")
    page.select_option("#follow-up-days", "3")
    page.fill("#follow-up-task", "입고 후 연락")
    page.keyboard.press("Escape")  # out of the box: the sidebar may be refreshed now
    with rt.db.session() as session:  # a colleague assigns it: the sidebar is redrawn
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None
        apply_change(session, fresh, Change(assignee_id=team_setup["admin"].id), actor=None)
    page.wait_for_selector(
        f"#assign-select option[value='{team_setup['admin'].id}'][selected]", state="attached"
    )
    assert page.locator("#resolve-more").get_attribute("open") is not None
    assert page.input_value("#resolve-summary") == "배송 일정 안내함"
    assert page.input_value("#follow-up-task") == "입고 후 연락"
    page.keyboard.press("p")  # another action's answer redraws it too
    page.wait_for_selector("#conv-status.status-pending")
    assert page.input_value("#resolve-summary") == "배송 일정 안내함"
    assert page.input_value("#follow-up-days") == "3"
    page.keyboard.press("e")
    page.wait_for_selector("#conv-status.status-snoozed")  # resolved with a follow-up
    assert same_page(page)
    with rt.db.session() as session:
        done = session.get(Conversation, conv.id)
        assert done is not None
        assert done.resolution_summary == "배송 일정 안내함"
        assert done.follow_up_task == "입고 후 연락"


def test_everything_works_without_javascript(
    browser: Any, base_url: str, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = _setup(rt, team_setup, "ko")
    context = browser.new_context(
        locale="ko-KR", java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/login")
        page.fill("input[name=email]", "mina@example.test")
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/inbox/")
        page.click(".view[data-view=unassigned]")
        page.wait_for_url("**view=unassigned**")
        page.click(f".conv-row[data-id='{conv.id}'] a")
        page.wait_for_url(f"**/inbox/c/{conv.id}**")
        page.click("#details-link")
        page.click("#assign-me")
        page.wait_for_url(f"**/inbox/c/{conv.id}**")
        page.click("#details-link")
        page.click("#snooze-menu summary")
        page.click("#snooze-presets button[data-snooze=next_week]")
        page.wait_for_selector("#conv-status.status-snoozed")
    finally:
        context.close()
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None
        assert fresh.assignee_id == team_setup["agent"].id and fresh.status == "snoozed"
