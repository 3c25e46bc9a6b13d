"""The intake checklist on real inquiries from the corpus and on tricky text."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.email.parse import parse_message
from inbox.intake import (
    DETAILS,
    NAME_CONTACT,
    ORDER_NUMBER,
    PHOTOS,
    check_inquiry,
    find_name,
    find_order_numbers,
    find_phones,
    request_item,
    request_text,
)

FIXTURES = Path(__file__).parents[1] / "connectors" / "email" / "fixtures"


def check_file(name: str):  # type: ignore[no-untyped-def]
    event = parse_message((FIXTURES / name).read_bytes(), "help@seoulsupps.example")
    assert event.customer is not None and event.text is not None
    return check_inquiry(
        event.text,
        subject=event.subject,
        sender_name=event.customer.name,
        sender_contact=event.customer.email,
        attachment_types=[a.content_type or "" for a in event.attachments],
    )


def test_order_number_with_zero_width_characters() -> None:
    # The xss corpus line 39: ZWSP, ZWNJ, ZWJ and BOM inside "주문번호 2026112400317".
    text = "주문\u200b번호\u200b2026\u200c1124\u200d00317\ufeff"
    assert find_order_numbers(text) == ("2026112400317",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("주문번호 2026112400317 배송", ("2026112400317",)),
        ("주문번호는２０２６１１２５０００４２입니다", ("2026112500042",)),  # fullwidth digits
        ("20261124-00317 and 2026112400317", ("2026112400317",)),
        ("승인번호 30012345, 전화 01000001234", ()),
        ("99992026112400317123", ()),  # part of a longer number
        ("2026133100317", ()),  # month 13 is no date
    ],
)
def test_find_order_numbers(text: str, expected: tuple[str, ...]) -> None:
    assert find_order_numbers(text) == expected


def test_find_phones_and_names() -> None:
    assert find_phones("연락처 010-0000-1234 / 02-123-4567") == ("010-0000-1234", "02-123-4567")
    assert find_name("반품 부탁드립니다.\n수령인: 박똠이\n사유: 부족") == "박똠이"
    assert find_name("언제 오나요?\n\n김민호 드림\n010-0000-1234") == "김민호"
    assert find_name("Can you help?\n\nThanks,\nMark") == "Mark"
    assert find_name("빨리 보내주세요\n감사해요") is None


def test_complete_inquiry_01() -> None:
    check = check_file("01_plain_utf8_ko_order.eml")
    assert check.order_numbers == ("2026112400317",)
    assert check.has_name and check.has_contact and check.has_details
    assert not check.photos_needed
    assert check.complete and request_text(check.missing) is None


def test_damage_with_photo_06() -> None:
    check = check_file("06_multipart_mixed_jpeg_pdf.eml")
    assert check.photos_needed and check.photo_count == 1
    assert check.complete


def test_damage_without_photo_asks_for_one() -> None:
    check = check_inquiry(
        "상자가 찢어져서 왔어요. 캡슐도 몇 개 깨져 있습니다.",
        sender_name="이수진",
        sender_contact="sujin.lee@example.net",
    )
    assert check.missing == (ORDER_NUMBER, PHOTOS)
    text = request_text(check.missing)
    assert text is not None
    assert "주문번호 (13자리 숫자, 예: 2026112400317)" in text
    assert "사진" in text and text.startswith("안녕하세요")
    english = request_text(check.missing, "en")
    assert english is not None and "order number" in english and "photos" in english


def test_bare_greeting_misses_everything_but_contact() -> None:
    check = check_inquiry("안녕하세요\n감사합니다", sender_contact=None)
    assert check.missing == (NAME_CONTACT, ORDER_NUMBER, DETAILS)
    assert request_item(DETAILS, "en").startswith("a detailed description")


def test_english_inquiry_15_has_no_order_number() -> None:
    check = check_file("15_plain_en_password_reset.eml")
    assert check.missing == (ORDER_NUMBER,)
    assert check.has_details


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in FIXTURES.glob("*.eml") if not p.name.startswith("11_")),
)
def test_every_corpus_mail_can_be_checked(name: str) -> None:
    check = check_file(name)
    assert set(check.missing) <= {NAME_CONTACT, ORDER_NUMBER, DETAILS, PHOTOS}
