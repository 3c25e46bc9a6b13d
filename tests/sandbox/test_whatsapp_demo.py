"""`switchboard demo` with WhatsApp: the sandbox number is connected like the Facebook Page, its
simulator is served, and a customer's message and photo reach the inbox and a reply goes back."""

from __future__ import annotations

import base64
import hashlib

import requests
from sqlalchemy import select

from cli.demo import demo_app
from inbox.models import Attachment, ChannelAccount, Message
from tests.support.demo import prepared_demo, reply_and_wait_delivered, wait_for_value
from tests.support.servers import serve_wsgi

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_whatsapp_customer_reaches_the_demo_inbox_and_the_reply_goes_back(tmp_path, monkeypatch):
    with prepared_demo(tmp_path, monkeypatch) as demo:
        info, port, rt = demo.info, demo.port, demo.runtime
        headers = {"Authorization": f"Bearer {info['token']}"}
        emu = f"http://127.0.0.1:{port}/sandbox/meta"
        with serve_wsgi(demo_app(rt), port=port) as base:
            with rt.db.session() as s:
                account = s.scalars(
                    select(ChannelAccount).where(ChannelAccount.channel == "whatsapp")
                ).one()
                assert account.connector == "whatsapp"
                # the sandbox's name for the number + the declaration's display name
                assert account.name == "서울서플 고객센터 (WhatsApp 샌드박스)"
            page = requests.get(f"{emu}/whatsapp/simulator", timeout=10)
            assert page.ok and "_emu/whatsapp/chats" in page.text
            made = requests.post(
                f"{emu}/_emu/whatsapp/customers/message",
                json={
                    "wa_id": "821055501234",
                    "name": "데모 고객",
                    "type": "image",
                    "text": "상자가 찌그러져 왔어요",
                    "mime_type": "image/png",
                    "data_base64": base64.b64encode(PNG).decode(),
                },
                timeout=30,
            )
            assert made.status_code == 200, made.text

            def stored() -> Message | None:
                rt.jobs.drain(1)
                with rt.db.session() as s:
                    found = s.scalars(
                        select(Message).where(Message.text == "상자가 찌그러져 왔어요")
                    ).first()
                    if found is not None:
                        s.expunge(found)
                    return found

            message = wait_for_value(stored)
            assert message is not None, "the WhatsApp message never reached the inbox"

            def downloaded() -> str | None:
                rt.jobs.drain(1)
                with rt.db.session() as s:
                    row = s.scalars(
                        select(Attachment).where(Attachment.message_id == message.id)
                    ).first()
                    return row.sha256 if row is not None else None

            assert wait_for_value(downloaded) == hashlib.sha256(PNG).hexdigest()
            status = reply_and_wait_delivered(
                base, rt, message.conversation_id, "교환해 드리겠습니다.", headers
            )
            assert status == "delivered"
            sent = requests.get(f"{emu}/_emu/whatsapp/sent", timeout=10).json()
            assert [m["body"]["text"]["body"] for m in sent] == ["교환해 드리겠습니다."]
