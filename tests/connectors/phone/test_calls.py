"""Incoming calls end to end: the emulator plays the call against /webhooks/phone/voice
(TwiML from our routing), its callbacks land on the customer's timeline once each, in any
order; missed calls and voicemails open the conversation with a call-back task."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from inbox.models import Attachment, User
from inbox.models.sla import BusinessHours
from tests.connectors.phone.conftest import CUSTOMER, NUMBER
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
AGENT_PHONE = "+821099990001"


def agent_with_phone(world: World, factory: Any, *, on_shift: bool = True) -> None:
    user = factory.user("agent", inboxes=[world.account.id], email="caller@example.test")
    with world.rt.db.session() as s:
        row = s.get(User, user.id)
        assert row is not None
        row.phone, row.available = AGENT_PHONE, on_shift


def call(world: World, **scenario: Any) -> dict[str, Any]:
    played: dict[str, Any] = world.provider.emu("call", **{"from": "010-1234-5678", **scenario})
    world.settle()
    return played


def the_call(world: World) -> Any:
    (message,) = world.messages("call")
    return message


@BOTH
def test_an_answered_call_rings_the_on_shift_agent_and_lands_on_the_timeline(
    world: World, factory: Any
) -> None:
    agent_with_phone(world, factory)
    played = call(world, answer="agent", talk_seconds=95)
    assert played["dialed"] == [AGENT_PHONE]
    assert played["answered_by"] == AGENT_PHONE
    world.callbacks(repeat=2)  # the final status, twice
    message = the_call(world)
    assert (message.external_id, message.direction) == (played["sid"], "inbound")
    assert message.meta["outcome"] == "answered"
    assert message.meta["answered_by"] == AGENT_PHONE
    assert (message.meta["talk_seconds"], message.meta["duration"]) == (95, 95)
    assert message.text == f"📞 Incoming call {CUSTOMER} · answered · 1:35"
    conversation = world.conversation()
    assert conversation.follow_up_task is None  # nobody has to call back
    assert world.messages("event") == []


@BOTH
def test_a_missed_call_with_voicemail_opens_a_call_back_with_audio_and_transcript(
    world: World,
) -> None:
    # Nobody on shift has a phone and no forwarding number: straight to voicemail.
    said = "배송 문의 때문에 전화드렸어요. 연락 부탁드립니다."
    played = call(world, answer="none", voicemail=said)
    assert played["dialed"] == []
    assert any("메시지를 남겨" in said for said in played["said"])
    world.callbacks(order="lifo", repeat=2)  # transcript before recording, all twice
    message = the_call(world)
    assert message.meta["voicemail"] is True
    assert message.meta["outcome"] == "missed"
    assert message.meta["transcript"] == said
    with world.rt.db.session() as s:
        (audio,) = s.scalars(select(Attachment).where(Attachment.message_id == message.id))
        assert (audio.kind, audio.content_type, audio.problem) == ("audio", "audio/wav", None)
        assert audio.sha256 and world.rt.store.read(audio.sha256)[:4] == b"RIFF"
    conversation = world.conversation()
    assert conversation.status == "open" and conversation.waiting_since is not None
    assert conversation.follow_up_task == f"Call back {CUSTOMER}"
    assert [m.text for m in world.messages("event")] == [f"Voicemail from {CUSTOMER}: call back"]


@BOTH
def test_a_caller_who_hangs_up_while_it_rings_is_an_abandoned_call(
    world: World, factory: Any
) -> None:
    agent_with_phone(world, factory)
    played = call(world, answer="hangup")
    world.callbacks()
    message = the_call(world)
    assert (message.external_id, message.meta["outcome"]) == (played["sid"], "abandoned")
    assert world.conversation().follow_up_task == f"Call back {CUSTOMER}"
    assert [m.text for m in world.messages("event")] == [f"Missed call from {CUSTOMER}: call back"]


def test_outside_business_hours_the_caller_hears_the_closed_message(
    world: World, factory: Any
) -> None:
    agent_with_phone(world, factory)
    with world.rt.db.session() as s:
        s.add(
            BusinessHours(
                name="closed",
                channel_account_id=world.account.id,
                timezone="Asia/Seoul",
                always_open=False,
                weekly={},
                holidays=[],
            )
        )
    played = call(world, voicemail=None)  # hangs up at the beep
    assert played["dialed"] == []
    assert played["said"][0].startswith("안녕하세요, 고객센터입니다. 지금은 상담 시간이 아닙니다.")
    assert played["said"][1].startswith("Hello, this is customer support. We are closed")
    world.callbacks()
    assert the_call(world).meta["outcome"] == "missed"


def test_a_late_ringing_never_moves_a_finished_call_back(world: World, factory: Any) -> None:
    agent_with_phone(world, factory)
    played = call(world, answer="agent", talk_seconds=30)
    world.callbacks()
    before = the_call(world)
    ringing = {
        "AccountSid": "AC00000000000000000000000000000001",
        "CallSid": played["sid"],
        "CallStatus": "ringing",
        "From": CUSTOMER,
        "To": NUMBER,
        "Direction": "inbound",
    }
    done = world.provider.emu("post", url=f"{world.url}/webhooks/phone", params=ringing)
    assert done["status"] == 200
    world.settle()
    after = the_call(world)
    assert (after.meta, after.text) == (before.meta, before.text)


def test_a_forged_voice_webhook_is_refused_and_not_stored(world: World) -> None:
    form = {"CallSid": "CA" + "1" * 32, "CallStatus": "ringing", "From": CUSTOMER, "To": NUMBER}
    answer = requests.post(
        f"{world.url}/webhooks/phone/voice",
        data=form,
        headers={"X-Twilio-Signature": "Zm9yZ2Vk"},
        timeout=10,
    )
    assert answer.status_code == 403
    assert world.deliveries() == []


def test_the_thread_shows_the_call_with_the_voicemail_player_in_korean(
    world: World, factory: Any
) -> None:
    agent = factory.user("agent", inboxes=[world.account.id], email="card@example.test")
    call(world, answer="none", voicemail="환불 문의입니다")
    world.callbacks()
    login(world.client, agent.email, PASSWORD)
    page = world.client.get(f"/inbox/c/{world.conversation().id}").get_data(as_text=True)
    assert 'class="call-card" data-outcome="missed"' in page
    assert "📞 수신 전화 · 부재중 · 0분 12초 · 음성 메시지" in page  # the list row, in Korean
    assert "수신 전화" in page and "음성 메시지" in page
    assert "<audio controls" in page and "inline=1" in page
    assert "환불 문의입니다" in page
    assert f"{CUSTOMER}님의 음성 메시지: 다시 전화하기" in page


def test_an_agent_sets_their_phone_on_the_profile_in_any_spelling(
    world: World, factory: Any
) -> None:
    agent = factory.user("agent", inboxes=[world.account.id], email="profile@example.test")
    login(world.client, agent.email, PASSWORD)
    token = form_token(world.client, "/profile")
    form = {
        "csrf_token": token,
        "name": agent.name,
        "locale": "ko",
        "timezone": "Asia/Seoul",
        "available": "1",
        "phone": "010-9999-0001",
    }
    world.client.post("/profile", data=form)
    with world.rt.db.session() as s:
        assert s.get(User, agent.id).phone == AGENT_PHONE  # type: ignore[union-attr]
    world.client.post("/profile", data={**form, "phone": "전화 없음"})
    with world.rt.db.session() as s:
        assert s.get(User, agent.id).phone == AGENT_PHONE  # type: ignore[union-attr]


def test_an_answered_call_whose_end_came_first_withdraws_the_call_back(world: World) -> None:
    sid = "CA" + "5" * 32
    names = {
        "AccountSid": "AC00000000000000000000000000000001",
        "CallSid": sid,
        "From": CUSTOMER,
        "To": NUMBER,
        "Direction": "inbound",
    }
    ended = {**names, "CallStatus": "completed", "CallDuration": "80"}
    dialed = {
        **names,
        "CallStatus": "in-progress",
        "DialCallStatus": "completed",
        "DialCallDuration": "75",
    }
    for params in (ended, dialed):  # the final status overtook the dial's outcome
        done = world.provider.emu("post", url=f"{world.url}/webhooks/phone", params=params)
        assert done["status"] == 200
        world.settle()
    message = the_call(world)
    assert (message.meta["outcome"], message.meta["talk_seconds"]) == ("answered", 75)
    assert world.conversation().follow_up_task is None
    assert [m.text for m in world.messages("event")] == [
        f"Missed call from {CUSTOMER}: call back",
        f"Call from {CUSTOMER} was answered after all",
    ]
