"""Replies through a real SMTP server (aiosmtpd): headers, parts, attachments, error mapping."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from connectors.base import (
    AccountConfig,
    Attachment,
    ConversationKind,
    EventKind,
    OutboundReply,
    Participant,
    PermanentSendError,
    ReauthRequired,
    RetryableSendError,
)
from connectors.email import EmailConnector
from connectors.email.parse import parse_message
from tests.support.servers import free_port
from tests.support.smtp import SmtpServer

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS = "help@seoulsupps.example"
PARENT = "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Je-reply@mail.example.com>"


@pytest.fixture
def sender(smtp_server: SmtpServer) -> AccountConfig:
    return AccountConfig(
        id=1,
        external_id=ADDRESS,
        credentials={"smtp_password": smtp_server.password},
        options=smtp_server.options(
            from_name="서울서플 고객센터", signature="서울서플 고객센터\n1588-0000"
        ),
    )


def a_reply(**changes: object) -> OutboundReply:
    reply = OutboundReply(
        message_uuid="7b3e9c1a-4f2d-4e8a-9b6c-0d1e2f3a4b5c",
        conversation_kind=ConversationKind.EMAIL,
        thread_key="<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>",
        recipient=Participant(
            external_id="minho.kim@example.com", name="김민호", email="minho.kim@example.com"
        ),
        text="고객님, 주문번호 2026112400317은 금요일 도착 예정입니다.\n감사합니다.",
        in_reply_to=PARENT,
        references=(
            "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>",
            "<case-8812.1763532720@seoulsupps.example>",
        ),
        subject="RE: Re: [서울서플] 문의하신 주문 2026112400317 안내",
        cc=("manager@seoulsupps.example",),
        attachments=(
            Attachment(
                kind="file",
                filename="교환안내.pdf",
                content_type="application/pdf",
                data=b"%PDF-1.4 test",
            ),
        ),
    )
    return replace(reply, **changes)  # type: ignore[arg-type]


def test_reply_arrives_with_threading_headers_parts_and_attachment(
    smtp_server: SmtpServer, sender: AccountConfig
) -> None:
    result = EmailConnector({}).send(sender, a_reply())
    (got,) = smtp_server.wait_for(1)
    msg = got.message
    expected_id = "<7b3e9c1a-4f2d-4e8a-9b6c-0d1e2f3a4b5c@seoulsupps.example>"
    assert result.external_id == expected_id
    assert msg["Message-ID"] == expected_id
    assert msg["In-Reply-To"] == PARENT
    assert msg["References"].split() == [
        "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>",
        "<case-8812.1763532720@seoulsupps.example>",
        PARENT,
    ]
    assert msg["Subject"] == "Re: [서울서플] 문의하신 주문 2026112400317 안내"
    assert msg["From"].addresses[0].addr_spec == ADDRESS
    assert msg["From"].addresses[0].display_name == "서울서플 고객센터"
    assert msg["To"].addresses[0].addr_spec == "minho.kim@example.com"
    assert msg["Cc"] == "manager@seoulsupps.example"
    assert msg["X-Switchboard-Message-UUID"] == "7b3e9c1a-4f2d-4e8a-9b6c-0d1e2f3a4b5c"
    assert "Auto-Submitted" not in msg
    assert got.mail_from == ADDRESS
    assert sorted(got.rcpt_tos) == ["manager@seoulsupps.example", "minho.kim@example.com"]
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    text = plain.get_content().replace("\r\n", "\n")
    assert "2026112400317은 금요일 도착 예정입니다." in text
    assert "-- \n서울서플 고객센터\n1588-0000" in text
    assert "금요일 도착 예정입니다.<br>" in html.get_content()
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "교환안내.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"


def test_our_sent_mail_comes_back_as_an_echo_and_the_answer_threads(
    smtp_server: SmtpServer, sender: AccountConfig
) -> None:
    EmailConnector({}).send(sender, a_reply())
    (got,) = smtp_server.wait_for(1)
    echo = parse_message(got.data, ADDRESS)
    assert echo.kind is EventKind.ECHO
    assert echo.outbound_ref == "7b3e9c1a-4f2d-4e8a-9b6c-0d1e2f3a4b5c"
    ours = echo.external_id
    answer = (
        "From: =?utf-8?b?6rmA66+87Zi4?= <minho.kim@example.com>\r\n"
        f"To: {ADDRESS}\r\nSubject: Re: {got.message['Subject']}\r\n"
        f"Message-ID: <answer-1@mail.example.com>\r\nIn-Reply-To: {ours}\r\n"
        f"References: {got.message['References']} {ours}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode() + "네 감사합니다!\r\n\r\n-----Original Message-----\r\n예전 내용".encode()
    event = parse_message(answer, ADDRESS)
    assert event.kind is EventKind.MESSAGE
    assert event.references[-1] == ours
    assert event.references[0] == "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>"
    assert event.text == "네 감사합니다!"


def test_message_id_is_stable_across_retries(
    smtp_server: SmtpServer, sender: AccountConfig
) -> None:
    connector = EmailConnector({})
    first = connector.send(sender, a_reply())
    second = connector.send(sender, a_reply(attempt=2))
    assert first.external_id == second.external_id
    ids = [r.message["Message-ID"] for r in smtp_server.wait_for(2)]
    assert ids[0] == ids[1]


def test_new_mail_without_thread_has_no_re_and_automatic_mail_is_marked(
    smtp_server: SmtpServer, sender: AccountConfig
) -> None:
    EmailConnector({}).send(
        sender,
        a_reply(in_reply_to=None, references=(), subject="배송 안내", human_agent=False, cc=()),
    )
    msg = smtp_server.wait_for(1)[0].message
    assert msg["Subject"] == "배송 안내"
    assert "In-Reply-To" not in msg and "References" not in msg
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"


def test_smtp_errors_map_to_the_shared_exceptions(
    smtp_server: SmtpServer, sender: AccountConfig
) -> None:
    connector = EmailConnector({})
    nobody = Participant(external_id="reject-x@example.net", email="reject-x@example.net")
    with pytest.raises(PermanentSendError, match="550"):
        connector.send(sender, a_reply(recipient=nobody, cc=()))
    later = Participant(external_id="defer-x@example.net", email="defer-x@example.net")
    with pytest.raises(RetryableSendError, match="451"):
        connector.send(sender, a_reply(recipient=later, cc=()))
    with pytest.raises(PermanentSendError, match="recipient refused"):
        connector.send(sender, a_reply(recipient=nobody, cc=("ok@example.net",)))
    wrong = replace(sender, credentials={"smtp_password": "wrong"})
    with pytest.raises(ReauthRequired):
        connector.send(wrong, a_reply())
    dead = replace(sender, options={**sender.options, "smtp_port": free_port()})
    with pytest.raises(RetryableSendError):
        connector.send(dead, a_reply())
    no_data = a_reply(attachments=(Attachment(kind="file", url="https://x.example/a.pdf"),))
    with pytest.raises(PermanentSendError, match="no data"):
        connector.send(sender, no_data)


def test_test_connection_reports_problems(
    smtp_server: SmtpServer, sender: AccountConfig, account: AccountConfig
) -> None:
    connector = EmailConnector({})
    both = AccountConfig(
        id=1,
        external_id=ADDRESS,
        credentials={**account.credentials, **sender.credentials},
        options={**account.options, **sender.options},
    )
    assert connector.check_connection(both).problems == ()
    assert connector.check_connection(both).identity == ADDRESS
    broken = replace(
        both,
        credentials={"imap_password": "bad", "smtp_password": "bad"},
        options={**both.options, "mailboxes": "INBOX,Nope"},
    )
    problems = connector.check_connection(broken).problems
    assert len(problems) == 2
    assert problems[0].startswith("IMAP:") and problems[1].startswith("SMTP:")
    missing = replace(both, options={**both.options, "mailboxes": "INBOX,Nope"})
    assert connector.check_connection(missing).problems == ("IMAP: mailbox 'Nope' does not exist",)


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_send_over_tls_verifying_the_server(mode: str) -> None:
    from tests.support.smtp import running_smtp

    with running_smtp(user=ADDRESS, tls=mode) as server:
        account = AccountConfig(
            id=1,
            external_id=ADDRESS,
            credentials={"smtp_password": server.password},
            options=server.options(),
        )
        EmailConnector({}).send(account, a_reply(cc=()))
        (got,) = server.wait_for(1)
        assert got.message["Message-ID"].startswith("<7b3e9c1a")
        untrusted = replace(
            account, options={**account.options, "tls_ca_file": "", "smtp_port": server.port}
        )
        with pytest.raises(RetryableSendError):
            EmailConnector({}).send(untrusted, a_reply(cc=()))
