"""Every corpus mail parsed into its normalized result (tests/connectors/email/fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import EventKind, UnsupportedEvent
from connectors.email import EmailConnector
from connectors.email.parse import parse_message

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "help@seoulsupps.example"
ALL = sorted(p.name for p in FIXTURES.glob("*.eml"))


def parse(name: str):  # type: ignore[no-untyped-def]
    return parse_message((FIXTURES / name).read_bytes(), ACCOUNT)


@pytest.mark.parametrize("name", ALL)
def test_no_replacement_characters_anywhere(name: str) -> None:
    event = parse(name)
    for value in (event.text, event.subject, event.html, event.customer and event.customer.name):
        assert "\ufffd" not in (value or "")
    assert "\ufffd" not in str(event.extra.get("full_text", ""))
    assert event.account_external_id == ACCOUNT
    assert event.sent_at.tzinfo is not None


def test_01_plain_utf8() -> None:
    event = parse("01_plain_utf8_ko_order.eml")
    assert event.kind is EventKind.MESSAGE
    assert event.external_id == "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>"
    assert event.thread_key == event.external_id
    assert event.references == ()
    assert event.customer is not None
    assert event.customer.external_id == "minho.kim@example.com"
    assert event.customer.email == "minho.kim@example.com"
    assert event.customer.name == "김민호"
    assert event.subject == "주문번호 2026112400317 배송 문의"
    assert event.text is not None and event.text.startswith("안녕하세요.")
    assert "주문번호 2026112400317" in event.text
    assert event.sent_at == datetime(2026, 11, 24, 12, 5, 33, tzinfo=UTC)
    assert not event.auto_generated


def test_02_euckr() -> None:
    event = parse("02_euckr_body_rfc2047_subject.eml")
    assert event.customer is not None
    assert (event.customer.email, event.customer.name) == ("sujin.lee@example.net", "이수진")
    assert event.subject == "환불 요청드립니다 (주문번호 2026111900221)"
    assert event.text is not None
    assert event.text.startswith(
        "안녕하세요. 지난주 주문한 종합비타민(주문번호 2026111900221)을 환불받고 싶습니다."
    )


def test_03_ks_c_5601_1987_is_cp949() -> None:
    event = parse("03_ks_c_5601_1987_outlook.eml")
    assert event.customer is not None
    assert (event.customer.email, event.customer.name) == ("ddom.park@example.org", "박똠이")
    assert event.subject == "반품 접수 요청"
    assert event.text is not None
    assert "수령인: 박똠이" in event.text
    assert "주문번호: 2026112000654" in event.text


def test_04_iso_2022_kr() -> None:
    event = parse("04_iso_2022_kr.eml")
    assert event.customer is not None and event.customer.email == "yerin.choi@example.org"
    assert event.subject == "배송지 변경 요청"
    assert event.text is not None
    assert "새 주소: 서울특별시 마포구 월드컵로 000, 101동 202호" in event.text


def test_05_alternative_text_from_plain_part_html_kept() -> None:
    event = parse("05_multipart_alternative.eml")
    assert event.customer is not None and event.customer.email == "haeun.lee@example.com"
    assert event.text is not None
    assert event.text.startswith("안녕하세요, 회원가입 인증 메일이 오지 않습니다.")
    assert event.text.endswith("확인 부탁드립니다.")
    assert event.html is not None and "<b>회원가입 인증 메일</b>" in event.html
    assert event.attachments == ()


def test_06_attachments_rfc2231_and_rfc2047_names() -> None:
    event = parse("06_multipart_mixed_jpeg_pdf.eml")
    assert event.text is not None and event.text.startswith("택배 상자가 파손된 채로 도착했습니다.")
    jpeg, pdf = event.attachments
    assert (jpeg.filename, jpeg.content_type, jpeg.size, jpeg.kind) == (
        "파손사진.jpg",
        "image/jpeg",
        632,
        "image",
    )
    assert jpeg.data is not None and jpeg.data.startswith(b"\xff\xd8") and len(jpeg.data) == 632
    assert jpeg.data.endswith(b"\xff\xd9")
    assert (pdf.filename, pdf.content_type, pdf.size, pdf.kind) == (
        "주문내역서.pdf",
        "application/pdf",
        601,
        "file",
    )
    assert pdf.data is not None and pdf.data.startswith(b"%PDF-1.4")
    assert pdf.data.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(
    ("name", "text", "parent", "who"),
    [
        (
            "07_reply_gmail_quoted.eml",
            "네 감사합니다. 그럼 금요일까지는 받을 수 있을까요?",
            "<case-8812.1763532720@seoulsupps.example>",
            "minho.kim@example.com",
        ),
        (
            "08_reply_outlook.eml",
            "취소가 완료되었는지 확인 부탁드립니다. 카드 환불은 언제 되나요?",
            "<case-8820.1763601000@seoulsupps.example>",
            "jisoo.park@example.org",
        ),
        (
            "09_reply_naver.eml",
            "회수 기사님이 아직 안 오셨어요. 언제 방문하시나요?",
            "<case-8790.1763536353@seoulsupps.example>",
            "jimin.han@example.net",
        ),
    ],
)
def test_replies_strip_quoted_history(name: str, text: str, parent: str, who: str) -> None:
    event = parse(name)
    assert event.text == text
    assert event.references[-1] == parent  # nearest last
    assert event.customer is not None and event.customer.email == who
    full = str(event.extra["full_text"])
    assert full.startswith(text) and len(full) > len(text)
    assert not event.auto_generated


def test_07_references_keep_order_root_first() -> None:
    event = parse("07_reply_gmail_quoted.eml")
    assert event.references == (
        "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>",
        "<case-8812.1763532720@seoulsupps.example>",
    )
    assert event.thread_key == "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>"
    assert "님이 작성:" in str(event.extra["full_text"])


def test_10_out_of_office_is_auto_generated() -> None:
    event = parse("10_auto_reply_ooo.eml")
    assert event.kind is EventKind.MESSAGE
    assert event.auto_generated
    assert "Auto-Submitted: auto-replied" in event.extra["auto_reasons"]
    assert event.references == ("<case-8835.1763618000@seoulsupps.example>",)


def test_11_dsn_bounce_targets_our_message() -> None:
    event = parse("11_bounce_dsn.eml")
    assert event.kind is EventKind.BOUNCED
    assert event.targets == ("<case-8841.1763619040@seoulsupps.example>",)
    assert event.customer is None
    assert event.auto_generated
    dsn = event.extra["dsn"]
    assert dsn["status"] == "5.1.1"
    assert dsn["action"] == "failed"
    assert dsn["recipient"] == "no.such.user@example.net"
    assert "User unknown" in dsn["diagnostic"]
    assert event.text is not None and "5.1.1" in event.text and "User unknown" in event.text


def test_12_html_only_kept_raw_for_the_sanitizer_text_extracted() -> None:
    event = parse("12_html_xss.eml")
    assert event.customer is not None and event.customer.email == "xss.tester@example.com"
    assert event.text is not None
    assert "콜라겐 성분표 사진 보내주세요." in event.text and "주문 조회" in event.text
    assert "alert" not in event.text and "fetch(" not in event.text
    assert event.subject == "상품 문의 <script>alert('subj')</script>"
    assert event.html is not None and "<script" in event.html  # inbox/ sanitizes


def test_13_no_message_id_synthesized_and_stable() -> None:
    raw = (FIXTURES / "13_long_body_no_subject_no_msgid.eml").read_bytes()
    event = parse_message(raw, ACCOUNT)
    assert event.external_id.startswith("sha256:")
    again = parse_message(raw.replace(b"\n", b"\r\n"), ACCOUNT)
    assert again.external_id == event.external_id  # IMAP hands it back with CRLF
    assert event.subject is None
    assert event.text is not None and len(event.text) == 9999


def test_14_malformed_from_recovered() -> None:
    event = parse("14_malformed_from.eml")
    assert event.customer is not None
    assert (event.customer.email, event.customer.name) == ("minho.kim@example.com", "김민호")
    assert "reply_to" not in event.extra
    assert event.text == "회원탈퇴 하고 싶어요. 개인정보도 삭제해 주세요."
    assert event.subject == "회원탈퇴 문의"


def test_15_plain_english() -> None:
    event = parse("15_plain_en_password_reset.eml")
    assert event.customer is not None and event.customer.email == "mark.t@example.com"
    assert event.subject == "Password reset link not working"
    assert event.text is not None and event.text.startswith("Hi,")


def test_16_qp_body_and_folded_subject() -> None:
    event = parse("16_qp_body_folded_subject.eml")
    assert event.customer is not None
    assert (event.customer.email, event.customer.name) == ("seunghyun.oh@example.com", "오승현")
    assert event.subject == (
        "[긴급] 주문 2026112500777 결제는 됐는데 주문내역에 안 보여요 (카드 승인문자 있음)"
    )
    assert event.text == (
        "결제 승인 문자는 왔는데(승인번호 30012345) 마이페이지 주문내역에 주문이 없습니다.\n"
        "중복 결제인지 확인 부탁드립니다.\n"
        "= 이 줄은 등호로 시작합니다 ="
    )


def test_connector_parse_needs_the_account_header() -> None:
    connector = EmailConnector({})
    raw = (FIXTURES / "15_plain_en_password_reset.eml").read_bytes()
    (event,) = connector.parse({"X-Switchboard-Account": ACCOUNT}, raw)
    assert event.account_external_id == ACCOUNT
    with pytest.raises(UnsupportedEvent):
        connector.parse({}, raw)
    with pytest.raises(UnsupportedEvent):
        connector.parse({"X-Switchboard-Account": ACCOUNT}, b"  \n")
