"""MIME edge cases beyond the corpus: charsets, encoded-words, trees, markers, classification."""

from __future__ import annotations

import base64
from email.utils import getaddresses

import pytest

from connectors.base import EventKind
from connectors.email import normalize_subject
from connectors.email.mime import decode_bytes, decode_header_value
from connectors.email.parse import _mailboxes, parse_message
from connectors.email.quotes import split_reply
from connectors.email.subjects import has_reply_prefix, reply_subject

ACCOUNT = "help@seoulsupps.example"
KOREAN = "똠방각하 햏 쀍 주문 문의"


def mail(headers: str, body: bytes) -> bytes:
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def test_undeclared_8bit_cp949_body_falls_back() -> None:
    raw = mail("From: a@example.com\nSubject: x\nMessage-ID: <u1@x>", KOREAN.encode("cp949"))
    assert parse_message(raw, ACCOUNT).text == KOREAN


def test_mislabelled_ascii_utf8_body_falls_back() -> None:
    raw = mail(
        'From: a@example.com\nMessage-ID: <u2@x>\nContent-Type: text/plain; charset="us-ascii"',
        KOREAN.encode(),
    )
    assert parse_message(raw, ACCOUNT).text == KOREAN


def test_euc_kr_label_with_cp949_only_syllables() -> None:
    assert decode_bytes(KOREAN.encode("cp949"), "euc-kr") == KOREAN
    assert decode_bytes(KOREAN.encode("cp949"), "ks_c_5601-1987") == KOREAN
    assert decode_bytes(KOREAN.encode("cp949"), "x-windows-949") == KOREAN
    assert decode_bytes(b"abc", "no-such-charset") == "abc"


def test_encoded_words_split_inside_a_character_are_joined() -> None:
    data = "한글제목".encode()
    first, second = data[:4], data[4:]  # splits the second syllable
    value = (
        f"=?UTF-8?B?{base64.b64encode(first).decode()}?=\r\n"
        f" =?UTF-8?B?{base64.b64encode(second).decode()}?="
    )
    assert decode_header_value(value) == "한글제목"


def test_encoded_words_keep_spaces_of_plain_text_between_them() -> None:
    value = (
        "Re: =?UTF-8?Q?=ED=95=9C?= and =?cp949?B?"
        + base64.b64encode("똠".encode("cp949")).decode()
        + "?="
    )
    assert decode_header_value(value) == "Re: 한 and 똠"


def test_raw_8bit_headers() -> None:
    raw = "Subject: 배송 문의\r\nFrom: 홍길동 <gd@example.com>\r\n\r\nhi".encode()
    event = parse_message(raw, ACCOUNT)
    assert event.subject == "배송 문의"
    assert event.customer is not None and event.customer.name == "홍길동"
    cp949 = "Subject: 똠 문의\r\nFrom: gd@example.com\r\n\r\nhi".encode("cp949")
    assert parse_message(cp949, ACCOUNT).subject == "똠 문의"


def test_related_inline_image_nested_forward_and_rfc2231_continuation() -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    raw = mail(
        """
From: Kim <kim@example.com>
Message-ID: <tree@x>
Content-Type: multipart/mixed; boundary=OUT
""",
        b"""--OUT\r
Content-Type: multipart/related; boundary=REL\r
\r
--REL\r
Content-Type: multipart/alternative; boundary=ALT\r
\r
--ALT\r
Content-Type: text/plain; charset=utf-8\r
\r
\xec\x82\xac\xec\xa7\x84 \xec\xb2\xa8\xeb\xb6\x80\xed\x95\xa9\xeb\x8b\x88\xeb\x8b\xa4\r
--ALT\r
Content-Type: text/html; charset=utf-8\r
\r
<p>\xec\x82\xac\xec\xa7\x84</p><img src="cid:img1@x">\r
--ALT--\r
--REL\r
Content-Type: image/png\r
Content-ID: <img1@x>\r
Content-Transfer-Encoding: base64\r
\r
"""
        + base64.b64encode(png)
        + b"""\r
--REL--\r
--OUT\r
Content-Type: application/octet-stream\r
Content-Disposition: attachment;\r
 filename*0*=UTF-8''%EC%A3%BC%EB%AC%B8;\r
 filename*1*=%EB%82%B4%EC%97%AD.txt\r
\r
data\r
--OUT\r
Content-Type: message/rfc822\r
Content-Disposition: attachment\r
\r
From: other@example.com\r
Subject: forwarded one\r
\r
inner body\r
--OUT--\r
""",
    )
    event = parse_message(raw, ACCOUNT)
    assert event.text == "사진 첨부합니다"
    assert event.html is not None and "cid:img1@x" in event.html
    image, text_file, forwarded = event.attachments
    assert image.data == png and image.kind == "image"
    assert image.extra == {"content_id": "img1@x", "inline": True}
    assert text_file.filename == "주문내역.txt" and text_file.data == b"data"
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename == "forwarded one.eml"
    assert forwarded.data is not None and b"inner body" in forwarded.data


