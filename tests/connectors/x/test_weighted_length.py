"""X's weighted tweet length (twitter-text v3): CJK 2, URLs 23, emoji sequences 2, max 280."""

from __future__ import annotations

import pytest

from connectors.base import ConversationKind
from connectors.x import XConnector
from connectors.x.weighted_length import url_spans, weighted_length


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        ("안녕하세요", 10),
        ("日本語", 6),
        ("ひらがな", 8),
        ("Привет", 6),  # Cyrillic is in the light range
        ("‘quotes’ — dash…", 17),  # U+2018/2019 and U+2014 are light; U+2026 is not
        ("english text 日本語 😷 https://example.com", 46),  # twitter-text's own example
    ],
)
def test_weights_per_script(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_korean_fills_a_tweet_at_140_syllables() -> None:
    assert weighted_length("가" * 140) == 280
    assert weighted_length("가" * 141) == 282


def test_300_korean_characters_count_600() -> None:
    assert weighted_length("가" * 300) == 600


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://t.co/Xq7LmN2pRs", 23),
        ("https://blog.example.kr/daily_health/review-lutein-20261125", 23),
        ("http://a.co", 23),
        ("see example.com now", 4 + 23 + 4),
        ("seoulsupps.co.kr/faq/shipping?lang=ko#top", 23),
        ("www.example.kr", 23),
        ("x.kr", 4),  # a bare name under a country TLD is not a link
        ("bit.co", 23),  # ... except .co and .tv
        ("file.txt", 8),  # not a TLD
        ("https://example.com/" + "a" * 300, 23),
    ],
)
def test_every_url_counts_23(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_url_spans_are_code_point_offsets() -> None:
    text = "후기 https://example.com/리뷰 끝"
    assert url_spans(text) == [(3, 23)]  # the path stops at the Hangul


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😀", 2),
        ("🙏🏻", 2),  # skin-tone modifier: one sequence
        ("👍🏽👍🏿", 4),
        ("👨‍👩‍👧‍👦", 2),  # ZWJ family: 7 code points, one emoji
        ("🧑🏽‍💻", 2),  # skin tone inside a ZWJ sequence
        ("👩‍❤️‍💋‍👨", 2),
        ("🇰🇷", 2),  # flag: two regional indicators
        ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 2),  # tag sequence
        ("1️⃣", 2),  # keycap
        ("❤️", 2),
        ("✨", 2),
        ("🙏🏻✨", 4),
        ("🐶‍🐱", 5),  # not a known sequence: 2 + ZWJ (light) + 2
        ("#1", 2),  # plain ASCII is not an emoji
    ],
)
def test_emoji_sequences_count_once(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_corpus_tweet_counts_with_url_and_emoji() -> None:
    text = (
        "@seoulsupps_kr 루테인 샀는데 포장 너무 예뻐요 😍 후기 남겼어요 "
        "https://t.co/Xq7LmN2pRs 다음엔 마그네슘도 살게요 🙏🏻✨"
    )
    # 15 (mention + space) + 19 Hangul x2 + 9 spaces + 3 emoji x2 + 23 URL + ...
    assert weighted_length(text) == 116


def test_nfc_normalisation() -> None:
    decomposed = "\u1100\u1161"  # 가 as conjoining jamo: NFC makes it one syllable
    assert weighted_length(decomposed) == 2


def test_boundary_280_and_281() -> None:
    connector = XConnector({})
    fits = "a" * 278 + "가"
    assert weighted_length(fits) == 280
    assert connector.validate_text(ConversationKind.MENTION, fits) is None
    over = "a" * 279 + "가"
    assert weighted_length(over) == 281
    assert connector.validate_text(ConversationKind.MENTION, over) == (
        "too long for X: 281/280 (Korean, CJK and emoji count 2, each link 23)"
    )


def test_validate_text_reports_the_count_for_korean() -> None:
    problem = XConnector({}).validate_text(ConversationKind.MENTION, "가" * 300)
    assert problem is not None and "600/280" in problem


def test_dms_allow_10000_characters() -> None:
    connector = XConnector({})
    assert connector.validate_text(ConversationKind.DM, "가" * 10_000) is None
    problem = connector.validate_text(ConversationKind.DM, "가" * 10_001)
    assert problem is not None and "10001/10000" in problem


def test_empty_and_invalid_characters_are_refused() -> None:
    connector = XConnector({})
    assert connector.validate_text(ConversationKind.MENTION, "  ") == "the reply is empty"
    assert connector.validate_text(ConversationKind.MENTION, "hi\ufeff") is not None
