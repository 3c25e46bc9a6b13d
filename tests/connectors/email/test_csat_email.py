"""CSAT by email end to end (issue 20): dovecot → poll → resolve → the survey leaves over SMTP
with five signed one-click links → the public page confirms (a GET records nothing) → the
POST records once; a typed "5" mailed back is captured by the batched mail ingest without
reopening the case, and an ordinary mail still reopens it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from inbox import csat_schedule
from inbox.csat_links import BadLink, sign, verify
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.reports import CsatSurvey
from tests.connectors.email import test_end_to_end as e2e
from tests.connectors.email.test_end_to_end import ADDRESS, deliver, fixture
from tests.support.dovecot import Dovecot
from tests.support.smtp import SmtpServer
from workers.csat import send_due_surveys
from workers.poll import poll_account

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
LINK = re.compile(r"(http://\S+/csat/\S+\?r=([1-5]))")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
mailbox = e2e.mailbox  # the same mailbox fixture: dovecot in, aiosmtpd out


def _survey(rt: Any, conversation_id: int) -> CsatSurvey:
    with rt.db.session() as s:
        survey = s.scalars(
            select(CsatSurvey).where(CsatSurvey.conversation_id == conversation_id)
        ).one()
        s.expunge(survey)
        return survey


def _conversation(rt: Any, conversation_id: int) -> Conversation:
    with rt.db.session() as s:
        row = s.get(Conversation, conversation_id)
        assert row is not None
        s.expunge(row)
        return row


def _mail_from_customer(message_id: str, in_reply_to: str, body: str) -> bytes:
    return (
        f"From: Minho Kim <minho.kim@example.com>\r\nTo: {ADDRESS}\r\n"
        "Subject: Re: 주문번호 2026112400317 배송 문의\r\n"
        "Date: Wed, 25 Nov 2026 19:00:00 +0900\r\n"
        f"Message-ID: {message_id}\r\nIn-Reply-To: {in_reply_to}\r\n"
        f"References: {in_reply_to}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n\r\n-----원본 메시지-----\r\n보낸 사람: 고객센터\r\n예전 내용\r\n"
    ).encode()


def _resolve_and_survey(
    rt: Any, client: Any, factory: Any, dovecot: Dovecot, mailbox: ChannelAccount, smtp: SmtpServer
) -> tuple[int, Any]:
    """Surveys on for the mailbox; an order mail polled in, its conversation resolved and the
    survey mailed: (conversation id, the survey mail)."""
    with rt.db.session() as s:
        row = s.get(ChannelAccount, mailbox.id)
        assert row is not None
        csat_schedule.set_config(row, csat_schedule.Config(enabled=True, delay_minutes=0))
    deliver(dovecot, fixture("01_plain_utf8_ko_order.eml"))
    assert poll_account(mailbox.id) == 1
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
        assert conversation is not None
        cid = conversation.id
    admin = factory.user("admin")
    headers = {"Authorization": f"Bearer {factory.token(admin)}"}
    done = client.patch(
        f"/api/v1/conversations/{cid}", json={"status": "resolved"}, headers=headers
    )
    assert done.status_code == 200, done.get_json()
    assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert rt.jobs.drain()
    assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 0  # only once
    return cid, smtp.wait_for(1)[0]


@BOTH
def test_email_survey_links_confirm_then_record_once(
    rt: Any, client: Any, factory: Any, dovecot: Dovecot, smtp_server: SmtpServer, mailbox: Any
) -> None:
    cid, sent = _resolve_and_survey(rt, client, factory, dovecot, mailbox, smtp_server)

    mail = sent.message
    assert sent.rcpt_tos == ["minho.kim@example.com"]
    assert mail["Subject"].startswith("Re: ")
    body = mail.get_body(("plain",)).get_content()
    links = LINK.findall(body)
    assert [r for _, r in links] == ["1", "2", "3", "4", "5"]
    assert all(url.startswith("http://127.0.0.1:5000/csat/") for url, _ in links)
    survey = _survey(rt, cid)
    assert survey.status == "sent" and survey.message_id is not None

    four = urlsplit(links[3][0])
    page = client.get(f"{four.path}?{four.query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="4" required checked' in html
    assert _survey(rt, cid).status == "sent"  # opening a link (a mail scanner) records nothing

    token = four.path.rsplit("/", 1)[1]
    refused = client.post(four.path, data={"rating": "4"})
    assert refused.status_code == 400  # no CSRF token: a forged cross-site post
    assert _survey(rt, cid).status == "sent"
    csrf = CSRF.search(html)
    assert csrf is not None
    form = {"rating": "4", "comment": "메일로 빨리 답해 주셨어요", "csrf_token": csrf.group(1)}
    saved = client.post(four.path, data=form)
    assert saved.status_code == 200
    assert 'data-rating="4"' in saved.get_data(as_text=True)
    survey = _survey(rt, cid)
    assert (survey.status, survey.rating, survey.comment) == ("answered", 4, form["comment"])

    again = client.post(four.path, data={**form, "rating": "1", "comment": "다시"})
    assert again.status_code == 200
    survey = _survey(rt, cid)
    assert (survey.rating, survey.comment) == (4, form["comment"])  # first answer stands
    assert _conversation(rt, cid).status == "resolved"
    with rt.db.session() as s:
        events = list(
            s.scalars(
                select(Message.text).where(Message.conversation_id == cid, Message.kind == "event")
            )
        )
    assert events.count("Customer rated the conversation 4/5") == 1

    # Altered, foreign or expired links find nothing.
    assert client.get(f"/csat/{token[:-2]}xx?r=5").status_code == 404
    survey_id = survey.id
    assert (
        client.get(f"/csat/{survey_id + 1}.{token.split('.')[1]}.{token.split('.')[2]}").status_code
        == 404
    )
    past = sign("test-secret-key", survey_id, datetime.now(UTC) - timedelta(minutes=1))
    assert client.get(f"/csat/{past}?r=5").status_code == 404
    other = sign("another-deployment", survey_id, datetime.now(UTC) + timedelta(days=1))
    assert client.get(f"/csat/{other}").status_code == 404
    with pytest.raises(BadLink, match="expired"):
        verify("test-secret-key", past, datetime.now(UTC))


@BOTH
def test_a_typed_rating_by_mail_is_captured_and_other_mail_reopens(
    rt: Any, client: Any, factory: Any, dovecot: Dovecot, smtp_server: SmtpServer, mailbox: Any
) -> None:
    cid, sent = _resolve_and_survey(rt, client, factory, dovecot, mailbox, smtp_server)
    question = sent.message["Message-ID"]

    # The rating and its comment arrive in one poll page: the batched path records both.
    deliver(
        dovecot,
        _mail_from_customer("<rate-1@mail.example.com>", question, "5점"),
        _mail_from_customer("<rate-2@mail.example.com>", question, "친절했어요"),
    )
    assert poll_account(mailbox.id) == 2
    survey = _survey(rt, cid)
    assert (survey.status, survey.rating, survey.comment) == ("answered", 5, "친절했어요")
    conversation = _conversation(rt, cid)
    assert conversation.status == "resolved" and conversation.reopen_count == 0
    assert conversation.waiting_since is None  # an answer starts no response clock

    deliver(dovecot, _mail_from_customer("<more-1@mail.example.com>", question, "하나 더 있어요"))
    assert poll_account(mailbox.id) == 1
    conversation = _conversation(rt, cid)
    assert conversation.status == "open" and conversation.reopen_count == 1
