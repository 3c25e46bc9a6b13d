"""Round 23's Korean silence rules, both ways (faq31): checks of the chat itself, arriving on
someone's word, taking the question back, leaving to look something up; another party's
errand (a food rider, a bank's certificate, a phone bill's micro-payment); and the contrasts
that must stay answered (the agent greeted before a question, a name changed at the 주민센터
then ours, an order done away with to order again).

Written here, not taken from bench/faq_hard.jsonl. Each silence is checked at its rule and on
the shipped engine; the guards are the near-misses each rule must leave alone."""

from __future__ import annotations

import pytest

from inbox.faq.search import FaqIndex
from inbox.faq.services import changes_ours
from inbox.faq.thanks import no_request_left, without_vocative
from tests.support.faq import slugs

# -- thanks: is the line up, is what I write seen or heard ----------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "상담사님이랑 지금 연결된 거 맞죠?",
        "연결중이에요?",
        "아직 연결 중인가요",
        "제 메시지 보이시나요?",
        "제 말 들리시나요",
        "글 잘 보이시죠?",
        "직원분이랑 연결된 상태인가요?",
    ],
)
def test_a_check_of_the_line_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert no_request_left(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "question",
    [
        "상담원 연결해 주세요",
        "상담원 연결 부탁드려요",
        "상담원이랑 통화하고 싶어요",
        "직원 연결 부탁",
    ],
)
def test_asking_for_a_person_stays_a_question(shipped: FaqIndex, question: str) -> None:
    assert not no_request_left(question)
    assert slugs(shipped, question)[:1] == ["contact-channels"]


@pytest.mark.parametrize(
    "question",
    ["상담원 연결돼요?", "버튼이 안 보여요", "제 주문 보이세요?", "연결된 카드 바꾸고 싶어요"],
)
def test_being_connected_or_seen_about_something_is_no_chat_check(question: str) -> None:
    assert not no_request_left(question)


# -- thanks: arriving on someone's word, taking it back, leaving to look ---------------------------


@pytest.mark.parametrize(
    "message",
    [
        "친구 소개로 처음 와 봤어요",
        "언니 추천받아서 들어와 봤어요 ㅎㅎ",
        "아 아니에요 됐어요",
        "아니다 괜찮아요 ㅎㅎ",
        "주문번호 확인해 보고 다시 연락드릴게요",
        "송장 어디 뒀더라 찾아보고 다시 올게요",
    ],
)
def test_an_arrival_a_retraction_or_a_deferral_gets_no_answer(
    shipped: FaqIndex, message: str
) -> None:
    assert no_request_left(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "question",
    [
        "친구 추천받았는데 추천인 코드 어디 넣어요",
        "배송지 바꾸고 싶은데 주소 확인해 보고 다시 연락드릴게요",
        "아니다 그냥 환불해 주세요",
        "뭐였더라 전에 산 거 목록 어디서 봐요",
    ],
)
def test_a_request_told_with_them_stays_a_question(question: str) -> None:
    assert not no_request_left(question)


# -- topics: another party's errand ----------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "배달 라이더가 치킨을 엉뚱한 집에 두고 갔대요 보상은 누가 해 줘요",
        "금융인증서 갱신하는데 비밀번호 모르겠어요",
        "휴대폰 소액결제 한도 어떻게 올려요",
        "정보이용료 환불 어디서 신청해요",
    ],
)
def test_another_partys_errand_gets_no_answer(shipped: FaqIndex, question: str) -> None:
    assert shipped._topics.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("배달 기사님이 문 앞에 두고 갔다는데 없어요", "shipping-missing"),
        ("휴대폰 결제로 산 유산균 환불하면 언제 들어와요?", "refund-return"),
    ],
)
def test_our_parcel_or_payment_stays_ours(shipped: FaqIndex, question: str, slug: str) -> None:
    assert not shipped._topics.owners(shipped._spacer(question))
    assert slug in slugs(shipped, question)


# -- services: the member's name changed after a story ---------------------------------------------


@pytest.mark.parametrize("text", ["회원 이름도 바꾸려면요", "회원명 변경 어디서 해요"])
def test_a_change_of_the_members_name_is_ours(text: str) -> None:
    assert changes_ours(text)


def test_a_name_changed_elsewhere_then_ours_is_answered(shipped: FaqIndex) -> None:
    question = "주민센터에서 개명 신청 마쳤어요 회원명 변경은 어떻게 해요"
    assert not shipped._topics.owners(shipped._spacer(question))
    assert slugs(shipped, question)[:1] == ["account-edit"]


def test_a_gyms_member_name_stays_the_gyms(shipped: FaqIndex) -> None:
    assert shipped._topics.owners(shipped._spacer("헬스장 회원 이름 바꾸려면"))


# -- the agent greeted before the question ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("안녕하세요 상담사님, 주문한 유산균 언제 발송돼요?", "주문한 유산균 언제 발송돼요?"),
        ("직원분! 배송지 바꿀 수 있나요", "배송지 바꿀 수 있나요"),
        ("상담원님 연결해 주세요", "상담원님 연결해 주세요"),  # no mark: the person asked for
        ("상담원님,", "상담원님,"),  # nothing follows
        ("안녕하세요 상담사님 어제 주문한 거 언제 출고돼요?", "어제 주문한 거 언제 출고돼요?"),
        ("안녕하세요 상담원님 연결해 주세요", "안녕하세요 상담원님 연결해 주세요"),
        ("안녕하세요 상담원님 계세요?", "안녕하세요 상담원님 계세요?"),
    ],
)
def test_the_vocative_is_dropped_only_before_a_question(text: str, rest: str) -> None:
    assert without_vocative(text) == rest


@pytest.mark.parametrize(
    "question",
    [
        "안녕하세요 상담원님, 주문한 홍삼 언제 발송되는지 알 수 있을까요?",
        "수고하십니다 상담원님, 주문한 루테인 배송 언제쯤 출발하나요?",
    ],
)
def test_a_question_after_greeting_the_agent_is_not_the_contact_article(
    shipped: FaqIndex, question: str
) -> None:
    assert slugs(shipped, question)[:1] == ["shipping-time"]
    assert "contact-channels" not in slugs(shipped, question)


# -- synonyms: an order done away with is cancelled ------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["주문 없앨 수 있나요", "주문건 없애려면 어떻게 해요", "그 주문은 없애 주세요"],
)
def test_an_order_done_away_with_is_cancelled(shipped: FaqIndex, question: str) -> None:
    assert slugs(shipped, question)[:1] == ["order-change-cancel"]
