"""Sign-in throttling: the sliding window and its rate syntax."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inbox.logins import claim_attempt, clear_failures, parse_rate, throttle_key
from inbox.models import LoginFailure
from switchboard.runtime import Runtime


def test_parse_rate() -> None:
    assert parse_rate("10/5min") == (10, timedelta(minutes=5))
    assert parse_rate("20/h") == (20, timedelta(hours=1))
    assert parse_rate("3 / 30s") == (3, timedelta(seconds=30))
    with pytest.raises(ValueError):
        parse_rate("often")


def test_window_slides_and_success_clears(rt: Runtime) -> None:
    key = throttle_key("10.0.0.1", "Mina@Example.test")
    assert key == throttle_key("10.0.0.1", "mina@example.test")
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    with rt.db.session() as session:
        for minute in range(3):
            at = start + timedelta(minutes=minute)
            assert claim_attempt(session, key, now=at, rate="3/5min")
        assert not claim_attempt(session, key, now=start + timedelta(minutes=3), rate="3/5min")
        # The refused attempt took its row back: the lock ends 5 minutes after the first three.
        assert claim_attempt(
            session, key, now=start + timedelta(minutes=5, seconds=1), rate="3/5min"
        )
        assert claim_attempt(session, "other", now=start + timedelta(minutes=11), rate="3/5min")
        remaining = session.scalar(select(func.count()).select_from(LoginFailure))
        assert remaining == 1  # everything older than the window is gone
        clear_failures(session, "other")
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0
