"""A request about another company's own parts — its help desk, site, account money or
messenger profile — is that company's, whether a list names it or not; paying, signing in or
writing with the same names stays ours.

Written here, not taken from bench/faq_hard.jsonl. Each silenced question below was answered
before round 17."""

from __future__ import annotations

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.search import FaqIndex
from tests.support.faq import slugs


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
        # The name's phrase ends at …는데: the password after it is ours, not the courier's.
        ("롯데택배 송장 떴는데 비밀번호 재설정 메일이 안 와요", "account-password-reset"),
    ],
)
def test_paying_or_asking_with_those_names_stays_ours(
    index: FaqIndex, question: str, slug: str
) -> None:
    assert not index._others.owners(question)
    assert slug in slugs(index, question)


# Round 18. Written here; each silenced question was answered before round 18.
@pytest.mark.parametrize(
    "question",
    [
        "로젠택배 앱에서 배송 알림 끄고 싶어요",  # a setting of the courier's own app
        "토스 고객센터랑 통화하려면 몇 번 눌러요",  # its help desk, with a comitative
        "GS25에서 택배 보냈는데 어디쯤인지 조회하고 싶어요",  # a parcel the customer sent
        "세븐일레븐에서 보낸 택배 송장 어디서 봐요",
    ],
)
def test_a_couriers_app_a_help_desk_met_or_a_parcel_sent_at_a_counter_is_theirs(
    index: FaqIndex, question: str
) -> None:
    assert index._others.owners(question)
    assert index.answer(question) == []


def test_a_pick_up_booking_is_the_couriers_own_part(index: FaqIndex) -> None:
    assert index._others.owners("한진택배 어플에서 방문 접수 예약 어떻게 해요")
    assert index._others.owners("우체국 택배 방문접수 날짜 바꾸고 싶어요")
    assert index._others.owners("로젠택배 앱에서 배송 기사 메모 설정 어디서 해요")
    assert index._others.owners("CJ대한통운 배송 알림톡 수신 거부 어떻게 해요")
    assert index._others.owners("우체국 앱 회원 탈퇴하고 싶어요")


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("CJ대한통운 앱에 송장번호 넣었는데 조회가 안 돼요", "shipping-tracking"),
        ("카카오페이 고객센터랑 통화했는데 환불은 여기서 해준대요 언제 들어와요", "refund-return"),
        ("CU 편의점에서 반품 보냈는데 환불 언제 돼요", "refund-return"),
    ],
)
def test_our_parcel_in_their_app_or_a_return_sent_at_a_counter_stays_ours(
    index: FaqIndex, question: str, slug: str
) -> None:
    assert not index._others.owners(question)
    assert slug in slugs(index, question)


def test_a_return_sent_at_a_counter_is_not_the_stores_though_the_veto_may_silence_it(
    index: FaqIndex,
) -> None:
    """The services rule leaves it ours. Since round 18 taught many parcels the customer sent
    at a counter as no-answer questions, the veto reads this one as theirs (P(none) 0.88):
    a known false silence (docs/decisions.md "FAQ round 18 … the veto"), offered a person.
    Training the veto only on questions no rule reads answered it, and 23 more labelled
    questions of the folds, but let 34 no-answer ones through; not kept."""
    question = "편의점택배로 반품 보냈는데 회수 확인 되나요"
    assert not index._others.owners(question)
    assert "refund-return" in [hit.slug for hit in index.search(question)[:3]]


def test_money_sent_with_a_pay_service_is_the_services(index: FaqIndex) -> None:
    """A transfer is not a purchase: the instrumental keeps a payment ours, not a 송금."""
    assert index._others.owners("네이버페이로 송금 잘못 했는데 취소돼요?")
    assert index._others.owners("페이코로 보낸 송금 되돌릴 수 있나요")
    assert not index._others.owners("환불은 토스로 송금해 주시나요")  # our refund, sent
    assert not index._others.owners("계좌이체로 결제했는데 취소하면 언제 돌려받아요")
