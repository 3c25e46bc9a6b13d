"""Round 24 (faq33): Korean words the articles never use, read as families — what a product is
made of or certified as (락토프리, 할랄/코셔 인증, 착색료, 미세조류 유래, 채식), restock slang
(리스톡, 완판, 솔드아웃), membership words (정회원, 게스트 결제, the shop's 마일리지), a payment
with no news since (결제 후 무소식), the lunar new year (구정, 설날), a late call (밤 11시,
전화해도 받아), cultures dying in a hot parcel; a tub started and left (한 통 먹다 남은 거), and
mailboxes tried in turn (지메일, 네이버 둘 다 해봤는데) — and the false friends those words would
open stay closed (a restaurant's halal menu, an airline's or a card's mileage, another shop's
restock).

Wordings are written for these tests, not taken from the bench splits. The answers and the
silences are asked of the shipped engine, as a visitor would."""

from __future__ import annotations

import pytest

from inbox.faq.search import FaqIndex
from inbox.faq.services import OtherServices, default_services
from inbox.faq.synonyms import fold
from inbox.faq.topics import OffTopic, default_topics


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("락토프리인가요", "유제품 성분인가요"),
        ("할랄 인증 여부", "동물성 성분 인증 여부"),
        ("코셔 맞나요", "동물성 성분 맞나요"),
        ("합성 착색료 있어요", "첨가물 성분 있어요"),
        ("미세조류 유래 dha", "식물성 원료 dha"),
        ("리스톡 언제", "재입고 언제"),
        ("완판됐어요", "품절됐어요"),
        ("정회원 전환", "회원가입 전환"),
        ("밤 11시", "야간 11시"),
        ("전화해도 받아요?", "전화 상담 받아요?"),
    ],
)
def test_rare_words_fold_to_the_articles_words(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(
    "written",
    [
        # Asked where to buy or eat, not of a product: the diet words stay as written.
        "락토프리 우유 어디서 팔아요",
        "할랄 식당 추천해 주세요",
        "할랄 인증 받으려면",
    ],
)
def test_diet_words_fold_only_when_asked_of_a_product(written: str) -> None:
    assert "성분" not in fold(written)


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # what a product is made of or certified as
        ("이 프로바이오틱스 락토프리인가요", "product-info"),
        ("코셔 인증 여부 알고 싶어요", "product-info"),
        ("착색료 들어갔는지 궁금해요", "product-info"),
        ("미세조류 유래 DHA 있나요", "product-info"),
        ("채식주의자도 먹을 수 있나요", "product-info"),
        # restock slang
        ("마그네슘 리스톡 언제예요", "product-info"),
        # membership words
        ("게스트로 주문 가능한가요", "account-signup"),
        ("게스트 결제 되나요", "account-signup"),
        ("회원 탈퇴하면 마일리지 날아가요?", "account-delete"),
        ("멤버십 마일리지 탈퇴하면 없어지나요", "account-delete"),
        # paid, then no news
        ("입금했는데 무소식이에요", "order-status"),
        ("주문 후 무소식", "order-status"),
        # mailboxes tried in turn, our mail in none
        ("네이버, 다음 둘 다 해봤는데 인증 메일이 안 와요", "account-signup"),
        # a tub of ours started and left
        ("반 통 먹다 남은 건 환불 안 되죠?", "refund-return"),
    ],
)
def test_rare_words_reach_their_article(shipped: FaqIndex, question: str, slug: str) -> None:
    hits = shipped.answer(question)
    assert hits and hits[0].slug == slug


@pytest.mark.parametrize(
    "question",
    [
        "식당에 할랄 메뉴 있나요",
        "할랄 식당 추천해 주세요",
        "락토프리 우유 어디서 팔아요",
        "대한항공 회원인데 마일리지 소멸 언제예요",
        "카드 해지하면 마일리지 소멸돼요?",
        "항공 마일리지 소멸되나요",
        "은행 마일리지 소멸되나요",
        "나이키 운동화 완판됐는데 리스톡 언제 해요",
        "무신사에서 완판된 패딩 리스톡 언제예요",
        "채식 식당 추천해 주세요",
        "구정에 고향 가는 기차표 예매 언제 열려요",
        "밤 11시에 배달 되는 치킨집 있나요",
        "피자 한 판 먹다 남은 거 환불돼요",
        "쿠팡, 11번가 둘 다 해봤는데 배송이 느려요",
    ],
)
def test_false_friends_stay_silent(shipped: FaqIndex, question: str) -> None:
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "owners"),
    [
        ("회원 탈퇴하면 마일리지 없어져요?", []),
        ("혹시 멤버십 마일리지 유효기간 있나요", []),
        ("대한항공 회원인데 마일리지 소멸 언제예요", ["마일리지"]),
        ("카드 해지하면 마일리지 소멸돼요?", ["마일리지"]),
        ("한 통 먹다 남은 거 환불 돼요?", []),
        ("피자 한 판 먹다 남은 거 환불돼요", ["먹다 남은"]),
    ],
)
def test_the_shops_mileage_and_tub_are_ours(question: str, owners: list[str]) -> None:
    assert OffTopic(default_topics()).owners(question) == owners


@pytest.mark.parametrize(
    ("question", "owners"),
    [
        ("지메일, 네이버 둘 다 해봤는데 확인 메일이 안 들어와요", []),
        ("쿠팡, 11번가 둘 다 해봤는데 배송이 느려요", ["쿠팡", "11번가"]),
    ],
)
def test_mailboxes_tried_in_turn_are_the_customers(question: str, owners: list[str]) -> None:
    assert OtherServices(default_services()).owners(question) == owners
