"""The FAQ ranking engine on a handful of clear questions (the eval set lives in bench/)."""

from __future__ import annotations

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.search import FaqIndex, NgramAnalyzer, normalize, rank


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("환불 규정이 궁금합니다", "refund-return"),
        ("운송장번호가 안 보여요", "shipping-tracking"),
        ("회원 탈퇴 절차 알려줘", "account-delete"),
        ("비밀번호를잊어버렸습니다", "account-password-reset"),
        ("배송지를 다른 곳으로 변경할래요", "shipping-address-change"),
        ("회원탈퇘", "account-delete"),
        ("I need to reset my password", "account-password-reset"),
        ("minimum order for free shipping?", "shipping-fee"),
        ("상담원이랑 통화하고 싶어요", "contact-channels"),
    ],
)
def test_clear_questions_rank_their_article_first(
    index: FaqIndex, question: str, slug: str
) -> None:
    assert index.search(question, limit=1)[0].slug == slug


def test_spacing_does_not_change_the_answer(index: FaqIndex) -> None:
    spaced = index.search("배송 기간 얼마나 걸려요", limit=3)
    unspaced = index.search("배송기간얼마나걸려요", limit=3)
    assert spaced[0].slug == unspaced[0].slug == "shipping-time"


def test_results_are_ranked_limited_and_known(index: FaqIndex) -> None:
    hits = index.search("주문 취소 환불", limit=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.slug for h in hits} <= set(index.slugs)
    assert {hits[0].slug, hits[1].slug} == {"order-change-cancel", "refund-return"}


@pytest.mark.parametrize("question", ["", "   ", "ㅠㅠㅠ", "?!", "how do i"])
def test_questions_without_content_find_nothing(index: FaqIndex, question: str) -> None:
    assert index.search(question) == []


def test_a_pasted_huge_message_is_answered_from_its_start(index: FaqIndex) -> None:
    hits = index.search("비밀번호 재설정 " + "가" * 20_000)
    assert hits[0].slug == "account-password-reset"


def test_rank_is_the_one_shot_form() -> None:
    assert rank(default_articles(), "송장번호", limit=1)[0].slug == "shipping-tracking"


def test_normalize_drops_emoticon_jamo_and_case() -> None:
    assert normalize("  Tracking  번호ㅠㅠ ") == "tracking 번호"


def test_analyzer_ignores_spacing_and_question_scaffolding() -> None:
    analyzer = NgramAnalyzer()
    assert analyzer("환불 어떻게 하나요") == analyzer("환불어떻게하나요") == analyzer("환불")
