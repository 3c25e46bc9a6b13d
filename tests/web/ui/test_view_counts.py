"""The counts beside the inbox views, as the page shows them, equal COUNT over the rows after
actions, for an admin and a restricted agent, with status, channel and label filters
(SQLite, PostgreSQL). They come from inbox/counts.py, per label under a label filter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from inbox.conversations import Change, apply_change
from inbox.models import Conversation, Team, User
from inbox.queries import ConversationFilter, count_conversations
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
HX = {"HX-Request": "true"}


def shown(html: str) -> dict[str, int]:
    return {
        key: int(n)
        for key, n in re.findall(
            r'data-view="([^"]+)"[^>]*>(?:<bdi>[^<]*</bdi>|[^<])*<span class="count">(\d+)<', html
        )
    }


def expected(rt: Runtime, email: str, teams: list[int], **flt: Any) -> dict[str, int]:
    with rt.db.session() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        out = {
            view: count_conversations(session, user, ConversationFilter(assignee=who, **flt))
            for view, who in (("all", None), ("mine", "me"), ("unassigned", "none"))
        }
        for team_id in teams:
            out[f"team:{team_id}"] = count_conversations(
                session, user, ConversationFilter(team_id=team_id, **flt)
            )
    return out


def test_counts_on_the_page_follow_actions_and_filters(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    a, b = team_setup["a"], team_setup["b"]
    with rt.db.session() as session:
        team = Team(name="야간")
        session.add(team)
        session.flush()
        team_id = team.id
    convs = [inbound(rt, a, f"문의 {i}", customer=f"a{i}") for i in range(5)]
    convs += [inbound(rt, b, f"문의 {i}", customer=f"b{i}") for i in range(3)]
    with rt.db.session() as session:
        for conv in convs[:2]:
            found = session.get(Conversation, conv.id)
            assert found is not None
            apply_change(session, found, Change(team_id=team_id, labels=("VIP",)), actor=None)

    login(client, "mina@example.test")  # the agent of inbox A only
    path = f"/inbox/c/{convs[0].id}"
    token = form_token(client, path)
    client.post(f"{path}/update", data={"csrf_token": token, "assignee": "me"}, headers=HX)
    client.post(f"/inbox/c/{convs[1].id}/update", data={"csrf_token": token, "status": "pending"})
    for query, flt in (
        ("", {"status": "open"}),
        ("?status=any", {}),
        ("?status=pending", {"status": "pending"}),
        ("?status=any&channel=instagram", {"channel": "instagram"}),
        ("?status=any&label=VIP", {"label": "VIP"}),
        ("?label=VIP", {"status": "open", "label": "VIP"}),
        ("?status=pending&label=VIP", {"status": "pending", "label": "VIP"}),
        ("?status=any&label=nosuch", {"label": "nosuch"}),
    ):
        want = expected(rt, "mina@example.test", [team_id], **flt)
        assert shown(client.get(f"/inbox/{query}").get_data(as_text=True)) == want, query
        fragment = client.get(f"/inbox/_counts{query}").get_data(as_text=True)
        assert shown(fragment) == want, query
    assert shown(client.get("/inbox/?status=any").get_data(as_text=True))["all"] == 5
    assert shown(client.get("/inbox/").get_data(as_text=True))["mine"] == 1
    # A search does not change the counts (they size the queues, not the search).
    assert shown(client.get("/inbox/?q=문의 3").get_data(as_text=True))["all"] == 4

    client.post("/logout", data={"csrf_token": token})
    login(client, "admin@example.test")
    want = expected(rt, "admin@example.test", [team_id], status="open")
    assert shown(client.get("/inbox/").get_data(as_text=True)) == want
    assert want["all"] == 7 and want[f"team:{team_id}"] == 1
