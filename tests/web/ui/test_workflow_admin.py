"""Admin pages for auto-assignment and SLA, the SLA badge in the list, in Korean and English."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from inbox.assignment import policy_for
from inbox.models import Conversation, User
from inbox.models.sla import BusinessHours, ConversationSla, SlaPolicy
from inbox.users import update_user
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login


def test_admin_turns_on_round_robin_and_the_queue_is_assigned(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    a = team_setup["a"]
    conversation = inbound(rt, a, "문의합니다", customer="c1")
    rt.jobs.drain()
    login(client, "admin@example.test")
    page = client.get("/admin/assignment").get_data(as_text=True)
    assert "자동 배정" in page and "대기열" in page  # Korean by default
    token = form_token(client, "/admin/assignment")
    agent_id = team_setup["agent"].id
    response = client.post(
        f"/admin/assignment/{a.id}",
        data={
            "csrf_token": token,
            "enabled": "1",
            "mode": "least_open",
            "capacity": "3",
            f"limit_{agent_id}": "2",
        },
    )
    assert response.status_code == 302
    rt.jobs.drain()
    with rt.db.session() as s:
        policy = policy_for(s, a.id)
        assert policy is not None and policy.mode == "least_open" and policy.capacity == 3
        assert policy.agent_limits == {str(agent_id): 2}
        assert s.get(Conversation, conversation.id).assignee_id == agent_id
    bad = client.post(
        f"/admin/assignment/{a.id}",
        data={"csrf_token": token, "enabled": "1", "mode": "chaos", "capacity": "3"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "mode must be one of" in bad


def test_admin_creates_sla_policy_and_business_hours_with_korean_holidays(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    login(client, "admin@example.test")
    with rt.db.session() as s:
        update_user(s, s.get(User, team_setup["admin"].id), actor_id=None, locale="en")
    page = client.get("/admin/sla").get_data(as_text=True)
    assert "SLA policies" in page and "Business hours" in page
    token = form_token(client, "/admin/sla")
    client.post(
        "/admin/sla/policy",
        data={
            "csrf_token": token,
            "name": "Standard",
            "priority": "any",
            "first_response_minutes": "30",
            "resolution_minutes": "1440",
            "warn_minutes": "5",
            "enabled": "1",
        },
    )
    client.post(
        "/admin/sla/hours",
        data={
            "csrf_token": token,
            "name": "Seoul office",
            "timezone": "Asia/Seoul",
            "weekly": "mon 09:00-18:00\ntue 09:00-18:00",
            "holidays": "2026-12-31 연말",
            "import_kr": "1",
        },
    )
    with rt.db.session() as s:
        policy = s.scalars(select(SlaPolicy)).one()
        assert (policy.first_response_minutes, policy.next_response_minutes) == (30, None)
        hours = s.scalars(select(BusinessHours)).one()
        assert not hours.always_open and hours.weekly["mon"] == [["09:00", "18:00"]]
        assert "2026-12-31" in hours.holidays and "2026-09-25" in hours.holidays
    refused = client.post(
        "/admin/sla/policy",
        data={"csrf_token": token, "name": "Nothing", "priority": "any"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "set at least one target" in refused


def test_list_shows_time_left_and_breached_rows_in_red_sorted_by_breach(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    from inbox.sla import refresh, save_policy

    a = team_setup["a"]
    with rt.db.session() as s:
        save_policy(
            s,
            name="Std",
            priority="any",
            account_id=None,
            first_response_minutes=60,
            next_response_minutes=None,
            resolution_minutes=None,
            actor_id=None,
        )
    later = inbound(rt, a, "나중", customer="later")
    late = inbound(rt, a, "늦음", customer="late")
    rt.jobs.drain()
    with rt.db.session() as s:  # as if it came in two hours ago
        conversation = s.get(Conversation, late.id)
        conversation.created_at -= timedelta(hours=2)
        refresh(s, [conversation])
        assert s.get(ConversationSla, late.id).due_at < conversation.created_at + timedelta(hours=2)
    login(client, "mina@example.test")
    page = client.get("/inbox/?sort=sla").get_data(as_text=True)
    assert 'data-sla="breached"' in page and 'data-sla="ok"' in page
    assert "sla-breached" in page
    assert page.index(f'data-id="{late.id}"') < page.index(f'data-id="{later.id}"')
    assert "SLA 위반" in page and "남음" in page


def test_admin_creates_a_rule_in_the_form_and_it_fires(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    from inbox.models.rules import AutomationRule
    from inbox.teams import save_team

    with rt.db.session() as s:
        team_id = save_team(s, name="환불팀", member_ids=set(), actor_id=None).id
    login(client, "admin@example.test")
    page = client.get("/admin/rules").get_data(as_text=True)
    assert "자동화 규칙" in page and "고객 메시지" in page
    token = form_token(client, "/admin/rules")
    response = client.post(
        "/admin/rules",
        data={
            "csrf_token": token,
            "name": "환불 분류",
            "trigger": "customer_message",
            "enabled": "1",
            "c0_field": "text",
            "c0_op": "contains",
            "c0_value": "환불|반품",
            "c1_field": "kind",
            "c1_op": "in",
            "c1_value": "dm, chat",
            "a0_type": "add_label",
            "a0_value": "환불",
            "a1_type": "assign_team",
            "a1_value": str(team_id),
        },
    )
    assert response.status_code == 302
    with rt.db.session() as s:
        rule = s.scalars(select(AutomationRule)).one()
        assert rule.conditions[1] == {"field": "kind", "op": "in", "value": ["dm", "chat"]}
    conversation = inbound(rt, team_setup["a"], "반품하고 싶어요", customer="r")
    rt.jobs.drain()
    login(client, "mina@example.test")
    thread = client.get(f"/inbox/c/{conversation.id}").get_data(as_text=True)
    assert "규칙 “환불 분류” 실행" in thread
    with rt.db.session() as s:
        assert s.get(Conversation, conversation.id).team_id == team_id
    login(client, "admin@example.test")
    token = form_token(client, "/admin/rules")
    refused = client.post(
        "/admin/rules",
        data={"csrf_token": token, "name": "bad", "trigger": "customer_message"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "규칙에는 동작이 하나 이상 있어야 합니다" in refused  # the Korean UI
