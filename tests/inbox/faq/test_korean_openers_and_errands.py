"""Round 24's Korean silence rules, both ways (faq35): openers that ask nothing (a chatty hello, a
first meeting, a return after long, an apology for the hour, a connection checked as a question
to oneself); everyday errands in the shop's words (preparing for a race, food packed in an ice
box and sent, a burger chain's delivery); and the contrasts that must stay answered (asking for
a person or for the hours, our mail missing from every mailbox tried, a tub half eaten sent
back, a reason told after the request).

Written here, not taken from bench/faq_hard.jsonl. Each silence is checked at its rule and on
the shipped engine; the guards are the near-misses each rule must leave alone."""

from __future__ import annotations

import pytest

from inbox.faq.clauses import clause_weights
from inbox.faq.search import FaqIndex
from inbox.faq.services import OtherServices, default_services
from inbox.faq.thanks import no_request_left
from inbox.faq.topics import OffTopic, default_topics
from tests.support.faq import slugs


@pytest.fixture(scope="module")
def topics() -> OffTopic:
    return OffTopic(default_topics())


# -- thanks: openers, first meetings, the hour apologised for, a connection wondered about ---------


@pytest.mark.parametrize(
    "message",
    [
        "하이루~ 간만에 와 봤어요",
        "안뇽하세요 ㅎㅎ",
        "오랫만에 들어와 봤습니다",
        "처음 봬요 잘 부탁드려요",
        "처음 뵙겠습니다!",
        "이른 아침부터 실례합니다",
        "늦은 밤에 죄송해요",
        "바쁘신데 실례합니다~",
        "지금 상담원이랑 연결된 건가요",
        "이거 연결된 건가",
    ],
)
def test_an_opener_or_a_connection_wondered_about_gets_no_answer(
    shipped: FaqIndex, message: str
) -> None:
    assert no_request_left(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "question",
    [
        "늦은 시간에 실례합니다 주문 취소 가능할까요",
        "새벽에 실례합니다 상담 되나요",
        "늦은 시간에 전화 돼요?",
        "상담원이랑 통화하고 싶은데 연결된 건가요?",
        "상담원 연결되는 건가요?",
        "처음 뵙겠습니다 주문 취소하고 싶어요",
        "오랜만에 주문하려는데 회원가입 다시 해야 하나요",
    ],
)
def test_an_opener_before_a_question_or_the_hours_asked_stays_a_question(question: str) -> None:
    assert not no_request_left(question)


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("새벽에 실례합니다 상담 되나요", "contact-channels"),
        ("상담원이랑 통화하고 싶은데 연결된 건가요?", "contact-channels"),
    ],
)
def test_asking_for_a_person_after_an_opener_is_answered(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert slugs(shipped, question)[:1] == [slug]


# -- topics: preparing for the story's event, food packed to send; a half-eaten tub is ours --------


@pytest.mark.parametrize(
    "message",
    [
        "다음 달 하프 마라톤 나가는데 준비 기간 몇 주 잡아야 돼요",
        "마라톤 처음 뛰는데 준비 어떻게 해요",
        "아이스박스에 김치 담아서 보내면 이틀 걸려도 괜찮나요",
        "보냉팩 넣어서 반찬 부치려는데 여름에도 괜찮을까요",
    ],
)
def test_an_everyday_errand_in_the_shops_words_gets_no_answer(
    topics: OffTopic, shipped: FaqIndex, message: str
) -> None:
    assert topics.owners(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "question",
    [
        "마라톤 준비하는데 먹을 만한 영양제 있나요",
        "마라톤 나가는데 단백질 언제 먹어야 해요",
        "아이스박스에 넣어서 보내 주시나요",
        "상한 채로 와서 아이스박스째로 반품 보내면 되나요",
        "이 유산균 한 통 먹다 남은 거 교환 되나요",
        "반쯤 먹다 남은 거 환불 안 되나요",
    ],
)
def test_a_product_or_our_parcel_in_the_same_words_stays_ours(
    topics: OffTopic, question: str
) -> None:
    assert topics.owners(question) == []


def test_a_half_eaten_tub_sent_back_is_answered(shipped: FaqIndex) -> None:
    question = "선물 받은 건데 입맛에 안 맞아서 한 통 먹다 남은 거 환불 돼요?"
    assert "refund-return" in slugs(shipped, question)


@pytest.mark.parametrize(
    "message", ["먹다 남은 치킨 냉장 보관해도 돼요", "먹다 남은 피자 데우는 법"]
)
def test_a_cooks_leftovers_stay_foreign(topics: OffTopic, message: str) -> None:
    assert topics.owners(message)


# -- services: a burger chain's delivery; mailboxes tried in turn are ours -----------------------


@pytest.mark.parametrize("message", ["맥딜리버리 배달비 얼마예요", "맥딜 주문 취소 어떻게 해요"])
def test_a_burger_chains_delivery_is_another_company(shipped: FaqIndex, message: str) -> None:
    assert OtherServices(default_services()).owners(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "question",
    [
        "네이버랑 다음 메일 다 넣어봤는데 인증 메일이 안 와요",
        "지메일이랑 네이버 둘 다 해봤는데 비밀번호 재설정 메일이 안 와요",
        "지메일, 다음 둘 다 입력해봤는데 가입 메일이 없어요",
    ],
)
def test_our_mail_missing_from_every_mailbox_tried_is_ours(question: str) -> None:
    assert OtherServices(default_services()).owners(question) == []


def test_a_service_tried_for_its_own_login_stays_its_own() -> None:
    assert OtherServices(default_services()).owners("네이버 둘 다 해봤는데 로그인이 안 돼요")


# -- clauses: a reason told after the request is not the request ----------------------------------


@pytest.mark.parametrize(
    "clauses",
    [
        ["밤 10시 넘어서 전화해도 받아", "일이 늦게 끝나서"],
        ["이거 교환 되죠", "사이즈가 안 맞아서요"],
        ["주말에도 통화 되는 거", "평일엔 시간이 없거든요"],
    ],
)
def test_a_reason_after_the_request_counts_as_background(clauses: list[str]) -> None:
    assert clause_weights(clauses) == [1.0, 0.3]


def test_a_late_call_asked_before_its_reason_is_answered(shipped: FaqIndex) -> None:
    question = "밤 11시 반에 전화해도 받아? 야근이 늦게 끝나서"
    assert slugs(shipped, question)[:1] == ["contact-channels"]
