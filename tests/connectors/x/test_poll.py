"""Polling mentions and DMs from the sandbox: cursors, pagination, 429 part-way, auth loss."""

from __future__ import annotations

import pytest

from connectors.base import (
    AccountConfig,
    ConversationKind,
    EventKind,
    InboundEvent,
    OutboundReply,
    Participant,
    ReauthRequired,
    RetryableSendError,
)
from connectors.x import XConnector
from connectors.x.polling import Cursor
from tests.connectors.x.conftest import BRAND_ID, Sandbox


def _drain(
    connector: XConnector, account: AccountConfig, stream: str, cursor: str | None
) -> tuple[list[InboundEvent], str | None, int]:
    """Poll until `more` is False, as the poll job does; return events, cursor, page count."""
    events: list[InboundEvent] = []
    pages = 0
    while True:
        result = connector.poll(account, stream, cursor)
        events += result.events
        cursor = result.cursor
        pages += 1
        if not result.more:
            return events, cursor, pages


def _mentions(sandbox: Sandbox, count: int, prefix: str = "문의") -> list[str]:
    authors = ["yuna_jj", "markt_runs", "daily_health_kr"]
    return [
        str(
            sandbox.emu("mentions", **{"from": authors[i % 3], "text": f"{prefix} {i}"})["data"][
                "id"
            ]
        )
        for i in range(count)
    ]


