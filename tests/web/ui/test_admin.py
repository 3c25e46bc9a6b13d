"""Admin pages: agents and inboxes, teams, labels, canned responses, channels, rejects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from inbox.models import CannedResponse, InboundDelivery, Label, Team, User, inbox_member
from inbox.replies import flag_reauth
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, login


def test_create_agent_with_inboxes_then_change_role(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    login(client, "admin@example.test")
    token = form_token(client, "/admin/agents")
    a, b = team_setup["a"].id, team_setup["b"].id
    client.post(
        "/admin/agents",
        data={
            "csrf_token": token,
            "email": "new@example.test",
            "name": "새 상담원",
            "password": "a long password",
            "role": "agent",
            "inboxes": [str(a)],
        },
    )
    with rt.db.session() as session:
        user = session.scalars(select(User).where(User.email == "new@example.test")).one()
        user_id = user.id
        inboxes = set(
            session.scalars(
                select(inbox_member.c.channel_account_id).where(inbox_member.c.user_id == user_id)
            )
        )
    assert inboxes == {a}
    client.post(
        f"/admin/agents/{user_id}",
        data={"csrf_token": token, "role": "marketer", "active": "1", "inboxes": [str(b)]},
    )
    with rt.db.session() as session:
        user = session.get(User, user_id)
        assert user is not None and user.role == "marketer" and user.is_active
        assert not user.available
        inboxes = set(
            session.scalars(
                select(inbox_member.c.channel_account_id).where(inbox_member.c.user_id == user_id)
            )
        )
    assert inboxes == {b}


def test_admin_cannot_lock_themselves_out(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    login(client, "admin@example.test")
    token = form_token(client, "/admin/agents")
    admin_id = team_setup["admin"].id
    client.post(f"/admin/agents/{admin_id}", data={"csrf_token": token, "role": "agent"})
    with rt.db.session() as session:
        admin = session.get(User, admin_id)
        assert admin is not None and admin.role == "admin" and admin.is_active


def test_teams_labels_and_canned_responses(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    login(client, "admin@example.test")
    token = form_token(client, "/admin/teams")
    agent_id = team_setup["agent"].id
    client.post(
        "/admin/teams", data={"csrf_token": token, "name": "CS 1팀", "members": [str(agent_id)]}
    )
    client.post("/admin/labels", data={"csrf_token": token, "name": "환불", "color": "red"})
    client.post(
        "/admin/canned",
        data={
            "csrf_token": token,
            "shortcut": "hello",
            "title": "인사",
            "body": "안녕하세요 {{contact_name}}님",
            "locale": "ko",
        },
    )
    with rt.db.session() as session:
        team = session.scalars(select(Team)).one()
        assert [m.id for m in team.members] == [agent_id]
        label = session.scalars(select(Label)).one()
        assert (label.name, label.color) == ("환불", "red")
        canned = session.scalars(select(CannedResponse)).one()
        canned_id, label_id = canned.id, label.id
    # Team views appear in the inbox with their counts.
    client.post("/logout", data={"csrf_token": token})
    login(client, "mina@example.test")
    assert "CS 1팀" in client.get("/inbox/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": form_token(client, "/inbox/")})
    login(client, "admin@example.test")
    token = form_token(client, "/admin/canned")
    client.post("/admin/canned", data={"csrf_token": token, "canned_id": canned_id, "delete": "1"})
    client.post("/admin/labels", data={"csrf_token": token, "label_id": label_id, "delete": "1"})
    duplicate = client.post(
        "/admin/labels",
        data={"csrf_token": token, "name": "x", "color": "no-such-color"},
        follow_redirects=True,
    )
    assert "color must be one of" in duplicate.get_data(as_text=True)
    with rt.db.session() as session:
        assert session.scalars(select(CannedResponse)).first() is None
        assert session.scalars(select(Label)).first() is None


def test_channel_health_and_rejected_deliveries(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    with rt.db.session() as session:
        from inbox.models import ChannelAccount

        account = session.get(ChannelAccount, team_setup["a"].id)
        assert account is not None
        flag_reauth(session, account, "Error validating access token: Session has expired")
        session.add(
            InboundDelivery(
                endpoint="meta",
                connector="facebook",
                body=b"<not json>",
                status="rejected",
                reason="malformed JSON at byte 0",
            )
        )
    login(client, "admin@example.test")
    channels = client.get("/admin/channels").get_data(as_text=True)
    assert "토큰 만료, 다시 연결하세요" in channels and "Session has expired" in channels
    rejected = client.get("/admin/deliveries").get_data(as_text=True)
    assert "malformed JSON at byte 0" in rejected and "&lt;not json&gt;" in rejected
