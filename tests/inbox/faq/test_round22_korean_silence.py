"""Round 22's Korean silence rules, both ways (faq29): real questions that tell a story about
another company or domain and then ask a request of ours, which the services, topics and veto
readings silenced; and Korean no-answer questions they let through (a tax refund, a symptom, a
courier's status told, a check of the chat itself, C code).

Written here, not taken from bench/faq_hard.jsonl. Each contrast is checked at the rule that
silenced its kind (so it fails without the change) and answered by the shipped engine; each
silence is checked at its rule; the guards are the near-misses each rule must leave alone."""

from __future__ import annotations

import pytest

from inbox.faq.clauses import veto_parts
from inbox.faq.salad import word_salad
from inbox.faq.search import FaqIndex
from inbox.faq.services import changes_ours
from inbox.faq.thanks import no_request_left
from tests.support.faq import slugs

# -- a change of ours asked after a story (services.changes_ours) --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "회원정보 연락처 수정하려고요",
        "가입 이메일 바꿀 수 있나요",
        "이제 기본 배송지 바꾸려는데 어디서 해요",
        "여기 계정 비밀번호도 변경하려면요",
        "기본 배송 주소부터 고쳐 두고 싶어요",
    ],
)
def test_a_change_of_our_account_is_read(text: str) -> None:
    assert changes_ours(text)


@pytest.mark.parametrize(
    "text",
    [
        "회원정보 삭제돼요?",  # leaving, not changing
        "주소록 백업하는 법",  # a phone's contacts
        "배송 날짜 바꾸고 싶어요",  # a sofa's delivery as much as ours
        "회원정보가 뭐예요 나중에 비밀번호 바꿀게요",  # the change is not the thing's
    ],
)
def test_other_things_or_no_change_are_not(text: str) -> None:
    assert not changes_ours(text)