@pytest.mark.parametrize(
    "quoted",
    [
        "-----원본 메시지-----\n보낸 사람: 고객센터 <help@seoulsupps.example>\n이전 내용",
        "--------- 원본 메일 ---------\n보낸사람: help@seoulsupps.example\n이전 내용",
        "보낸 사람: 고객센터 <help@seoulsupps.example>\n보낸 날짜: 2026년 11월 24일\n제목: 안내",
        "From: Help <help@seoulsupps.example>\nSent: Tuesday, November 24, 2026 4:10 PM\nx",
        "On Tue, Nov 24, 2026 at 3:12 PM Seoul Supps <help@seoulsupps.example>\nwrote:\n> old",
        "2026년 11월 19일 (목) 오후 3:12, 고객센터 <help@seoulsupps.example>님이 작성:\n> 이전",
        "---------- Forwarded message ---------\nFrom: x",
        "> 이전 답변입니다\n>\n> 감사합니다",
        "________________________________\nFrom: Help <help@seoulsupps.example>\nSent: x",
    ],
)
def test_quote_markers(quoted: str) -> None:
    assert split_reply(f"새 답장입니다.\n\n{quoted}") == "새 답장입니다."


def test_interleaved_quotes_are_kept_and_from_lines_alone_do_not_cut() -> None:
    text = "> 주문번호가 뭔가요?\n2026112400317 입니다.\nFrom: 서울 to 부산"
    assert split_reply(text) == text
    signed = "배송 문의입니다.\n____________\n김민호 | 010-0000-1234"
    assert split_reply(signed) == signed


def test_gmail_html_quote_is_cut_when_there_is_no_text_part() -> None:
    raw = mail(
        "From: a@example.com\nMessage-ID: <h@x>\nContent-Type: text/html; charset=utf-8",
        '<div>네 확인했습니다</div><div class="gmail_quote">이전 메일 <b>본문</b></div>'.encode(),
    )
    event = parse_message(raw, ACCOUNT)
    assert event.text == "네 확인했습니다"
    assert "이전 메일 본문" in str(event.extra["full_text"])


def test_our_own_mail_is_an_echo_naming_our_outbound_message() -> None:
    raw = mail(
        "From: Seoul Supps <Help@SeoulSupps.example>\nTo: Kim <kim@example.com>\n"
        "Message-ID: <uuid-1@seoulsupps.example>\nX-Switchboard-Message-UUID: uuid-1",
        b"reply",
    )
    event = parse_message(raw, ACCOUNT)
    assert event.kind is EventKind.ECHO
    assert event.outbound_ref == "uuid-1"
    assert event.customer is not None and event.customer.email == "kim@example.com"
    assert not event.auto_generated


def test_delayed_dsn_is_a_note_not_a_failure() -> None:
    raw = mail(
        "From: MAILER-DAEMON@mx.example\nMessage-ID: <dsn2@x>\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        b"--B\r\nContent-Type: text/plain\r\n\r\nstill trying\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; slow@example.net\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
        b"\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"Message-ID: <ours@x>\r\n\r\n--B--\r\n",
    )
    event = parse_message(raw, ACCOUNT)
    assert event.kind is EventKind.MESSAGE
    assert event.auto_generated
    assert event.extra["dsn"]["permanent"] is False
    assert event.extra["dsn"]["status"] == "4.4.1"
    assert event.extra["auto_reasons"] == ["delivery report"]


@pytest.mark.parametrize(
    "header",
    [
        "X-Autoreply: yes",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: list",
        "Auto-Submitted: auto-generated",
        "List-Id: <news.example.com>",
    ],
)
def test_auto_generated_signals(header: str) -> None:
    raw = mail(f"From: a@example.com\nMessage-ID: <a@x>\n{header}", b"x")
    assert parse_message(raw, ACCOUNT).auto_generated


