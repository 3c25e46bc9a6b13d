"""X: hiding replies (PUT /2/tweets/:id/hidden) through the moderation job, and poll intervals
kept as configured when the rate budget allows (the 5 s account polled every 30 s)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbox.models import ChannelAccount, Message, SyncCursor, User
from inbox.moderation import ModerationRefused, request_moderation, states
from switchboard.runtime import Runtime
from tests.connectors.x.conftest import Sandbox
from tests.connectors.x.test_end_to_end import settings_overrides, x_account
from tests.web.ui.conftest import login
from web.moderating import supported_actions
from workers.poll import poll_account, poll_if_due

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
__all__ = ["settings_overrides", "x_account"]  # the end-to-end tests' fixtures, reused


def _account(rt: Runtime, x_account: ChannelAccount, **options: Any) -> ChannelAccount:
    """The brand account of test_end_to_end, with these options added."""
    with rt.db.session() as s:
        row = s.get(ChannelAccount, x_account.id)
        assert row is not None
        row.options = {**row.options, **options}
    return x_account


def _hide(rt: Runtime, tweet_id: str, agent_id: int, action: str = "hide") -> int:
    with rt.db.session() as s:
        message = s.scalars(select(Message).where(Message.external_id == tweet_id)).one()
        agent = s.get(User, agent_id)
        assert agent is not None
        supported = supported_actions(rt, message.conversation.account)
        _row, created = request_moderation(s, message, action, agent, supported=supported)
        assert created
        return message.id


def _state(rt: Runtime, message_id: int) -> Any:
    with rt.db.session() as s:
        state = states(s, [message_id])[message_id]
        last = state.last
        return state.state, last.status if last else None, last.failure_reason if last else None


@BOTH
def test_hiding_a_reply_in_our_conversation_and_refusals(
    rt: Runtime, sandbox: Sandbox, factory: Any, x_account: ChannelAccount
) -> None:
    account = _account(rt, x_account)
    agent = factory.user("agent", inboxes=[account.id])
    ours = sandbox.emu("tweets", text="11월 신제품 오메가3 출시!")["data"]["id"]
    reply = sandbox.emu(
        "mentions",
        **{"from": "yuna_jj", "text": "광고 링크 http://spam", "in_reply_to_tweet_id": ours},
    )["data"]["id"]
    plain = sandbox.emu("mentions", **{"from": "markt_runs", "text": "hello"})["data"]["id"]
    assert poll_account(account.id) == 2

    message_id = _hide(rt, reply, agent.id)
    assert rt.jobs.drain(timeout=20)
    (call,) = sandbox.received("PUT", f"/2/tweets/{reply}/hidden")
    assert call["json"] == {"hidden": True}
    assert _state(rt, message_id) == ("hidden", "done", None)
    assert reply in sandbox.world.hidden_replies

    # A mention that is not a reply in a conversation we started: X refuses, the agent sees why.
    other_id = _hide(rt, plain, agent.id)
    assert rt.jobs.drain(timeout=20)
    state, status, reason = _state(rt, other_id)
    assert (state, status) == ("visible", "failed")
    assert reason is not None and "did not start" in reason
    # X cannot delete someone else's post: no button, and the request is refused up front.
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        user = s.get(User, agent.id)
        assert message is not None and user is not None
        assert supported_actions(rt, message.conversation.account) == {"hide", "unhide"}
        with pytest.raises(ModerationRefused):
            request_moderation(s, message, "delete", user, supported={"hide", "unhide"})


@BOTH
def test_a_short_interval_is_kept_by_a_follow_up_poll(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    account = _account(rt, x_account, poll_interval=5)
    before = datetime.now(UTC)
    poll_account(account.id)
    follow_ups = [
        (at, args)
        for at, func, args in rt.jobs.pending()  # type: ignore[attr-defined]
        if func == "workers.poll.poll_if_due"
    ]
    assert follow_ups, "no follow-up poll: the sweeper alone would poll every 30 s"
    at, args = follow_ups[0]
    assert args == (account.id,)
    assert before + timedelta(seconds=4) <= at <= datetime.now(UTC) + timedelta(seconds=6)
    with rt.db.session() as s:
        cursors = s.scalars(
            select(SyncCursor).where(SyncCursor.channel_account_id == account.id)
        ).all()
        # 180 mentions calls per 15 minutes allow one every ~5 s: as configured, no reason.
        assert {c.stream for c in cursors} == {"mentions", "dms"}
        for cursor in cursors:
            assert cursor.interval_seconds == pytest.approx(5.0, abs=0.5)
            assert cursor.interval_reason is None
    # Nothing is due yet: a follow-up that meets an earlier poll does not call X again.
    calls = len(sandbox.received("GET", ""))
    assert poll_if_due(account.id) == 0
    assert len(sandbox.received("GET", "")) == calls


@BOTH
def test_a_tight_budget_stretches_the_interval_and_says_why(
    rt: Runtime, sandbox: Sandbox, factory: Any, client: Any, x_account: ChannelAccount
) -> None:
    account = _account(rt, x_account, poll_interval=5)
    sandbox.emu("rate_limit", endpoint="mentions", limit=3)
    poll_account(account.id)
    with rt.db.session() as s:
        row = s.scalars(
            select(SyncCursor).where(
                SyncCursor.channel_account_id == account.id, SyncCursor.stream == "dms"
            )
        ).one()
        assert row.interval_seconds is not None and row.interval_seconds > 400
        assert row.interval_reason is not None and "X rate limit of mentions" in row.interval_reason
    # Longer than the sweep interval: the sweeper finds it, no follow-up job is queued.
    pending = [f for _, f, _ in rt.jobs.pending()]  # type: ignore[attr-defined]
    assert "workers.poll.poll_if_due" not in pending

    factory.user("admin", email="admin-x@example.test")
    login(client, "admin-x@example.test")
    page = client.get(f"/admin/channels/{account.id}").get_data(as_text=True)
    assert "data-poll-status" in page
    assert "X rate limit of mentions" in page
