"""Round 17: customers' words for what the articles say otherwise, folded as families
(colloquial and office Korean, English paraphrases), and the false friends they must not open.

Wordings are written for these tests, not taken from the bench splits. The gate has no veto
and no ranker: what is tested is how the curated side reads a question, not what the shipped
phrasings happen to teach. The silences are asked of the shipped engine, as a visitor would."""

from __future__ import annotations

import pytest

from inbox.faq.search import FaqIndex
from inbox.faq.synonyms import fold


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # closing an account
        ("예전 아이디 말소 절차 알려주세요", "account-delete"),
        ("이 계정 폭파하는 법", "account-delete"),
        ("제 계정 좀 날려주실 수 있어요", "account-delete"),
        ("회원을 그만두고 싶은데 어디서 하죠", "account-delete"),
        # joining
        ("입회 절차 안내 부탁해요", "account-signup"),
        ("단골 등록은 어디서 하나요", "account-signup"),
        # taking an order back, returning what came
        ("어제 한 주문 무르려면 어떻게 해요", "order-change-cancel"),
        ("아직 안 보냈으면 결제 물릴 수 있죠?", "order-change-cancel"),
        ("먹어보니 별로라 물리고 싶어요", "refund-return"),
        ("주문한 것 중에 한 통은 빼 주세요", "order-change-cancel"),
        # what sending costs, islands
        ("부치는 비용은 얼마 받으세요", "shipping-fee"),
        ("택비 따로 내야 돼요?", "shipping-fee"),
        ("섬이라 늦어지나요", "shipping-time"),
        # a person, not the bot
        ("봇 말고요", "contact-channels"),
        ("카톡 채널로도 문의 받나요", "contact-channels"),
        # the wrong door, lost on the way
        ("엉뚱한 집에 갔대요", "shipping-missing"),
        ("배송 중에 유실된 것 같은데요", "shipping-missing"),
        # meals
        ("밥 먹기 전에 먹는 게 나아요?", "product-info"),
    ],
)
def test_colloquial_and_office_korean_meet_the_articles_words(
    gate: FaqIndex, question: str, slug: str
) -> None:
    hits = gate.answer(question)
    assert hits and hits[0].slug == slug


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("my credentials stopped working on the site", "account-password-reset"),
        ("please call off the order I placed today", "order-change-cancel"),
        ("can you reroute my order to my office instead", "shipping-address-change"),
        ("any surcharge for islands", "shipping-fee"),
        ("will the zinc be back soon", "product-info"),
        ("do you reply to DMs", "contact-channels"),
        ("nuke my account please", "account-delete"),
        ("my order hasn't moved for days, is it being handled", "order-status"),
    ],
)
def test_english_paraphrases_meet_the_articles_words(
    gate: FaqIndex, question: str, slug: str
) -> None:
    hits = gate.answer(question)
    assert hits and hits[0].slug == slug


@pytest.mark.parametrize(
    "question",
    [
        "윗집 층간소음 너무 심해요 어떻게 하죠",  # 윗집 is not the articles' 옆집
        "동창 모임에서 나만 빼고 여행 갔어요",  # 빼고 is not an item taken out of an order
        "my fridge is making a buzzing noise, what should i do",  # a fridge is not storage
    ],
)
def test_a_family_word_does_not_answer_an_off_topic_question(
    shipped: FaqIndex, question: str
) -> None:
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    "text",
    [
        "야간 근무를 해요",  # 무를 is only 무르다 after a request, never inside 근무를
        "식이섬유 함량",  # 섬 is an island only as 섬 지역/섬에/섬이라
        "대형폐기물 스티커",  # 폐기 closes an account only as ID/계정 폐기
        "물리치료 받으러 가요",  # 물리 is returning only as 물리고 싶/물릴 수
    ],
)
def test_a_family_key_is_not_read_inside_another_word(text: str) -> None:
    assert fold(text) == text
