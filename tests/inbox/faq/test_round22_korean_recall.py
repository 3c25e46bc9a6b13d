"""Round 22 (faq27): Korean questions the gate silenced for words the articles never use —
short telegraphic lines (열흘째 감감, 두번눌러짐, 오늘나감?, 돈 언제 돌아옴, 대구까지 이틀?),
dialect (맹글다, …서 하노), loan and office words (프리 딜리버리, 트래킹 코드, 회원 등재, 매입
이력, 제형), 작년 for the order history — folded as families in `synonyms.py`, and the false
friends those folds would open kept closed.

Wordings are written for these tests, not taken from the bench splits. `shipped` is the engine
a visitor meets."""

from __future__ import annotations

import pytest

from inbox.faq.search import FaqIndex
from inbox.faq.synonyms import fold
from tests.support.faq import slugs


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        # 맹글다 / 맨들다 (dialect 만들다), where a word starts.
        ("아이디 맹글고 싶어요", "아이디 만들고 싶어요"),
        ("계정 맨드는 법", "계정 만드는 법"),
        # …서 하노 as …서 보노 (round 21); a trip to Hanoi stays as written.
        ("어데서 하노", "어디서 하나요"),
        ("서울에서 하노이 가는 법", "서울에서 하노이 가는 법"),
        # Buying without joining is the sign-up article's 비회원 주문.
        ("회원 아니라도 되나요", "비회원으로 되나요"),
        ("가입 안 하고 사도 돼?", "비회원으로 사도 돼?"),
        ("회원가입 없이 결제", "비회원으로 결제"),
        # An order that went through (먹히다), only after 주문/결제.
        ("주문 잘 먹혔어요?", "주문 잘 접수됐어요?"),
        ("결제 먹힌 거 맞죠", "결제 접수된 거 맞죠"),
        ("약이 잘 먹혔나 봐요", "약이 잘 먹혔나 봐요"),
        # Leaving the warehouse after a day word; money going out stays as written.
        ("당일 나가나요", "당일 출고되나요"),
        ("오늘나감?", "오늘 출고됨?"),
        ("배송비 따로 나가나요", "배송비 따로 나가나요"),
        # A duration with 째 and 감감 / 소식 없.
        ("나흘째 감감", "나흘째 안 와요"),
        ("일주일째 감감무소식", "일주일째 안 와요"),
        ("열흘째 소식이 없네", "열흘째 지연 소식이 없네"),
        # Pressing pay twice.
        ("두 번 눌렸어요", "중복 주문어요"),
        # Free delivery and its threshold in loan words; 글루텐 프리 stays.
        ("프리 딜리버리 라인", "무료 배송 라인"),
        ("구매 라인 얼마", "구매 기준 금액 얼마"),
        ("글루텐 프리", "글루텐 프리"),
        # A tracking code is its number.
        ("트래킹 코드 어디", "트래킹 번호 어디"),
        ("송장 발급 언제", "송장 번호 나오 언제"),
        # Joining as being entered on the members' list.
        ("회원 등재 방법", "회원가입 방법"),
        ("이용자 등록", "회원가입"),
        ("논문 등재", "논문 등재"),
        # A business's purchases with its ledger words.
        ("매입 이력 조회", "구매 이력 조회"),
        ("금 매입 시세", "금 매입 시세"),
        # A product's form; 정제수 stays.
        ("제형이 뭐예요", "제품 형태이 뭐예요"),
        ("정제 말고 소프트젤", "알약 말고 연질 캡슐"),
        ("정제수", "정제수"),
        # How long it keeps once opened; a return after opening stays.
        ("개봉 후엔 얼마나 가요", "개봉 후엔 보관 방법 얼마나 가요"),
        ("개봉 후 반품", "개봉 후 반품"),
        ("아침저녁?", "아침 저녁 섭취?"),
        # Last year's purchases, money coming back, no news, a mistaken order, days to a place.
        ("재작년 주문", "지지난해 주문"),
        ("작년에 산 거", "지난해에 산 거"),
        ("돈 언제 돌려줌", "환불 언제 들어옴"),
        ("돈은 언제 돌아와요", "환불은 언제 들어와요"),
        ("택배 감감하네요", "택배 안 오네요"),
        ("실수로 결제함", "잘못 주문 결제함"),
        ("대구까지 이틀?", "대구까지 며칠 이틀?"),
    ],
)
def test_round22_words_fold_to_the_articles_words(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("계정 맹글라는데 어데서 하노", "account-signup"),
        ("회원 아니라도 구매됨?", "account-signup"),
        ("결제 잘 먹혔어요?", "order-status"),
        ("결제 먹혔나", "order-status"),
        ("지금 사면 내일 나가요?", "shipping-time"),
        ("일주일째 감감", "shipping-missing"),
        ("사흘째 소식이 없네", "shipping-missing"),
        ("두번 눌렸음", "order-change-cancel"),
        ("프리 딜리버리 되는 구매 라인?", "shipping-fee"),
        ("송장 코드 발급", "shipping-tracking"),
        ("이용자로 등록하려면", "account-signup"),
        ("매입 내역 뽑고 싶어요", "order-history"),
        ("소프트젤 제형 있어요?", "product-info"),
        ("뜯고 얼마나 버텨요", "product-info"),
        ("오메가3 아침저녁 나눠서?", "product-info"),
        ("재작년 산 것", "order-history"),
        ("돈 언제 돌려줘요", "refund-return"),
        ("돈은 언제 돌아와", "refund-return"),
        ("물건 감감함", "shipping-missing"),
        ("부산까지 사흘?", "shipping-time"),
    ],
)
def test_round22_words_reach_their_article(shipped: FaqIndex, question: str, slug: str) -> None:
    assert slugs(shipped, question)[:1] == [slug]


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # Guards: near the folds, labelled-like questions keep their article.
        ("환불 신청한 지 일주일째 소식이 없어요", "refund-return"),
        ("개봉 후 반품 되나요", "refund-return"),
        ("배송비 따로 나가나요", "shipping-fee"),
    ],
)
def test_round22_neighbours_keep_their_article(shipped: FaqIndex, question: str, slug: str) -> None:
    assert slugs(shipped, question)[:1] == [slug]


@pytest.mark.parametrize(
    "question",
    [
        "논문 등재 절차 알려주세요",
        "정제수랑 증류수 차이",
        "약이 잘 먹혔는지 열이 내렸어요",
        "오늘 나가서 놀 건데 어디가 좋아요",
        "서울에서 하노이 가는 비행기 얼마예요",
        "맨드라미 키우는 법",
        "중고 금 매입 시세 알려줘",
        "작년 연말정산 환급금 언제 들어와요",
    ],
)
def test_round22_false_friends_stay_silent(shipped: FaqIndex, question: str) -> None:
    assert slugs(shipped, question) == []
