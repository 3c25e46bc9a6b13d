"""The conversation sidebar's forms and the htmx fragments, through the real app (issue 21)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from inbox.models import Conversation, Label, Message, User
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login
from web.ui.snooze import preset_time, zone_of

HX = {"HX-Request": "true"}


def _conv(rt: Runtime, team_setup: dict[str, Any]) -> Conversation:
    with rt.db.session() as session:
        session.add_all([Label(name="VIP", color="red"), Label(name="배송", color="blue")])
        agent = session.get(User, team_setup["agent"].id)
        assert agent is not None
        agent.timezone = "America/New_York"
    return inbound(rt, team_setup["a"], "배송 문의", customer="c1", name="이서연")


def _open(client: Any, rt: Runtime, team_setup: dict[str, Any]) -> tuple[Conversation, str, str]:
    """The conversation, opened by its assigned agent: (it, its thread path, a CSRF token)."""
    conv = _conv(rt, team_setup)
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    return conv, path, form_token(client, path)


def test_an_action_from_htmx_answers_with_the_changed_parts_only(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    _conv_row, path, token = _open(client, rt, team_setup)
    back = f"{path}?view=mine&q=배송"
    plain = client.post(f"{path}/update", data={"csrf_token": token, "assignee": "me"})
    assert plain.status_code == 302  # without JS: POST → redirect → GET
    swapped = client.post(
        f"{path}/update",
        data={"csrf_token": token, "priority": "high", "back": back},
        headers=HX,
    )
    assert swapped.status_code == 200
    html = swapped.get_data(as_text=True)
    assert '<header id="thread-head"' in html and 'id="messages"' in html
    assert re.search(r'id="conv-details"[^>]*hx-swap-oob="true"', html)
    assert re.search(r'id="flashes"[^>]*hx-swap-oob="true"', html)
    assert "<html" not in html and 'id="list-pane"' not in html and 'id="composer' not in html
    # The fragment keeps the list's query in its links, like the page it came from.
    assert "view=mine" in html and "q=%EB%B0%B0%EC%86%A1" in html
    refused = client.post(f"{path}/update", data={"priority": "low"}, headers=HX)
    assert refused.status_code == 400  # CSRF still required


def test_a_failed_action_is_reported_in_the_fragment(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv, path, token = _open(client, rt, team_setup)
    html = client.post(
        f"{path}/update", data={"csrf_token": token, "status": "snoozed"}, headers=HX
    ).get_data(as_text=True)
    assert 'class="flash flash-error"' in html
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None and fresh.status == "open"


def test_snooze_presets_use_the_agents_zone_and_labels_come_from_the_picker(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv, path, token = _open(client, rt, team_setup)
    before = datetime.now(UTC)
    client.post(
        f"{path}/update", data={"csrf_token": token, "status": "snoozed", "snooze": "next_week"}
    )
    after = datetime.now(UTC)
    form = {"csrf_token": token, "labels_form": "1", "label": ["VIP", "배송"], "new_label": "긴급"}
    client.post(f"{path}/update", data=form)
    client.post(f"{path}/update", data={**form, "remove_label": "VIP"})
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None and fresh.snoozed_until is not None
        zone = zone_of("America/New_York")
        assert fresh.snoozed_until.astimezone(UTC) in {
            preset_time("next_week", t, zone) for t in (before, after)
        }
        assert fresh.snoozed_until.astimezone(zone).hour == 9
        assert sorted(label.name for label in fresh.labels) == sorted(["배송", "긴급"])
    # The buttons show the moment they pick, on the agent's clock.
    html = client.get(path).get_data(as_text=True)
    assert re.search(
        r'data-snooze="tomorrow" data-at="[^"]+">[^<]*<span[^>]*>\d{4}-\d\d-\d\d 09:00', html
    )


def test_categories_are_named_in_korean_never_as_codes(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    _conv_row, path, token = _open(client, rt, team_setup)
    client.post(f"{path}/update", data={"csrf_token": token, "category": "shipping-time"})
    html = client.get(path).get_data(as_text=True)
    assert '<option value="shipping-time" selected>배송 기간</option>' in html
    assert '<optgroup label="배송">' in html
    assert "분류: 배송 기간" in html  # the thread's event line too
    visible = re.sub(r'"[^"]*"', '""', html)  # attribute values may hold the codes
    assert "shipping-time" not in visible and "refund-return" not in visible
    client.post("/logout", data={"csrf_token": token})
    login(client, "admin@example.test")
    report = client.get("/reports/").get_data(as_text=True)
    assert "<bdi>배송 기간</bdi>" in report and "shipping-time" not in report


def test_views_filters_and_pages_from_htmx_are_list_fragments(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    for i in range(27):
        inbound(rt, team_setup["a"], f"문의 {i}", customer=f"p{i}")
    login(client, "mina@example.test")
    view = client.get("/inbox/?view=unassigned", headers=HX).get_data(as_text=True)
    assert "<html" not in view and 'id="conv-list"' in view
    assert re.search(r'<aside class="sidebar" id="sidebar" hx-swap-oob="true">', view)
    assert re.search(
        r'data-view="unassigned" aria-current="page">[^<]*<span class="count">27<', view
    )
    cursor = re.search(r'rel="next" hx-get="[^"]*cursor=([^&"]+)', view)
    assert cursor
    paged = client.get(f"/inbox/?view=unassigned&cursor={cursor.group(1)}", headers=HX)
    paged_html = paged.get_data(as_text=True)
    assert 'id="conv-list"' in paged_html and 'id="sidebar"' not in paged_html  # no recount
    restore = {**HX, "HX-History-Restore-Request": "true"}
    assert "<html" in client.get("/inbox/?view=unassigned", headers=restore).get_data(as_text=True)
    counts = client.get("/inbox/_counts?status=open").get_data(as_text=True)
    assert re.search(r'data-view="all"[^>]*>[^<]*<span class="count">27<', counts)


def test_a_thread_opened_from_the_list_is_the_conversation_part_only(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv, path, _token = _open(client, rt, team_setup)
    to_thread = {**HX, "HX-Target": "conversation"}
    opened = client.get(f"{path}?view=unassigned", headers=to_thread)
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200
    assert f'id="thread" aria-label="대화" data-conversation="{conv.id}"' in html
    assert 'id="conv-details"' in html and 'id="composer-form"' in html
    assert "<title>이서연 · " in html  # htmx sets the tab's title from it
    assert "<html" not in html and 'id="conv-list"' not in html and 'id="views"' not in html
    assert "view=unassigned" in html  # its links keep the list's state
    closed = client.get("/inbox/", headers=to_thread).get_data(as_text=True)
    assert 'class="thread-pane empty"' in closed and 'id="conv-list"' not in closed
    # One address, three answers: a cache must tell them apart.
    assert {"HX-Request", "HX-Target"} <= set(opened.vary) and "HX-Target" in client.get(path).vary
    page = client.get(f"{path}?view=unassigned").get_data(as_text=True)
    row = re.search(rf'<li class="conv-row[^"]*selected" data-id="{conv.id}">.*?</a>', page, re.S)
    assert row and 'hx-target="#conversation"' in row.group(0)  # the row swaps, no page load
    assert f'href="/inbox/c/{conv.id}?view=unassigned"' in row.group(0)  # the no-JS link


def test_an_action_naming_the_newest_message_shown_answers_without_the_thread(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv, path, token = _open(client, rt, team_setup)
    with rt.db.session() as session:
        shown = session.scalars(
            select(func.max(Message.id)).where(Message.conversation_id == conv.id)
        ).one()
    later = inbound(rt, team_setup["a"], "추가 문의", customer="c1", name="이서연")
    assert later.id == conv.id
    answer = client.post(
        f"{path}/update",
        data={"csrf_token": token, "priority": "high", "back": path, "after": str(shown)},
        headers=HX,
    )
    assert answer.status_code == 200
    assert answer.headers["HX-Reswap"] == "none"  # the thread stays: nothing replaces it
    html = answer.get_data(as_text=True)
    # Everything out of band: the header, the lines since `after` appended, the sidebar.
    assert re.search(r'<header id="thread-head"[^>]*hx-swap-oob="true"', html)
    assert re.search(r'id="conv-details"[^>]*hx-swap-oob="true"', html)
    appended = re.search(
        r'<div hx-swap-oob="beforeend:#messages">(.*?)</div>\s*<section', html, re.S
    )
    assert appended, html
    assert f'id="m{shown}"' not in html  # the page has it already
    assert "추가 문의" in appended.group(1)  # came after it, so it is added
    events = re.findall(r'<div class="event" id="m(\d+)"', appended.group(1))
    assert len(events) == 1 and int(events[0]) > shown  # the action's own line
    assert 'id="messages"' not in html and "배송 문의" not in html
    # Without `after` (no JS wiring, an old page): the whole thread parts, as before.
    whole = client.post(
        f"{path}/update", data={"csrf_token": token, "priority": "low", "back": path}, headers=HX
    ).get_data(as_text=True)
    assert 'id="messages"' in whole and "배송 문의" in whole


def test_a_conversation_that_cannot_be_opened_says_so_in_place(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    """Not the agent's inbox, or no such conversation: one answer (a 404), as everywhere, in
    place of the thread — in the page with its list, or as the part a list row swaps in."""
    theirs = inbound(rt, team_setup["b"], "다른 팀 문의", customer="o1", name="남의고객")
    _conv_row, _path, _token = _open(client, rt, team_setup)
    to_thread = {**HX, "HX-Target": "conversation"}
    for conversation_id in (theirs.id, theirs.id + 1000):
        page = client.get(f"/inbox/c/{conversation_id}?view=all")
        html = page.get_data(as_text=True)
        assert page.status_code == 404
        assert 'id="refused"' in html and "이 대화를 열 수 없습니다" in html
        assert 'id="conv-list"' in html and "이서연" in html  # the list is still there
        assert "남의고객" not in html and "다른 팀 문의" not in html
        part = client.get(f"/inbox/c/{conversation_id}", headers=to_thread)
        fragment = part.get_data(as_text=True)
        assert part.status_code == 404
        assert 'id="refused"' in fragment and "<html" not in fragment
        assert 'id="conv-list"' not in fragment and "남의고객" not in fragment
        # A view chosen while the message is shown: the list, its links no longer keep it.
        listed = client.get(f"/inbox/c/{conversation_id}?view=unassigned", headers=HX)
        assert listed.status_code == 200
        assert f'href="/inbox/c/{conversation_id}?' not in listed.get_data(as_text=True)
        assert f'href="/inbox/c/{conversation_id}"' not in listed.get_data(as_text=True)
