"""`switchboard demo` with the phone channel: the sandbox number is connected, the customer
simulator is served, a text and a call from it reach the inbox (voicemail playable, transcript
readable), and a reply and a click-to-call reach the simulator with the exact requests."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import select

from cli.demo import demo_app
from inbox.models import Attachment, ChannelAccount, Message, User
from sandbox.twilio.app import DEFAULTS
from tests.support.demo import prepared_demo, reply_and_wait_delivered, wait_for_value
from tests.support.servers import serve_wsgi


def test_phone_customer_texts_and_calls_the_demo_and_hears_back(tmp_path: Any, monkeypatch: Any):
    with prepared_demo(tmp_path, monkeypatch) as demo:
        info, port, rt = demo.info, demo.port, demo.runtime
        headers = {"Authorization": f"Bearer {info['token']}"}
        emu = f"http://127.0.0.1:{port}/sandbox/twilio"
        with serve_wsgi(demo_app(rt), port=port) as base:
            with rt.db.session() as s:
                account = s.scalars(
                    select(ChannelAccount).where(ChannelAccount.channel == "phone")
                ).one()
                assert account.external_id == DEFAULTS["NUMBER"]
                assert account.name == f"{DEFAULTS['NUMBER']} (전화·문자 샌드박스)"
            page = requests.get(f"{emu}/_emu/simulator", timeout=10)
            assert page.ok and "Send SMS" in page.text
            sent = requests.post(
                f"{emu}/_emu/simulator/sms",
                data={"from": "010-2222-3333", "body": "택배가 안 왔어요"},
                timeout=30,
            )
            assert sent.ok

            def stored() -> Message | None:
                rt.jobs.drain(1)
                with rt.db.session() as s:
                    found = s.scalars(
                        select(Message).where(Message.text == "택배가 안 왔어요")
                    ).first()
                    if found is not None:
                        s.expunge(found)
                    return found

            message = wait_for_value(stored)
            assert message is not None, "the text never reached the inbox"
            status = reply_and_wait_delivered(
                base, rt, message.conversation_id, "확인해 보겠습니다.", headers
            )
            assert status == "delivered"
            inbox = requests.get(f"{emu}/_emu/inbox", params={"number": "+821022223333"}).json()
            assert [m["body"] for m in inbox] == ["확인해 보겠습니다."]
            (request,) = [
                r
                for r in requests.get(f"{emu}/_emu/requests").json()
                if r["path"].endswith("/Messages.json")
            ]
            assert request["form"]["Body"] == "확인해 보겠습니다."
            assert request["form"]["StatusCallback"].startswith(f"{base}/webhooks/phone?ref=")

            # Nobody answers (no agent has a phone yet): voicemail with a transcript.
            with rt.db.session() as s:  # the demo's hours may be closed: either way voicemail
                for user in s.scalars(select(User)):
                    user.phone = None
            call = requests.post(
                f"{emu}/_emu/call",
                json={"from": "010-2222-3333", "answer": "none", "voicemail": "전화 부탁드려요"},
                timeout=60,
            ).json()

            def voicemail() -> dict[str, Any] | None:
                rt.jobs.drain(1)
                with rt.db.session() as s:
                    found = s.scalars(
                        select(Message).where(Message.external_id == call["sid"])
                    ).first()
                    if found is None or not found.meta.get("transcript"):
                        return None
                    audio = s.scalars(
                        select(Attachment).where(Attachment.message_id == found.id)
                    ).first()
                    if audio is None or audio.sha256 is None:
                        return None
                    return dict(found.meta)

            facts = wait_for_value(voicemail)
            assert facts is not None, "the voicemail never reached the inbox"
            assert (facts["transcript"], facts["voicemail"]) == ("전화 부탁드려요", True)
