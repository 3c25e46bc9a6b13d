"""The unknown-owner gate (inbox/faq/owners.py): a request owned by a word the shop never saw
gets no answer; adverbs, quantities, verbs and typos of known words are never such owners."""

from __future__ import annotations

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.classifier import default_examples
from inbox.faq.owners import UnknownOwners
from inbox.faq.search import FaqIndex


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(default_articles())


@pytest.mark.parametrize(
    ("question", "owner"),
    [
        ("요트 회원 탈퇴", "요트"),
        ("양궁장 회원 탈퇴하려면", "양궁장"),
        ("점성술 상담 예약 변경", "점성술"),
        ("골동품 경매 결제 취소", "경매"),
    ],
)
def test_a_request_owned_by_a_word_nobody_used_gets_no_answer(
    index: FaqIndex, question: str, owner: str
) -> None:
    assert index._unknown.owner(question) == owner
    assert index.answer(question) == []


def test_a_phrasing_the_shop_learnt_makes_its_words_known() -> None:
    question = "요트 예약 취소"
    examples = default_examples()
    examples["order-change-cancel"] = [*examples["order-change-cancel"], "요트 예약 취소해요"]
    # No veto: the point is what the owners gate knows, not what the veto learnt.
    taught = FaqIndex(default_articles(), examples=examples, no_answer=())
    hits = taught.answer(question)
    assert hits and hits[0].slug == "order-change-cancel"


@pytest.mark.parametrize(
    "question",
    [
        "일단 주문 취소부터 해주세요",  # an adverb
        "종종 주문을 하는데 목록 확인",  # an adverb
        "소량 주문하면 배송비 나오나요",  # a quantity
        "비싼데 배송비까지 따로 붙나요?",  # a verb
        "여러 제품을 나누어 주문할 경우 배송비",  # a verb
        "송정번호 조회가 안돼요",  # one jamo from 송장
        "내운송장번호는어디나와있어요",  # 운송장, not 내운 + 송장
    ],
)
def test_adverbs_verbs_and_typos_are_not_owners(index: FaqIndex, question: str) -> None:
    assert index._unknown.owner(question) is None
    assert index.answer(question)


def test_known_words_are_read_from_the_first_two_syllables() -> None:
    owners = UnknownOwners(["타투 스티커", "예약 취소", "회원 탈퇴"], phrase_nouns=["앱"])
    assert owners.owner("타투이스트 예약 취소") is None
    assert owners.owner("요트 앱 회원 탈퇴") == "요트"
    assert owners.owner("요트로 배송") is None  # an instrument, not an owner
