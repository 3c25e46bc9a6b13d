"""The SMS composer counts parts as the server does (GSM-7 160/153, UCS-2 70/67) in Chromium,
and refuses a reply to a customer who texted STOP before anything is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.base import Attachment, ConversationKind, EventKind, InboundEvent, Participant
from connectors.phone.segments import count
from inbox.ingest import record_event
from inbox.models import ChannelAccount, User
from inbox.users import set_inboxes
from sandbox.twilio.calls import tone
from switchboard.runtime import Runtime
from tests.web.ui.conftest import inbound
from tests.web.ui.test_browser import base_url, page, sign_in

__all__ = ["base_url", "page"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]


def test_sms_counter_matches_the_server_and_stop_closes_the_composer(
    page: Any, base_url: str, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    samples = [
        "Your order ships today",
        "배송 문의 답변드립니다",
        "{braces} [and] €",
        "🙂" * 36,
        "a" * 161,
        "가" * 71,
        "가" * 135,
        "",
    ]
    phone = factory.account("phone", connector="phone", external_id="+8225550100")
    with rt.db.session() as session:
        agent = session.get(User, team_setup["agent"].id)
        assert agent is not None
        set_inboxes(session, agent, {team_setup["a"].id, phone.id})
    thread = inbound(rt, phone, "배송 언제 되나요?", customer="+821012345678")
    sign_in(page, base_url, "mina@example.test")
    for sample in samples:
        ours = page.evaluate("(s) => window.switchboardSmsSegments(s)", sample)
        server = count(sample)
        assert (ours["encoding"], ours["units"], ours["count"]) == (
            server.encoding,
            server.units,
            server.count,
        ), sample
    page.goto(f"{base_url}/inbox/c/{thread.id}")
    page.fill("#composer", "가" * 71)
    page.wait_for_selector("#reply-counter >> text=71 / 134 · 문자 2건 (UCS-2)")
    page.fill("#composer", "Hello")
    page.wait_for_selector("#reply-counter >> text=5 / 160 · 문자 1건 (GSM-7)")
    page.fill("#composer", "가" * 671)
    page.wait_for_selector("#reply-counter.over")
    assert page.locator("#send-button").is_disabled()
    inbound(rt, phone, "수신거부", customer="+821012345678", extra={"opt_out": "stop"})
    page.goto(f"{base_url}/inbox/c/{thread.id}")
    assert "문자 수신을 거부했습니다 (수신거부" in page.locator("#composer-form").inner_text()
    assert page.locator("#send-button").is_disabled()


def test_a_voicemail_plays_in_the_thread_and_its_transcript_reads(
    page: Any, base_url: str, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    phone = factory.account("phone", connector="phone", external_id="+8225550100")
    with rt.db.session() as session:
        agent = session.get(User, team_setup["agent"].id)
        assert agent is not None
        set_inboxes(session, agent, {team_setup["a"].id, phone.id})
    caller = Participant(external_id="+821012345678", handle="+821012345678")
    common = {
        "kind": EventKind.CALL,
        "account_external_id": "+8225550100",
        "thread_key": caller.external_id,
        "conversation_kind": ConversationKind.DM,
        "sent_at": datetime.now(UTC),
        "customer": caller,
        "targets": ("CA" + "7" * 32,),
    }
    sid = "CA" + "7" * 32
    with rt.db.session() as session:
        account = session.get(ChannelAccount, phone.id)
        assert account is not None
        record_event(
            session,
            account,
            InboundEvent(
                external_id=f"{sid}:recording",
                attachments=(
                    Attachment(
                        kind="audio",
                        data=tone(),
                        filename="voicemail.wav",
                        content_type="audio/wav",
                    ),
                ),
                extra={
                    "call": {
                        "sid": sid,
                        "event": "recording",
                        "recording_sid": "RE1",
                        "recording_duration": 1,
                        "direction": "inbound",
                    }
                },
                **common,
            ),
            store=rt.store,
        )
        outcome = record_event(
            session,
            account,
            InboundEvent(
                external_id=f"{sid}:transcript",
                extra={
                    "call": {
                        "sid": sid,
                        "event": "transcript",
                        "recording_sid": "RE1",
                        "transcript": "교환 문의드립니다",
                        "direction": "inbound",
                    }
                },
                **common,
            ),
            store=rt.store,
        )
        conversation_id = outcome.conversation_id
    sign_in(page, base_url, "mina@example.test")
    page.goto(f"{base_url}/inbox/c/{conversation_id}")
    assert "교환 문의드립니다" in page.locator(".call-transcript").inner_text()
    seconds = page.evaluate(
        """() => new Promise((done, failed) => {
             const audio = document.querySelector('.call-card audio');
             audio.addEventListener('loadedmetadata', () => done(audio.duration));
             audio.addEventListener('error', () => failed(String(audio.error && audio.error.code)));
             audio.load();
           })"""
    )
    assert 0.9 < seconds < 1.1  # the 1-second recording, served inline under the CSP
