"""E.164 normalisation (Korean numbers included) and SMS segment counting."""

from __future__ import annotations

import pytest

from connectors.phone.numbers import BadNumber, to_e164
from connectors.phone.segments import count


@pytest.mark.parametrize(
    "typed",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "(010) 1234-5678",
        "+82 10-1234-5678",
        "+82 (0)10 1234 5678",
        "+821012345678",
        "0082 10 1234 5678",
        "82-10-1234-5678".replace("82-", "+82-", 1),
    ],
)
def test_korean_mobile_numbers_come_out_the_same(typed: str) -> None:
    assert to_e164(typed) == "+821012345678"


def test_seoul_landline_and_other_countries() -> None:
    assert to_e164("02-555-0100") == "+8225550100"
    assert to_e164("+1 (415) 555-0134") == "+14155550134"
    assert to_e164("415-555-0134", country="US") == "+14155550134"


@pytest.mark.parametrize("bad", ["", "  ", "전화번호", "12", "+0101234", "010-1234-5678 ext. 9"])
def test_what_is_not_a_number_is_refused(bad: str) -> None:
    with pytest.raises(BadNumber):
        to_e164(bad)


def test_plain_latin_text_is_gsm7_160_then_153() -> None:
    assert (count("a" * 160).encoding, count("a" * 160).count) == ("GSM-7", 1)
    assert count("a" * 161).count == 2
    assert count("a" * 306).count == 2
    assert count("a" * 307).count == 3


def test_extension_characters_take_two_septets() -> None:
    found = count("{" * 80)
    assert (found.encoding, found.units, found.count) == ("GSM-7", 160, 1)
    assert count("{" * 81).count == 2


def test_korean_is_ucs2_70_then_67() -> None:
    assert (count("가" * 70).encoding, count("가" * 70).count) == ("UCS-2", 1)
    assert count("가" * 71).count == 2
    assert count("가" * 134).count == 2
    assert count("가" * 135).count == 3
    # One Korean letter turns a Latin text into UCS-2.
    assert count("Order shipped 배송").encoding == "UCS-2"


def test_emoji_outside_the_bmp_counts_two_units() -> None:
    assert count("🙂").units == 2
    assert count("🙂" * 35).count == 1
    assert count("🙂" * 36).count == 2


def test_empty_text_is_no_sms() -> None:
    assert count("").count == 0
