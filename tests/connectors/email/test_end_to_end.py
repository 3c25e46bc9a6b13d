"""Email end to end: dovecot → the real poll job → database → API reply → aiosmtpd → back.

A customer's mail becomes a conversation; the agent's reply leaves with the right threading
headers; the customer's answer, a bounce and an out-of-office all land where they belong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select

from inbox.models import ChannelAccount, Conversation, InboundDelivery, Message
from tests.support.dovecot import Dovecot
from tests.support.smtp import SmtpServer
from workers.poll import poll_account

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS = "help@seoulsupps.example"
FIRST_ID = "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>"
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def deliver(dovecot: Dovecot, *messages: bytes) -> None:
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False)
    client.login(dovecot.user, dovecot.password)
    for raw in messages:
        client.append("INBOX", raw)
    client.logout()


def fixture(name: str, *replacements: tuple[str, str]) -> bytes:
    raw = (FIXTURES / name).read_bytes()
    for old, new in replacements:
        raw = raw.replace(old.encode(), new.encode())
    return raw


@pytest.fixture
def mailbox(factory: Any, dovecot: Dovecot, smtp_server: SmtpServer) -> ChannelAccount:
    return factory.account(  # type: ignore[no-any-return]
        "email",
        connector="email",
        external_id=ADDRESS,
        credentials={"imap_password": dovecot.password, "smtp_password": smtp_server.password},
        options={
            **dovecot.options(),
            **smtp_server.options(),
            "from_name": "서울서플 고객센터",
            "signature": "서울서플 고객센터 1588-0000",
        },
    )


def reply_via_api(client: Any, factory: Any, mailbox: ChannelAccount, conversation_id: int) -> Any:
    agent = factory.user("agent", inboxes=[mailbox.id])
    headers = {"Authorization": f"Bearer {factory.token(agent)}"}
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "고객님, 주문하신 오메가3는 내일 출고됩니다.\n감사합니다."},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    return headers


def messages_of(rt: Any, conversation_id: int) -> list[Message]:
    with rt.db.session() as s:
        rows = s.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        ).all()
        s.expunge_all()
        return list(rows)


@BOTH
def test_mail_conversation_reply_answer_bounce_and_auto_reply(
    rt: Any, client: Any, factory: Any, dovecot: Dovecot, smtp_server: SmtpServer, mailbox: Any
) -> None:
    # 1. The customer's mail becomes a conversation.
    deliver(dovecot, fixture("01_plain_utf8_ko_order.eml"))
    assert poll_account(mailbox.id) == 1
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation)).one()
        conversation_id = conversation.id
        assert conversation.subject == "주문번호 2026112400317 배송 문의"
        assert conversation.participant_key == "minho.kim@example.com"
        first = s.scalars(select(Message)).one()
        assert first.external_id == FIRST_ID
        assert first.text is not None and "주문번호 2026112400317" in first.text
    assert poll_account(mailbox.id) == 0  # the cursor moved with the message

    # 2. The agent answers through the API; the mail leaves with threading headers.
    headers = reply_via_api(client, factory, mailbox, conversation_id)
    assert rt.jobs.drain()
    (sent,) = smtp_server.wait_for(1)
    mail = sent.message
    ours = messages_of(rt, conversation_id)[-1]
    assert ours.direction == "outbound" and ours.status == "sent"
    assert mail["Message-ID"] == ours.external_id == f"<{ours.uuid}@seoulsupps.example>"
    assert mail["In-Reply-To"] == FIRST_ID
    assert mail["References"] == FIRST_ID
    assert mail["Subject"] == "Re: 주문번호 2026112400317 배송 문의"
    assert mail["From"].addresses[0].addr_spec == ADDRESS
    assert sent.rcpt_tos == ["minho.kim@example.com"]
    assert "내일 출고됩니다" in mail.get_body(("plain",)).get_content()
    assert mail.get_body(("html",)) is not None

    # 3. Our own copy coming back (Bcc/Sent) is matched, not re-ingested.
    deliver(dovecot, sent.data)
    poll_account(mailbox.id)
    assert len(messages_of(rt, conversation_id)) == 2

    # 3b. An agent answering from an outside mail client still threads, stored as outbound.
    outside = (
        f"From: Seoul Supps <{ADDRESS}>\r\nTo: minho.kim@example.com\r\n"
        "Subject: Re: 주문번호 2026112400317 배송 문의\r\n"
        "Date: Wed, 25 Nov 2026 18:00:00 +0900\r\n"
        f"Message-ID: <outside-1@seoulsupps.example>\r\nIn-Reply-To: {FIRST_ID}\r\n"
        f"References: {FIRST_ID}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "휴대폰 메일 앱에서 보낸 답장입니다.\r\n"
    ).encode()
    deliver(dovecot, outside)
    poll_account(mailbox.id)
    thread = messages_of(rt, conversation_id)
    assert [m.direction for m in thread] == ["inbound", "outbound", "outbound"]
    assert thread[-1].external_id == "<outside-1@seoulsupps.example>"
    assert thread[-1].text == "휴대폰 메일 앱에서 보낸 답장입니다."

    # 4. The customer's answer threads into the same conversation, quote stripped.
    answer = (
        "From: =?utf-8?b?6rmA66+87Zi4?= <minho.kim@example.com>\r\n"
        f"To: {ADDRESS}\r\nSubject: Re: {mail['Subject']}\r\n"
        "Date: Wed, 25 Nov 2026 19:00:00 +0900\r\n"
        f"Message-ID: <answer-1@mail.example.com>\r\nIn-Reply-To: {ours.external_id}\r\n"
        f"References: {FIRST_ID} {ours.external_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "네 감사합니다!\r\n\r\n-----원본 메시지-----\r\n보낸 사람: 고객센터\r\n예전 내용\r\n"
    ).encode()
    deliver(dovecot, answer)
    assert poll_account(mailbox.id) == 1
    thread = messages_of(rt, conversation_id)
    assert [m.direction for m in thread] == ["inbound", "outbound", "outbound", "inbound"]
    assert thread[-1].text == "네 감사합니다!"
    assert "예전 내용" in str(thread[-1].meta["full_text"])

    # 5. A bounce of our reply marks it failed with the reason.
    bounce = ("<case-8841.1763619040@seoulsupps.example>", ours.external_id or "")
    deliver(dovecot, fixture("11_bounce_dsn.eml", bounce))
    poll_account(mailbox.id)
    bounced = next(m for m in messages_of(rt, conversation_id) if m.id == ours.id)
    assert bounced.status == "failed"
    assert bounced.failure_reason is not None and "5.1.1" in bounced.failure_reason

    # 6. Resolved, then an out-of-office arrives: stored, but the case stays resolved.
    response = client.patch(
        f"/api/v1/conversations/{conversation_id}", json={"status": "resolved"}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    ooo = fixture(
        "10_auto_reply_ooo.eml",
        ("<case-8835.1763618000@seoulsupps.example>", ours.external_id or ""),
        ("yuna.jung@example.com", "minho.kim@example.com"),
    )
    deliver(dovecot, ooo)
    poll_account(mailbox.id)
    with rt.db.session() as s:
        conversation = s.get(Conversation, conversation_id)
        assert conversation is not None and conversation.status == "resolved"
        auto = s.scalars(
            select(Message).where(Message.external_id == "<auto.20261125150002.yuna@example.com>")
        ).one()
        assert auto.conversation_id == conversation_id
        assert auto.meta.get("auto_generated") is True
        assert s.scalar(select(func.count()).select_from(Conversation)) == 1

    # 7. A real answer from the customer reopens it.
    again = answer.replace(b"<answer-1@mail.example.com>", b"<answer-2@mail.example.com>")
    deliver(dovecot, again.replace("네 감사합니다!".encode(), "아직 안 왔어요.".encode()))
    assert poll_account(mailbox.id) == 1
    with rt.db.session() as s:
        conversation = s.get(Conversation, conversation_id)
        assert conversation is not None and conversation.status == "open"


def test_whole_corpus_through_the_poll_job_and_uidvalidity_reset(
    rt: Any, dovecot: Dovecot, mailbox: Any
) -> None:
    deliver(dovecot, *(p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))))
    poll_account(mailbox.id)
    with rt.db.session() as s:
        stored = s.scalar(select(func.count()).select_from(Message))
        texts = list(s.scalars(select(Message.text)))
    # 16 mails: the bounce is for a message this database never sent, so it is only a note.
    assert stored == 15
    assert all("\ufffd" not in (t or "") for t in texts)
    old = dovecot.doveadm("mailbox", "status", "-u", dovecot.user, "uidvalidity", "INBOX")
    dovecot.set_uidvalidity("INBOX", int(old.split("=")[1]) + 7)
    poll_account(mailbox.id)
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == stored
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 0


def test_a_broken_mail_is_stored_as_rejected_and_the_rest_arrive(
    rt: Any, dovecot: Dovecot, mailbox: Any
) -> None:
    deliver(dovecot, b"no header here\r\n", fixture("15_plain_en_password_reset.eml"))
    assert poll_account(mailbox.id) == 1
    with rt.db.session() as s:
        (rejected,) = s.scalars(select(InboundDelivery)).all()
        assert rejected.status == "rejected" and rejected.connector == "email"
        assert "unparseable" in (rejected.reason or "")
        assert rejected.body.startswith(b"no header here")
        assert s.scalar(select(Message.text)).startswith("Hi,")
