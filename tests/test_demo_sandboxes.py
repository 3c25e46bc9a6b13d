"""`switchboard demo` end to end: the inbox with the Meta and X emulators mounted in one
server, driven as a customer and as an agent would, over loopback HTTP."""

from __future__ import annotations

import requests
from sqlalchemy import select

from cli.demo import demo_app
from inbox.access import visible_account_ids
from inbox.models import ChannelAccount, Conversation, Message, User
from tests.support.demo import prepared_demo, wait_for_value
from tests.support.servers import serve_wsgi
from workers.poll import poll_account


def test_customer_dm_and_mention_reach_the_inbox_and_replies_go_back(tmp_path, monkeypatch):
    with prepared_demo(tmp_path, monkeypatch) as demo:
        info, port, rt = demo.info, demo.port, demo.runtime
        headers = {"Authorization": f"Bearer {info['token']}"}
        with serve_wsgi(demo_app(rt), port=port) as base:
            dm = requests.post(
                f"{base}/sandbox/meta/_emu/customers/dm",
                json={"text": "데모에서 보낸 문의: 배송 언제 와요?", "name": "김데모"},
                timeout=30,
            )
            assert dm.status_code == 200, dm.text

            def conversation_of(text: str):
                with rt.db.session() as s:
                    return s.scalars(
                        select(Message.conversation_id).where(Message.text == text)
                    ).first()

            cid = wait_for_value(
                lambda: rt.jobs.drain(1) and conversation_of("데모에서 보낸 문의: 배송 언제 와요?")
            )
            assert cid, "the customer's DM never reached the inbox"
            with rt.db.session() as s:
                account = s.get(Conversation, cid).account
                assert account.connector == "facebook"
                mina = s.scalars(select(User).where(User.email == "mina@seoulsupps.example")).one()
                assert account.id in visible_account_ids(s, mina)  # the demo agents can work it
            reply = requests.post(
                f"{base}/api/v1/conversations/{cid}/messages",
                json={"text": "내일 출고 예정입니다."},
                headers=headers,
                timeout=30,
            )
            assert reply.status_code == 201, reply.text
            assert wait_for_value(
                lambda: (
                    rt.jobs.drain(1)
                    and _status(rt, reply.json()["id"]) in ("sent", "delivered", "read")
                )
            )
            calls = requests.get(
                f"{base}/sandbox/meta/_emu/requests",
                params={"path": "/messages", "method": "POST"},
                timeout=30,
            ).json()
            assert any("내일 출고 예정입니다." in str(c) for c in calls)

            mention = requests.post(
                f"{base}/sandbox/x/_emu/mentions",
                json={"text": "데모 멘션: 환불 어떻게 해요?", "from": "1402233445566778899"},
                timeout=30,
            )
            assert mention.status_code == 200, mention.text
            with rt.db.session() as s:
                x_id = s.scalars(
                    select(ChannelAccount.id).where(ChannelAccount.connector == "x")
                ).one()
            poll_account(x_id)
            with rt.db.session() as s:
                texts = list(
                    s.scalars(select(Message.text).where(Message.text.like("%데모 멘션%")))
                )
            assert texts and "환불 어떻게 해요?" in texts[0]


def _status(rt, message_id: int) -> str | None:
    with rt.db.session() as s:
        return s.get(Message, message_id).status
