"""A request about another company's own parts — its help desk, site, account money or
messenger profile — is that company's, whether a list names it or not; paying, signing in or
writing with the same names stays ours.

Written here, not taken from bench/faq_hard.jsonl. Each silenced question below was answered
before round 17."""

from __future__ import annotations

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.search import FaqIndex


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.mark.parametrize(
    "question",
    [
        "뉴트리원 고객센터 번호 알려주세요",  # no list names it: the organ it heads does
        "고려은단 본사 주소가 어디예요",
        "gnc 홈페이지 회원가입 어떻게 해요",
        "카카오톡 프로필 사진 바꾸는 법",  # a store name heading its own feature
        "CJ대한통운 고객센터 전화번호 뭐예요",
    ],
)
def test_another_companys_own_part_gets_no_answer(index: FaqIndex, question: str) -> None:
    assert index._others.owners(question)
    assert index.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("여기 고객센터 번호 알려주세요", "contact-channels"),
        ("고객센터 전화번호 알려주세요", "contact-channels"),
        ("카카오페이로 결제했는데 환불은 카카오페이 잔액으로 들어와요?", "refund-return"),
        ("토스로 결제한 주문 취소하고 싶어요", "order-change-cancel"),
        ("카카오톡 채널로 상담 되나요", "contact-channels"),
        ("제조사 홈페이지에 성분표 있나요", "product-info"),
        ("신한카드로 결제했는데 취소하면 언제 들어와요", "refund-return"),
    ],
)
def test_paying_or_asking_with_those_names_stays_ours(
    index: FaqIndex, question: str, slug: str
) -> None:
    assert not index._others.owners(question)
    assert slug in [hit.slug for hit in index.answer(question)]
