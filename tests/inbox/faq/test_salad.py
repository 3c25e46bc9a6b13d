"""Code, a keyboard mash and article words strung together get no answer; a keyword query, a
long question that repeats its words and markup around a question still do.

Written here, not taken from bench/faq_hard.jsonl; each salad below was answered before round
16 (the score gate believes a line made only of article words)."""

from __future__ import annotations

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.salad import word_salad
from inbox.faq.search import FaqIndex
from tests.support.faq import slugs


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.mark.parametrize(
    "question",
    [
        "환불 환불 배송 배송 주문",
        "탈퇴 탈퇴 회원 가입 비밀번호",
        "주문 결제 취소 취소 환불",
        "console.log(배송조회)",
        '{"refund": null, "order": 3}',
        "{{name}}님 환불 완료",
        "ㅁㄴㅇㄹㅁ 주문취소",
        # Round 18: SQL by its statement shapes (the held-out line was an UPDATE … SET).
        "'; update orders set status='refunded' where id=42; --",
        "select * from orders where 1=1",
        "배송 조회'; insert into coupons values (1)",
        # Round 21 (after the run): a function defined, a power written as code.
        "def total(order): return order.qty * 3",
        "function refund(id) { return null }",
        "lambda y: y + 1",
        "주문 수량 n**2 이면",
    ],
)
def test_a_salad_of_article_words_or_code_gets_no_answer(index: FaqIndex, question: str) -> None:
    assert word_salad(question)
    assert index.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("주문 취소 환불", "order-change-cancel"),
        ("배송 조회 ㅠㅠ 언제 와요 ㅋㅋㅋ", "shipping-time"),
        ("<b>배송 언제 와요</b>", "shipping-time"),
        ("주문취소하고 환불받고 싶은데 배송비도 돌려주나요", "refund-return"),
        ("please delete my account from your site", "account-delete"),
        ("how do I return it, the function of the capsule is unclear", "refund-return"),
        ("can you set my delivery address to the office", "shipping-address-change"),
    ],
)
def test_a_keyword_query_or_a_real_question_is_still_answered(
    index: FaqIndex, question: str, slug: str
) -> None:
    assert not word_salad(question)
    assert slug in slugs(index, question)
