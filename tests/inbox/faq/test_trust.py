"""The gate trusts the re-ranker when it is sure: customer wording the curated text misses."""

from __future__ import annotations

import pytest

from inbox.faq import search
from inbox.faq.articles import default_articles
from inbox.faq.search import FaqIndex, Hit


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.fixture(scope="module")
def no_ranker() -> FaqIndex:
    return FaqIndex(default_articles(), classify=False)


# An unspaced run, and a membership question in everyday words: the curated text covers
# too little of either (not shipped phrasings; hard-final-11's
# 처음와봤는데여기멤버되려면뭐부터입력해야돼요 reworded). Round 16 folds 멤버 into 회원, so the
# gate answers "처음 와봤는데 멤버 되려면 뭐 입력해야 돼요" by itself, which was the second case.
UNSEEN = [
    ("처음왔는데여기회원되려면뭐부터해야돼요", "account-signup"),
    ("여기 처음인데 회원 되려면 어디 눌러요", "account-signup"),
]


@pytest.mark.parametrize(("question", "slug"), UNSEEN)
def test_a_question_the_gate_refuses_is_answered_when_the_ranker_is_sure(
    index: FaqIndex, no_ranker: FaqIndex, question: str, slug: str
) -> None:
    assert no_ranker.answer(question) == []  # the score/coverage gate alone refuses it
    hits = index.search(question)
    assert hits and not index.confident(question, hits[0])
    assert index.trusted(question)
    assert index.answer(question)[0].slug == slug


@pytest.mark.parametrize(
    "question",
    [
        "강아지가 밥을 안 먹어요 어떡하죠",  # the ranker leans to refund-return, unsure
        "너 이름이 뭐야",  # no list names it, the veto lets it through, the ranker has no lead
        "하하하하",
        # P 0.71 for shipping-address-change (0.82 with classifier.ALPHA 0.3), the index's
        # first hit too, and the veto lets it through: below TRUST_AGREED (a shipped no-answer
        # question, 우리 회사 주소 영어로 어떻게 써요, reworded).
        "회사 주소 영어로 어떻게 적어요",
    ],
)
def test_an_unsure_ranker_does_not_open_the_gate(index: FaqIndex, question: str) -> None:
    assert not index.trusted(question)
    assert index.answer(question) == []


def test_the_lists_still_silence_what_the_ranker_is_sure_of(index: FaqIndex) -> None:
    """Trust is asked after the lists: another service's request stays that service's."""
    question = "쿠팡에서 주문한거 취소하고 싶어요"
    assert index.trusted(question)
    assert index.answer(question) == []


# Round 17: tuning questions cut short (not shipped phrasings themselves) that the ranker reads
# at P 0.85-0.95 (between TRUST_AGREED, 0.85 until round 24, and TRUST), each also the index's
# own first hit. Every re-teaching moves these readings a little (round 19 made "냉장고에 넣어야
# 돼?" sure alone, round 23 "11시에도 채팅 되나요", round 24 "10시에도 …" at 0.9520), so since
# round 24 the test reads a few near wordings of one question: each must be answered with the
# index's article, and at least one must still read in the band, or the test has lost its
# premise and fails. (The band's logic is also checked below with set readings.)
AGREED = [
    "8시에도 채팅 되나요?",
    "저녁에도 채팅 되나요?",
    "아홉 시에도 채팅 돼요?",
    "10시에도 채팅 되나요?",
]


def test_a_less_sure_ranker_is_trusted_when_the_index_ranks_the_same_article_first(
    index: FaqIndex,
) -> None:
    assert search.TRUST_AGREED is not None and search.TRUST is not None
    in_band = []
    for question in AGREED:
        hits = index.search(question)
        assert hits[0].slug == "contact-channels" and not index.confident(question, hits[0])
        if search.TRUST_AGREED <= index._posterior(question)["contact-channels"] < search.TRUST:
            in_band.append(question)
        assert index.answer(question)[0].slug == "contact-channels"
    assert in_band


@pytest.mark.parametrize(
    ("p", "index_first", "trusted"),
    [
        (0.9, "shipping-fee", True),  # agreed, above TRUST_AGREED
        (0.9, "refund-return", False),  # the index ranks another article first
        (0.6, "shipping-fee", False),  # agreed, but too unsure
        (0.95, "refund-return", True),  # sure alone (TRUST)
    ],
)
def test_the_trust_check_reads_the_index_first_hit(
    index: FaqIndex, p: float, index_first: str, trusted: bool
) -> None:
    posterior = {"shipping-fee": p, "refund-return": 1 - p}
    hits = [Hit(index_first, 5.0), Hit("order-status", 4.0)]
    assert index.trusted("포장비 따로 붙어요?", posterior, hits) is trusted


def test_the_whole_messages_reading_is_trusted_when_the_index_agrees(index: FaqIndex) -> None:
    """Round 18: the request-weighted reading is unsure (0.64), the whole message's sure, and
    the index ranks the same article first (an unseen rewording of a hard-dev-16a question)."""
    question = "로그인 자꾸 틀렸다고 나옴 어케 들어가"
    hits = index.search(question)
    assert hits[0].slug == "account-password-reset" and not index.confident(question, hits[0])
    assert search.TRUST_AGREED is not None
    assert index._posterior(question)["account-password-reset"] < search.TRUST_AGREED
    assert index._whole_posterior(question)["account-password-reset"] >= search.TRUST_AGREED
    assert index.answer(question)[0].slug == "account-password-reset"


@pytest.mark.parametrize(
    ("request_p", "whole_p", "index_first", "trusted"),
    [
        (0.6, 0.9, "shipping-fee", True),  # the whole message's reading, the index agreeing
        (0.6, 0.9, "refund-return", False),  # ... but the index ranks another article first
        (0.6, 0.99, "refund-return", False),  # sure alone only on the request's reading
        (0.6, 0.7, "shipping-fee", False),  # agreed, both too unsure
    ],
)
def test_the_whole_messages_reading_needs_the_index(
    index: FaqIndex, request_p: float, whole_p: float, index_first: str, trusted: bool
) -> None:
    posterior = {"shipping-fee": request_p, "refund-return": 1 - request_p}
    whole = {"shipping-fee": whole_p, "refund-return": 1 - whole_p}
    hits = [Hit(index_first, 5.0), Hit("order-status", 4.0)]
    assert index.trusted("포장비 따로 붙어요?", posterior, hits, whole) is trusted
