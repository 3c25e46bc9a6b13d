"""Click-to-call from the thread (the provider rings the agent, then the customer) with the
outcome landing in the thread, and calls logged by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from inbox.models import Conversation, Message, User, utcnow
from tests.connectors.phone.conftest import ACCOUNT_SID, CUSTOMER, NUMBER
from tests.connectors.phone.test_calls import AGENT_PHONE
from tests.connectors.phone.test_flow import (
    World,
    app_port,
    provider,
    settings_overrides,
    world,
)
from tests.web.ui.conftest import PASSWORD, form_token, login

__all__ = ["app_port", "provider", "settings_overrides", "world"]
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def signed_in_agent(world: World, factory: Any, phone: str | None = AGENT_PHONE) -> Any:
    agent = factory.user(
        "agent", inboxes=[world.account.id], email="dialer@example.test", name="민아"
    )
    with world.rt.db.session() as s:
        row = s.get(User, agent.id)
        assert row is not None
        row.phone = phone
    login(world.client, agent.email, PASSWORD)
    return agent


def click(world: World) -> Any:
    conversation = world.conversation()
    token = form_token(world.client, f"/inbox/c/{conversation.id}")
    answer = world.client.post(f"/inbox/c/{conversation.id}/call", data={"csrf_token": token})
    world.settle()
    return answer


@BOTH
def test_click_to_call_rings_the_agent_then_the_customer_and_lands_in_the_thread(
    world: World, factory: Any
) -> None:
    world.text("전화 부탁드려요")
    signed_in_agent(world, factory)
    world.provider.emu("requests/clear")
    assert click(world).status_code == 302
    (request,) = world.provider.requests()
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    (message,) = world.messages("call")
    ref = message.uuid
    names = f"account=%2B8225550100&customer=%2B821012345678&direction=outbound&ref={ref}"
    assert request["form"] == {
        "To": AGENT_PHONE,
        "From": NUMBER,
        "Twiml": (
            '<?xml version="1.0" encoding="UTF-8"?><Response>'
            f'<Dial answerOnBridge="true" callerId="{NUMBER}">'
            f'<Number statusCallback="{world.url}/webhooks/phone?{names.replace("&", "&amp;")}"'
            f' statusCallbackEvent="answered">{CUSTOMER}</Number></Dial></Response>'
        ),
        "StatusCallback": f"{world.url}/webhooks/phone?{names}",
        "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
    }
    assert message.external_id and message.external_id.startswith("CA")
    world.callbacks(order="lifo", repeat=2)  # completed first, then the rest; all twice
    (message,) = world.messages("call")
    assert message.direction == "outbound"
    assert (message.meta["outcome"], message.meta["duration"]) == ("answered", 60)
    assert message.text == f"📞 Outgoing call {CUSTOMER} · answered · 1:00"


def test_a_customer_who_does_not_pick_up_is_not_reached(world: World, factory: Any) -> None:
    world.provider.emu("config", outbound_answer="agent_only")
    world.text("전화 주세요")
    signed_in_agent(world, factory)
    click(world)
    world.callbacks()
    (message,) = world.messages("call")
    assert message.meta["outcome"] == "not_reached"
    assert world.conversation().follow_up_task is None  # our own call: no call-back task


def test_without_a_phone_on_the_profile_nothing_is_placed(world: World, factory: Any) -> None:
    world.text("전화 주세요")
    signed_in_agent(world, factory, phone=None)
    world.provider.emu("requests/clear")
    click(world)
    assert world.messages("call") == []
    assert world.provider.requests() == []


@BOTH
def test_an_agent_logs_a_call_made_outside_the_system(world: World, factory: Any) -> None:
    world.text("문의")
    signed_in_agent(world, factory)
    conversation = world.conversation()
    token = form_token(world.client, f"/inbox/c/{conversation.id}")
    form = {
        "csrf_token": token,
        "direction": "outbound",
        "number": "010-1234-5678",
        "minutes": "3.5",
        "outcome": "answered",
        "notes": "환불 절차 안내함",
    }
    world.client.post(f"/inbox/c/{conversation.id}/log-call", data=form)
    (message,) = world.messages("call")
    assert (message.direction, message.external_id) == ("outbound", None)
    assert message.meta["number"] == CUSTOMER
    assert (message.meta["duration"], message.meta["outcome"]) == (210, "answered")
    assert (message.meta["notes"], message.meta["logged_by"]) == ("환불 절차 안내함", "민아")
    page = world.client.get(f"/inbox/c/{conversation.id}").get_data(as_text=True)
    assert "직접 기록함" in page and "환불 절차 안내함" in page
    world.client.post(f"/inbox/c/{conversation.id}/log-call", data={**form, "minutes": "-1"})
    world.client.post(f"/inbox/c/{conversation.id}/log-call", data={**form, "number": "없음"})
    assert len(world.messages("call")) == 1


def test_the_api_logs_and_places_calls(world: World) -> None:
    world.text("문의")
    conversation = world.conversation()
    logged = world.client.post(
        f"/api/v1/conversations/{conversation.id}/calls",
        json={
            "direction": "inbound",
            "number": "+82 10-1234-5678",
            "duration_seconds": 75,
            "outcome": "answered",
            "notes": "주소 변경 요청",
        },
        headers=world.auth,
    )
    assert logged.status_code == 201, logged.get_json()
    body = logged.get_json()
    assert (body["kind"], body["direction"]) == ("call", "inbound")
    assert body["call"] == {
        "direction": "inbound",
        "outcome": "answered",
        "duration": 75,
        "number": CUSTOMER,
        "notes": "주소 변경 요청",
        "logged_by": body["author"]["name"],
    }
    refused = world.client.post(
        f"/api/v1/conversations/{conversation.id}/calls",
        json={"direction": "sideways", "number": CUSTOMER, "outcome": "answered"},
        headers=world.auth,
    )
    assert refused.status_code in (400, 422)
    no_phone = world.client.post(
        f"/api/v1/conversations/{conversation.id}/call", headers=world.auth
    )
    assert no_phone.status_code == 422
    assert "phone number on your profile" in no_phone.get_json()["detail"]
    with world.rt.db.session() as s:
        for user in s.query(User).filter(User.email == "phone-agent@example.test"):
            user.phone = AGENT_PHONE
    placed = world.client.post(f"/api/v1/conversations/{conversation.id}/call", headers=world.auth)
    assert placed.status_code == 202, placed.get_json()
    world.settle()
    world.callbacks()
    calls_made = world.messages("call")
    assert calls_made[-1].uuid == placed.get_json()["uuid"]
    assert calls_made[-1].meta["outcome"] == "answered"


def test_an_agent_who_does_not_pick_up_is_not_reached_either(world: World, factory: Any) -> None:
    world.provider.emu("config", outbound_answer="none")
    world.text("전화 주세요")
    signed_in_agent(world, factory)
    click(world)
    world.callbacks(order="lifo")
    (message,) = world.messages("call")
    assert (message.meta["outcome"], message.meta["status"]) == ("not_reached", "no-answer")


@BOTH
def test_a_call_left_placing_by_a_dead_job_is_settled_by_the_sweeper(
    world: World, factory: Any
) -> None:
    """The job committed its claim ("placing") and died before the provider answered: past
    the deadline the sweeper shows the call as not placed, with the reason on the timeline; a
    claim inside its deadline is left alone; a late answer from the provider places it."""
    from inbox.calls import PLACING_DEADLINE, placed, placing, request_call
    from workers.sweep import sweep

    world.text("전화 부탁드려요")
    agent = signed_in_agent(world, factory)
    conversation_id = world.conversation().id
    now = utcnow()
    with world.rt.db.session() as s:
        user, conversation = s.get(User, agent.id), s.get(Conversation, conversation_id)
        assert user is not None and conversation is not None
        dead, alive = request_call(s, conversation, user), request_call(s, conversation, user)
        placing(dead, now - PLACING_DEADLINE - timedelta(seconds=1))  # what the job commits
        placing(alive, now)
    assert sweep()["calls"] == 1
    assert sweep()["calls"] == 0
    dead_row, alive_row = world.messages("call")
    assert (dead_row.meta["stage"], dead_row.meta["outcome"]) == ("failed", "not_reached")
    assert dead_row.meta["stopped_placing"] and dead_row.next_attempt_at is None
    assert alive_row.meta["stage"] == "placing" and alive_row.next_attempt_at is not None
    page = world.client.get(f"/inbox/c/{conversation_id}").get_data(as_text=True)
    assert "전화를 거는 중에 작업 프로세스가 멈춰" in page  # the agent reads Korean

    with world.rt.db.session() as s:  # the provider took it after all (a very slow answer)
        row = s.get(Message, dead_row.id)
        assert row is not None
        placed(s, row, "CA-late")
    dead_row, _ = world.messages("call")
    assert dead_row.meta["stage"] == "initiated" and dead_row.failure_reason is None
    assert not {"problem", "outcome", "stopped_placing"} & set(dead_row.meta)


@BOTH
def test_a_call_claimed_before_deadlines_existed_is_settled_after_the_upgrade(
    world: World, factory: Any
) -> None:
    """An older version claimed calls without a deadline, so the sweeper never saw them and
    the agent read "placing" forever; migration 0024 hands them to the sweeper."""
    from alembic import command

    from inbox.calls import request_call
    from inbox.migrate import alembic_config, upgrade
    from workers.sweep import sweep

    world.text("전화 부탁드려요")
    agent = signed_in_agent(world, factory)
    conversation_id = world.conversation().id
    with world.rt.db.session() as s:
        user, conversation = s.get(User, agent.id), s.get(Conversation, conversation_id)
        assert user is not None and conversation is not None
        old = request_call(s, conversation, user)
        request_call(s, conversation, user)  # a second, not yet claimed by its job
        old.meta = {**old.meta, "stage": "placing"}  # the old claim: no next_attempt_at
    assert sweep()["calls"] == 0  # before the migration nothing ever settles it

    url = world.rt.db.url
    command.downgrade(alembic_config(url), "0023_lead")  # data only: the schema is the same
    upgrade(url)
    assert sweep()["calls"] == 1
    old_row, requested_row = world.messages("call")
    assert (old_row.meta["stage"], old_row.meta["outcome"]) == ("failed", "not_reached")
    assert old_row.meta["stopped_placing"]
    assert requested_row.meta["stage"] == "requested"  # not claimed: left to its job
