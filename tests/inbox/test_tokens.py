"""API tokens: expiry honoured by the API, last use written at most once a minute, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inbox.models import ApiToken
from inbox.tokens import issue_token, list_tokens, note_use, revoke_token, token_for


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_api_refuses_an_expired_token(rt, client, factory):
    agent = factory.user("agent")
    with rt.db.session() as s:
        live = issue_token(s, s.get(type(agent), agent.id), "live", expires_in=timedelta(days=1))
        past = datetime.now(UTC) - timedelta(days=2)
        old = issue_token(
            s, s.get(type(agent), agent.id), "old", expires_in=timedelta(days=1), now=past
        )
    ok = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {live}"})
    assert ok.status_code == 200
    expired = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401
    assert expired.get_json()["detail"] == "unknown, expired or revoked token"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_last_use_is_written_at_most_once_a_minute(rt, client, factory):
    agent = factory.user("agent")
    with rt.db.session() as s:
        token = issue_token(s, s.get(type(agent), agent.id))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/conversations", headers=headers).status_code == 200
    with rt.db.session() as s:
        row = list_tokens(s)[0]
        first = row.last_used_at
        assert first is not None
        note_use(s, row, first + timedelta(seconds=30))  # within the minute: no write
    with rt.db.session() as s:
        row = list_tokens(s)[0]
        assert row.last_used_at == first
        later = first + timedelta(seconds=61)
        note_use(s, row, later)
    with rt.db.session() as s:
        assert list_tokens(s)[0].last_used_at == later


def test_revoked_and_deactivated_tokens_stop_working(rt, client, factory):
    agent = factory.user("agent")
    with rt.db.session() as s:
        user = s.get(type(agent), agent.id)
        revoked, kept = issue_token(s, user, "a"), issue_token(s, user, "b")
    with rt.db.session() as s:
        revoke_token(s, token_for(s, revoked).id)
        assert token_for(s, revoked) is None and token_for(s, kept) is not None
        with pytest.raises(LookupError):
            revoke_token(s, 9999)
    refused = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {revoked}"})
    assert refused.status_code == 401
    with rt.db.session() as s:
        s.get(type(agent), agent.id).is_active = False
    with rt.db.session() as s:
        assert token_for(s, kept) is None
        assert s.query(ApiToken).count() == 1
