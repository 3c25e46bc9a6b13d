"""Catch-up polling against the sandbox: paging cursors, sweeps, and what a sweep skips."""

from __future__ import annotations

import json

import pytest

from connectors.base import EventKind, InboundEvent
from connectors.facebook import FacebookConnector
from tests.connectors.facebook.sandbox_support import PAGE, PAGE_ACCOUNT, Sandbox


@pytest.fixture
def fb(sandbox: Sandbox) -> FacebookConnector:
    return FacebookConnector(sandbox.settings())


def sweep(
    fb: FacebookConnector, stream: str, cursor: str | None
) -> tuple[list[InboundEvent], str | None, int]:
    """Poll until the connector says no more pages; return events, cursor and page count."""
    events: list[InboundEvent] = []
    pages = 0
    while True:
        result = fb.poll(PAGE_ACCOUNT, stream, cursor)
        pages += 1
        events.extend(result.events)
        cursor = result.cursor
        if not result.more:
            return events, cursor, pages


def test_conversations_page_through_with_cursors(sandbox: Sandbox, fb: FacebookConnector) -> None:
    mids = {sandbox.emu("customers/dm", text=f"문의 {n}", deliver="none")["mid"] for n in range(30)}
    events, cursor, pages = sweep(fb, "conversations", None)
    assert pages == 2  # 25 conversations per page
    assert {e.external_id for e in events} == mids
    assert len(events) == 30
    assert all(e.kind is EventKind.MESSAGE and e.channel == "facebook" for e in events)
    listings = sandbox.requests(path=f"/{PAGE}/conversations")
    assert "after" not in listings[0]["query"]
    assert listings[1]["query"]["after"]
    assert listings[0]["query"]["platform"] == "messenger"
    assert cursor is not None and "after" not in json.loads(cursor)


def test_last_page_has_no_next(sandbox: Sandbox) -> None:
    for n in range(3):
        sandbox.emu("customers/dm", text=f"{n}", deliver="none")
    url = f"{sandbox.url}/v23.0/{PAGE}/conversations"
    headers = {"Authorization": "Bearer sandbox-page-token"}
    first = sandbox.http.get(url, params={"limit": 2}, headers=headers).json()
    assert first["paging"]["next"]
    after = first["paging"]["cursors"]["after"]
    last = sandbox.http.get(url, params={"limit": 2, "after": after}, headers=headers).json()
    assert len(last["data"]) == 1
    assert "next" not in last["paging"]


def test_next_sweep_reads_what_is_new_plus_a_short_overlap(
    sandbox: Sandbox, fb: FacebookConnector
) -> None:
    """The cursor keeps a 5-minute overlap on purpose; ingest dedupes the re-read items."""
    old = sandbox.emu("customers/dm", text="예전 문의", deliver="none")
    _, cursor, _ = sweep(fb, "conversations", None)
    sandbox.emu("clock", advance_hours=1)
    new = sandbox.emu(
        "customers/dm", customer_id=old["customer_id"], text="새 문의", deliver="none"
    )
    other = sandbox.emu("customers/dm", text="다른 고객", deliver="none")
    events, cursor, _ = sweep(fb, "conversations", cursor)
    assert sorted(e.external_id for e in events) == sorted([old["mid"], new["mid"], other["mid"]])
    sandbox.emu("clock", advance_hours=1)
    events, _, _ = sweep(fb, "conversations", cursor)
    assert old["mid"] not in {e.external_id for e in events}


def test_our_replies_come_back_as_echoes(sandbox: Sandbox, fb: FacebookConnector) -> None:
    from datetime import UTC, datetime

    from connectors.base import ConversationKind, OutboundReply, Participant

    made = sandbox.emu("customers/dm", text="안녕하세요", deliver="none")
    reply = OutboundReply(
        message_uuid="u1",
        conversation_kind=ConversationKind.DM,
        thread_key=made["customer_id"],
        recipient=Participant(external_id=made["customer_id"]),
        text="네 안녕하세요",
        last_customer_message_at=datetime.now(UTC),
    )
    sent = fb.send(PAGE_ACCOUNT, reply)
    events, _, _ = sweep(fb, "conversations", None)
    by_id = {e.external_id: e for e in events}
    assert by_id[sent.external_id].kind is EventKind.ECHO
    assert by_id[sent.external_id].thread_key == made["customer_id"]
    assert by_id[made["mid"]].kind is EventKind.MESSAGE


def test_feed_comments(sandbox: Sandbox, fb: FacebookConnector) -> None:
    made = sandbox.emu(
        "customers/comment", platform="facebook", name="박서연", text="언제 와요?", deliver="none"
    )
    events, _, _ = sweep(fb, "feed", None)
    (event,) = events
    assert event.external_id == made["comment_id"]
    assert event.thread_key == made["post_id"]
    assert event.customer is not None and event.customer.name == "박서연"
    assert event.text == "언제 와요?"
    assert event.context["post_id"] == made["post_id"]


def test_poll_slows_down_above_80_percent(sandbox: Sandbox, fb: FacebookConnector) -> None:
    for n in range(30):
        sandbox.emu("customers/dm", text=f"{n}", deliver="none")
    sandbox.emu("usage", app=90)
    result = fb.poll(PAGE_ACCOUNT, "conversations", None)
    assert result.more is False  # another page waits, but not right away
    assert result.next_poll_in == pytest.approx(30.0)
    assert "after" in json.loads(result.cursor or "{}")


def test_poll_after_revocation_requires_reauth(sandbox: Sandbox, fb: FacebookConnector) -> None:
    from connectors.base import ReauthRequired

    sandbox.emu("tokens/revoke")
    with pytest.raises(ReauthRequired):
        fb.poll(PAGE_ACCOUNT, "conversations", None)


def test_unreadable_cursor_restarts_the_backfill(sandbox: Sandbox, fb: FacebookConnector) -> None:
    made = sandbox.emu("customers/dm", text="커서가 깨져도", deliver="none")
    events, _, _ = sweep(fb, "conversations", "not-json")
    assert [e.external_id for e in events] == [made["mid"]]
