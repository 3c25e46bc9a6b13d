"""Which accounts renew their token without a browser is the connector's answer
(Capability.RENEW_TOKEN), not a list of channel names in switchboard/tokens.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from connectors import with_capability
from connectors.base import CannotRenew, Capability
from inbox.models import ChannelAccount
from switchboard.tokens import due_refreshes, renew, renewable


def expiring(rt: Any, account: ChannelAccount) -> None:
    with rt.db.session() as session:
        session.execute(
            update(ChannelAccount)
            .where(ChannelAccount.id == account.id)
            .values(token_expires_at=datetime.now(UTC) + timedelta(minutes=5))
        )


def test_the_renewing_channels_are_the_connectors_that_declare_it() -> None:
    assert set(with_capability(Capability.RENEW_TOKEN)) == {"facebook", "instagram", "x"}


def test_only_a_self_renewing_token_is_due(rt: Any, factory: Any) -> None:
    refreshing = factory.account(
        "x", connector="x", external_id="1", credentials={"refresh_token": "r", "bearer_token": "b"}
    )
    typed = factory.account("x", connector="x", external_id="2", credentials={"bearer_token": "b"})
    page = factory.account(
        "facebook", connector="facebook", external_id="3", credentials={"user_token": "u"}
    )
    mailbox = factory.account("email", connector="email", external_id="box@example.test")
    for account in (refreshing, typed, page, mailbox):
        expiring(rt, account)

    assert due_refreshes(rt, datetime.now(UTC)) == [refreshing.id]
    assert renewable(rt, refreshing, {"refresh_token": "r"})
    assert not renewable(rt, typed, {"bearer_token": "b"})
    assert not renewable(rt, page, {"user_token": "u"})  # Meta's grant ends: warn the admin
    assert not renewable(rt, mailbox, {})


def test_renew_says_why_the_browser_is_needed(rt: Any, factory: Any) -> None:
    mailbox = factory.account("email", connector="email", external_id="box@example.test")
    typed = factory.account("x", connector="x", external_id="2", credentials={"bearer_token": "b"})
    with pytest.raises(CannotRenew, match="email accounts have no renewable token"):
        renew(rt, mailbox.id)
    with pytest.raises(CannotRenew, match="no refresh token"):
        renew(rt, typed.id)
    with pytest.raises(CannotRenew, match="no channel account"):
        renew(rt, 10**9)