@pytest.mark.parametrize("subject", ["자동 회신: 문의", "Automatic reply: hi", "Out of Office: x"])
def test_out_of_office_subjects(subject: str) -> None:
    raw = mail(f"From: a@example.com\nMessage-ID: <a@x>\nSubject: {subject}", b"x")
    assert parse_message(raw, ACCOUNT).auto_generated


def test_auto_submitted_no_is_a_person() -> None:
    raw = mail("From: a@example.com\nMessage-ID: <a@x>\nAuto-Submitted: no", b"x")
    assert not parse_message(raw, ACCOUNT).auto_generated


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: RE: 회신: [서울서플] 문의", "[서울서플] 문의"),
        ("Fwd: 전달: 답장:  배송   문의", "배송 문의"),
        ("RE[2]: FW: hello", "hello"),
        ("Re： 전각 콜론", "전각 콜론"),
        ("Report: not a prefix", "Report: not a prefix"),
        (None, ""),
    ],
)
def test_normalize_subject(subject: str | None, expected: str) -> None:
    assert normalize_subject(subject) == expected


def test_reply_subject_never_stacks() -> None:
    assert reply_subject("RE: Re: 문의") == "Re: 문의"
    assert reply_subject("문의") == "Re: 문의"


@pytest.mark.parametrize(
    "subject",
    [
        "Re: 문의",
        "RE: 문의",
        "Fwd: 문의",
        "FW: 문의",
        "AW: x",
        "SV: x",
        "회신: 배송 문의",
        "답장: 배송 문의",
        "전달: 배송 문의",
        "RE[2]: x",
        "Re： 전각",
        "  re : spaced",
        "자동 회신: 문의",
        "Automatic reply: hi",
    ],
)
def test_reply_and_forward_subjects_may_thread_by_subject(subject: str) -> None:
    assert has_reply_prefix(subject)


@pytest.mark.parametrize(
    "subject",
    ["배송 문의", "[서울서플] 주문 문의", "Report: not a prefix", "Reply needed", "", None],
)
def test_other_subjects_never_thread_by_subject(subject: str | None) -> None:
    assert not has_reply_prefix(subject)


# Mailbox headers as senders write them: the simple ones parse.py reads with its own regex,
# and their near misses that must still reach email.utils.getaddresses.
MAILBOXES = [
    "a@example.com",
    "<a@example.com>",
    "  Kim <kim@example.com>  ",
    "Kim  Minho\t<KIM@Example.COM>",
    "Kim\r\n Minho <kim@example.com>",
    "=?utf-8?b?6rmA66+87Zi4?= <minho.kim@example.com>",
    "=?utf-8?b?6rmA66+87Zi4?=\r\n <minho.kim@example.com>",
    "홍길동 <gd@example.com>",
    "Kim\u3000Minho <kim@example.com>",
    "Kim\xa0Minho <kim@example.com>",
    "Kim<kim@example.com>",
    "kim+tag@mail.example.co.kr",
    "o'brien@example.com",
    # near misses: quoting, comments, lists, groups, routes, odd dots, no or half brackets
    '"Kim, Minho" <kim@example.com>',
    '"Kim \\"M\\"" <kim@example.com>',
    "kim@example.com (Kim Minho)",
    "(comment) kim@example.com",
    "Kim (x) <kim@example.com>",
    "J. R. Smith <j.r@example.com>",
    "Kim. <kim@example.com>",
    "a@example.com, b@example.com",
    "Kim <kim@example.com>, Lee <lee@example.com>",
    "group: a@example.com, b@example.com;",
    "Undisclosed recipients:;",
    "Kim <@route:kim@example.com>",
    "kim.@example.com",
    ".kim@example.com",
    "k..im@example.com",
    "kim@example..com",
    "kim@localhost",
    "Kim kim@example.com",
    "kim@example.com>",
    "<kim@example.com",
    "Kim <kim@example.com> trailing",
    "Kim [x] <kim@example.com>",
    "김민호 <김@example.com>",
    "broken <not an address",
    "<>",
    "",
]


@pytest.mark.parametrize("value", MAILBOXES)
def test_mailbox_shortcut_reads_as_getaddresses_does(value: str) -> None:
    assert _mailboxes(value) == getaddresses([value])