@pytest.mark.parametrize(
    "question",
    [
        "KT 인터넷 해지하면서 메일 주소가 사라졌어요 가입 이메일 바꿀 수 있나요",
        "SKT 요금제 바꿨어요 회원정보 휴대폰 번호 수정하려고요",
    ],
)
def test_a_services_story_then_our_change_is_not_the_services(
    shipped: FaqIndex, question: str
) -> None:
    assert not shipped._others.owners(shipped._spacer(question))
    assert slugs(shipped, question)[:1] == ["account-edit"]


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("유심 바꾸면서 번호가 바뀌었어요 회원정보 연락처 고치려고요", "account-edit"),
        ("용달 부르기 전에 기본 배송 주소부터 고쳐 두고 싶어요", "shipping-address-change"),
    ],
)
def test_a_foreign_story_then_our_change_is_not_the_foreign_things(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not shipped._topics.owners(shipped._spacer(question))
    assert slugs(shipped, question)[:1] == [slug]


@pytest.mark.parametrize(
    "question",
    [
        "넷플릭스 해지했는데 회원정보 삭제돼요?",  # the story's own account, left
        "쿠팡 기본 배송지 바꾸는 법",  # the shop's own address book
        "KT 인터넷 해지하면 위약금 얼마예요",
    ],
)
def test_the_services_own_account_stays_the_services(shipped: FaqIndex, question: str) -> None:
    assert shipped._others.owners(shipped._spacer(question))


@pytest.mark.parametrize(
    "question",
    [
        "헬스장 회원정보 수정하려면요",  # the gym heads the member profile itself
        "헬스장 환불 때문에 문의드려요",  # a cause written about
        "호텔 예약 취소 어떻게 해요",
    ],
)
def test_a_foreign_things_own_request_stays_foreign(shipped: FaqIndex, question: str) -> None:
    assert shipped._topics.owners(shipped._spacer(question))


# -- the veto: our change read on its own part ----------------------------------------------------


def test_here_and_our_account_starts_the_part_the_veto_reads() -> None:
    parts = veto_parts(
        "페이스북 해킹당해서 비번 싹 바꾸는 중인데 여기 계정 비밀번호도 변경하려면요"
    )
    assert parts == ["여기 계정 비밀번호도 변경하려면요"]


def test_here_as_a_place_starts_no_contrast() -> None:
    text = "다른 데서 산 게 안 왔는데 여기서 조회해 줄 수 있어요?"
    assert veto_parts(text) == ["다른 데서 산 게 안 왔는데", "여기서 조회해 줄 수 있어요"]


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        (
            "페이스북 해킹당해서 비번 싹 바꾸는 중인데 여기 계정 비밀번호도 변경하려면요",
            "account-password-reset",
        ),
        (
            "구청에 전입신고 마쳤어요 이제 기본 배송지 바꾸려는데 어디서 해요",
            "shipping-address-change",
        ),
    ],
)
def test_a_story_the_veto_reads_as_none_does_not_silence_our_change(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert shipped.names_product(question)
    assert slugs(shipped, question)[:1] == [slug]


# -- services: where our mail lands, where the customer saw us, what was compared -----------------


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # A mail folder searched for our mail or link.
        ("지메일 스팸함까지 찾아봤는데 비밀번호 재설정 링크가 안 왔어요", "account-password-reset"),
        ("아웃룩 정크메일함까지 찾아봤는데 인증 메일이 안 와요", "account-signup"),
        # Seen there, imported from there, described with the copula, compared.
        ("틱톡에서 보고 왔는데 이 루테인 한 알에 몇 mg이에요", "product-info"),
        ("네이버 최저가 보고 왔는데 이 비타민D 유통기한 얼마나 남은 거 와요", "product-info"),
        (
            "네이버 간편주소 불러왔더니 예전 주소가 들어갔어요 주문한 거 주소 고쳐 주세요",
            "shipping-address-change",
        ),
        ("아이디가 지메일인 건 확실한데 암호를 모르겠어요", "account-password-reset"),
        ("쿠팡처럼 로켓배송 돼요? 내일 받을 수 있어요?", "shipping-time"),
    ],
)
def test_a_service_mentioned_around_our_request_is_no_owner(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not shipped._others.owners(shipped._spacer(question))
    assert slugs(shipped, question)[:1] == [slug]


@pytest.mark.parametrize(
    "question",
    [
        "지메일 스팸함 비우는 법",
        "네이버 메일함 용량 꽉 찼다는데",
        "쿠팡에서 주문한 거 취소하고 싶어요",
        "네이버 쇼핑 주문 취소하고 싶어요",
        "쿠팡 로켓배송 취소하고 싶어요",
    ],
)
def test_the_services_own_mailbox_or_order_stays_the_services(
    shipped: FaqIndex, question: str
) -> None:
    assert shipped._others.owners(shipped._spacer(question))


# -- services: a courier's status told, nothing asked ---------------------------------------------


def test_a_couriers_status_told_alone_is_the_couriers(shipped: FaqIndex) -> None:
    question = "한진택배 배송 조회하니 사흘째 간선상차 상태네요"
    assert shipped._others.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("한진택배 조회하면 집하에서 멈춰 있어요", "shipping-missing"),  # something wrong
        ("롯데택배 조회해 보니 배송 중인데 제 주문 언제 와요", "shipping-missing"),  # ours, asked
    ],
)
def test_a_couriers_status_with_a_problem_or_ours_stays_a_question(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not shipped._others.owners(shipped._spacer(question))
    assert slug in slugs(shipped, question)


# -- topics: a cause, a comparison, a bare refund or consultation, symptoms -----------------------


@pytest.mark.parametrize(
    "question",
    [
        "치과 예약 때문에 주말엔 집에 없어요 배송 날짜 알 수 있나요",
        "호텔 예약 취소처럼 주문도 버튼 하나로 취소돼요?",
        "쿠팡처럼 로켓배송 돼요? 내일 받을 수 있어요?",  # 로켓배송 is no rocket
    ],
)
def test_a_foreign_thing_as_cause_or_comparison_owns_nothing(
    shipped: FaqIndex, question: str
) -> None:
    assert not shipped._topics.owners(shipped._spacer(question))


@pytest.mark.parametrize(
    "question",
    [
        "4월에 홈택스에서 신고했는데 환급금이 아직 안 들어왔어요",
        "요가 학원 끊었는데 환급 아직 안 됐어요",
        "포맷하다가 바이러스 걸린 것 같은데 상담 가능해요?",
        "눈꺼풀 떨림이 며칠째 계속돼요",
        "불면증이면 무슨 과 가요?",
        "허리 디스크 초기 증상이 뭐예요",
    ],
)
def test_a_foreign_refund_consultation_or_symptom_gets_no_answer(
    shipped: FaqIndex, question: str
) -> None:
    assert shipped._topics.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


def test_a_comparison_on_no_request_word_is_no_circumstance(shipped: FaqIndex) -> None:
    question = "노트북에서 팬 소리가 비행기 이륙하는 것처럼 나요"
    assert shipped._topics.owners(shipped._spacer(question))


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("위염 있는데 유산균 먹어도 돼요", "product-info"),  # our product named
        ("택배 받았는데 환불 아직 안 됐어요", "refund-return"),
    ],
)
def test_our_product_or_parcel_beside_those_words_is_answered(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert slug in slugs(shipped, question)


# -- thanks: a check of the chat itself; an expired link is a problem ------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "혹시 지금 상담 되나요?",
        "글씨 잘 써지나 확인",
        "메시지 전송되는지 확인용이에요",
        "확인용입니다",
    ],
)
def test_a_check_of_the_chat_itself_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert no_request_left(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("새벽에도 상담 되나요", "contact-channels"),  # a time asked about
        ("카톡 상담 되나요", "contact-channels"),  # a channel asked about
        ("배송은 잘 받았어요 재설정 링크는 만료됐다고 나오네요", "account-password-reset"),
    ],
)
def test_hours_channels_and_an_expired_link_are_questions(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not no_request_left(question)
    assert slugs(shipped, question)[:1] == [slug]


def test_a_confirmation_mail_is_no_chat_word() -> None:
    assert not no_request_left("확인용 메일이 안 와요")


# -- salad: C, C++ and Java -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "#include <stdio.h> int main(){return 0;}",
        "#include <iostream> int main() { std::cout << 1; }",
        "public static void main(String[] args) { System.out.println(1); }",
    ],
)
def test_c_and_java_are_code(shipped: FaqIndex, message: str) -> None:
    assert word_salad(message) or word_salad(message.replace("<stdio.h>", " "))
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "message",
    ["Can I return it; the box is torn", "주문(2개) 빨리 보내주세요", "return policy?"],
)
def test_a_customers_return_or_brackets_are_no_code(message: str) -> None:
    assert not word_salad(message)