def test_first_poll_takes_the_newest_page_and_sets_since(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    ids = _mentions(sandbox, 7)
    result = connector.poll(account, "mentions", None)
    assert [e.external_id for e in result.events] == ids[2:]  # page size 5, oldest first
    assert result.more is False
    assert Cursor.load(result.cursor) == Cursor(since=ids[-1])
    (call,) = sandbox.received("GET", f"/2/users/{BRAND_ID}/mentions")
    assert "since_id" not in call["query"]
    assert call["query"]["max_results"] == "5"
    assert "author_id" in call["query"]["expansions"]


def test_mention_normalized_from_the_wire(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    _, cursor, _ = _drain(connector, account, "mentions", None)
    sandbox.emu(
        "mentions",
        **{
            "from": "daily_health_kr",
            "text": "루테인 Q&A 후기 https://blog.example.kr/review 😍",
            "media_urls": ["https://pbs.twimg.com/media/abc.jpg"],
        },
    )
    (event,) = connector.poll(account, "mentions", cursor).events
    assert event.kind == EventKind.MESSAGE
    assert event.conversation_kind == ConversationKind.MENTION
    assert event.thread_key == event.external_id
    assert event.customer is not None
    assert (event.customer.handle, event.customer.name) == ("daily_health_kr", "오늘도건강🌿")
    # The sandbox stored a t.co link and escaped "&" as X does; both are undone.
    assert event.text == "@seoulsupps_kr 루테인 Q&A 후기 https://blog.example.kr/review 😍"
    assert [a.url for a in event.attachments] == ["https://pbs.twimg.com/media/abc.jpg"]


def test_catch_up_pages_down_to_since_then_moves_it(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    first = _mentions(sandbox, 2)
    _, cursor, _ = _drain(connector, account, "mentions", None)
    later = _mentions(sandbox, 12, prefix="새 문의")
    events, cursor, pages = _drain(connector, account, "mentions", cursor)
    assert pages == 3
    assert sorted(e.external_id for e in events) == sorted(later)
    assert Cursor.load(cursor) == Cursor(since=later[-1])
    calls = sandbox.received("GET", f"/2/users/{BRAND_ID}/mentions")[1:]
    assert all(c["query"]["since_id"] == first[-1] for c in calls)
    assert [("pagination_token" in c["query"]) for c in calls] == [False, True, True]
    again, _, _ = _drain(connector, account, "mentions", cursor)
    assert again == []


def test_429_part_way_resumes_without_loss_or_duplicates(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    _mentions(sandbox, 1)
    _, cursor, _ = _drain(connector, account, "mentions", None)
    backlog = _mentions(sandbox, 13, prefix="밀린 문의")
    sandbox.emu("rate_limit", endpoint="mentions", after=1, reset_in=900)
    seen: list[str] = []
    first = connector.poll(account, "mentions", cursor)
    assert first.more is True
    seen += [e.external_id for e in first.events]
    cursor = first.cursor
    with pytest.raises(RetryableSendError) as caught:
        connector.poll(account, "mentions", cursor)
    assert caught.value.retry_after is not None and 880 < caught.value.retry_after <= 902
    # The job keeps the stored cursor (it moved only with the first page) and retries at reset.
    assert connector.next_poll_delay(account) >= 880
    sandbox.emu("clock", advance=901)
    while True:
        result = connector.poll(account, "mentions", cursor)
        seen += [e.external_id for e in result.events]
        cursor = result.cursor
        if not result.more:
            break
    assert sorted(seen) == sorted(backlog)
    assert len(seen) == len(set(seen))
    assert Cursor.load(cursor) == Cursor(since=backlog[-1])


def test_mention_arriving_during_catch_up_is_read_next_time(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    _mentions(sandbox, 1)
    _, cursor, _ = _drain(connector, account, "mentions", None)
    backlog = _mentions(sandbox, 8)
    first = connector.poll(account, "mentions", cursor)
    (late,) = _mentions(sandbox, 1, prefix="늦은 문의")
    rest, cursor, _ = _drain(connector, account, "mentions", first.cursor)
    assert sorted(e.external_id for e in (*first.events, *rest)) == sorted(backlog)
    (event,) = connector.poll(account, "mentions", cursor).events
    assert event.external_id == late


def test_stale_pagination_token_restarts_the_catch_up(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    ids = _mentions(sandbox, 3)
    stale = Cursor(since=ids[0], top=ids[-1], next="not-a-token").dump()
    result = connector.poll(account, "mentions", stale)
    assert result.more is True
    assert Cursor.load(result.cursor) == Cursor(since=ids[0])
    events, _, _ = _drain(connector, account, "mentions", result.cursor)
    assert sorted(e.external_id for e in events) == sorted(ids[1:])


def test_our_own_tweet_in_mentions_is_an_echo(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    _, cursor, _ = _drain(connector, account, "mentions", None)
    ours = sandbox.emu("tweets", **{"from": "seoulsupps_kr", "text": "@seoulsupps_kr 공지 테스트"})
    (event,) = connector.poll(account, "mentions", cursor).events
    assert event.external_id == ours["data"]["id"]
    assert event.kind == EventKind.ECHO


def test_customer_reply_to_our_reply_threads_on_the_conversation(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    root = _mentions(sandbox, 1)[0]
    _, cursor, _ = _drain(connector, account, "mentions", None)
    reply = OutboundReply(
        message_uuid="u-1",
        conversation_kind=ConversationKind.MENTION,
        thread_key=root,
        recipient=Participant(external_id="1402233445566778899"),
        text="DM으로 주문번호 부탁드립니다",
        in_reply_to=root,
    )
    ours = connector.send(account, reply).external_id
    follow_up = sandbox.emu(
        "mentions", **{"from": "yuna_jj", "text": "보냈어요", "in_reply_to_tweet_id": ours}
    )["data"]["id"]
    events = connector.poll(account, "mentions", cursor).events
    assert [e.external_id for e in events] == [follow_up]  # our reply does not come back
    assert events[0].thread_key == root
    assert events[0].context["in_reply_to_tweet_id"] == ours


def test_revoked_token_requires_reauth_on_poll(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    sandbox.emu("tokens/revoke", token="brand-access-token")
    with pytest.raises(ReauthRequired):
        connector.poll(account, "mentions", None)
    with pytest.raises(ReauthRequired):
        connector.poll(account, "dms", None)


def test_server_error_on_poll_is_retryable(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    sandbox.emu("fail", endpoint="dm_events", status=503, times=1)
    with pytest.raises(RetryableSendError):
        connector.poll(account, "dms", None)
    assert connector.poll(account, "dms", None).more is False


def test_dms_both_ways_with_echo_of_our_reply(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    customer = sandbox.emu("dms", **{"from": "yuna_jj", "text": "박스가 찢어져서 왔어요"})["data"]
    events, cursor, _ = _drain(connector, account, "dms", None)
    (inbound,) = events
    assert inbound.external_id == customer["id"]
    assert inbound.kind == EventKind.MESSAGE
    assert inbound.thread_key == "1402233445566778899-1580012345678901248"
    assert inbound.customer is not None and inbound.customer.handle == "yuna_jj"
    reply = OutboundReply(
        message_uuid="u-3",
        conversation_kind=ConversationKind.DM,
        thread_key=inbound.thread_key,
        recipient=inbound.customer,
        text="죄송합니다. 교환 접수해 드릴게요.",
    )
    sent = connector.send(account, reply)
    again = sandbox.emu("dms", **{"from": "yuna_jj", "text": "감사합니다"})["data"]
    events, cursor, _ = _drain(connector, account, "dms", cursor)
    assert [(e.external_id, e.kind) for e in events] == [
        (sent.external_id, EventKind.ECHO),
        (again["id"], EventKind.MESSAGE),
    ]
    assert events[0].text == "죄송합니다. 교환 접수해 드릴게요."
    assert _drain(connector, account, "dms", cursor)[0] == []


def test_dm_catch_up_stops_at_the_known_event(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    sandbox.emu("dms", **{"from": "markt_runs", "text": "old"})
    _, cursor, _ = _drain(connector, account, "dms", None)
    new_ids = [
        sandbox.emu("dms", **{"from": "yuna_jj", "text": f"msg {i}"})["data"]["id"]
        for i in range(7)
    ]
    sandbox.emu("rate_limit", endpoint="dm_events", after=1, reset_in=60)
    first = connector.poll(account, "dms", cursor)
    assert first.more is True and len(first.events) == 5
    with pytest.raises(RetryableSendError):
        connector.poll(account, "dms", first.cursor)
    sandbox.emu("clock", advance=61)
    rest, cursor, _ = _drain(connector, account, "dms", first.cursor)
    got = [e.external_id for e in (*first.events, *rest)]
    assert sorted(got) == sorted(new_ids) and len(got) == len(set(got))
    assert Cursor.load(cursor) == Cursor(since=new_ids[-1])


def test_poll_interval_adapts_to_the_remaining_budget(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    sandbox.emu("rate_limit", endpoint="mentions", limit=3)
    result = connector.poll(account, "mentions", None)
    # 2 calls left in a 900 s window: one poll every ~450 s rather than every 60 s.
    assert result.next_poll_in is not None and 440 < result.next_poll_in <= 451
    assert connector.next_poll_delay(account) == pytest.approx(result.next_poll_in, abs=2)
    relaxed = XConnector({"X_API_URL": sandbox.url})
    assert relaxed.next_poll_delay(AccountConfig(id=9, external_id="1")) == 60.0


def test_empty_first_look_still_pages_everything_that_follows(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    cursors: dict[str, str | None] = {}
    for stream in ("mentions", "dms"):
        first = connector.poll(account, stream, None)
        assert first.events == ()
        assert Cursor.load(first.cursor).since is not None
        cursors[stream] = first.cursor
    ids = _mentions(sandbox, 12)
    dm_ids = [
        sandbox.emu("dms", **{"from": "yuna_jj", "text": f"DM {i}"})["data"]["id"] for i in range(7)
    ]
    mentions, _, _ = _drain(connector, account, "mentions", cursors["mentions"])
    dms, _, _ = _drain(connector, account, "dms", cursors["dms"])
    assert sorted(e.external_id for e in mentions) == sorted(ids)
    assert sorted(e.external_id for e in dms) == sorted(dm_ids)
