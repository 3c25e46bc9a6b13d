"""Round 21's Korean silences (faq24): families of no-answer questions the engine still answered
in hard-dev-21b, each read by a rule module (thanks, salad, services, topics), the labelled
questions those modules silenced that are ours, and the near-misses each rule must leave alone.

Written here, not taken from bench/faq_hard.jsonl. Each silenced message is checked at the rule
that reads it (so it fails without the rule, whatever the veto does) and at the shipped engine;
each near-miss is checked to stay out of the rule, and answered where the article is clear."""

from __future__ import annotations

import pytest

from inbox.faq.salad import word_salad
from inbox.faq.search import FaqIndex
from inbox.faq.thanks import no_request_left
from tests.support.faq import slugs

# -- thanks.py --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        # A holiday wish with no adjective, and "rest well".
        "설 연휴 잘 보내시고 상담원분들도 푹 쉬세요",
        "명절 잘 쇠세요~",
        "한가위 풍성하게 보내세요",
        "주말 잘 보내세요 상담사님",
        # A message sent by mistake.
        "앗 잘못 보냈어요 무시해주세요",
        "헉 실수로 눌렀네 죄송",
        "죄송해요 잘못 들어왔어요",
        # Finding out where one is.
        "아 여기가 채팅하는 곳이구나",
        "오 이게 상담창이네요ㅎㅎ",
        # Cheering, stars, no reply needed, ignore it, a question forgotten.
        "늘 응원합니다 파이팅!",
        "별점 만점 주고 가요 다음에 또 올게요",
        "네 말씀하신 대로 해 볼게요",
        "확인했어요 답장 안 하셔도 돼요",
        "조카가 장난으로 보낸 거예요 무시해 주세요",
        "문의하려던 게 있었는데 까먹었어요 생각나면 다시 올게요",
        "이 영양제 먹고 엄마가 좋아하셔서 그냥 자랑하고 싶어서 왔어요",
    ],
)
def test_a_message_that_asks_nothing_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert no_request_left(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "message",
    [
        # The slip names a payment, or 잘못 is the problem itself (a wrong item came).
        "결제 잘못 눌렀어요 죄송합니다",
        "잘못 왔어요",
        "상품이 잘못 들어왔어요",
        # A request after the wish or the discovery.
        "명절 잘 보내세요 근데 배송 언제 와요",
        "이게 상담창이구나 배송 언제 와요",
        "앞 메시지 무시해 주세요 주소 바꿔주세요",
        "말씀하신 대로 했는데 안 돼요",
        "비밀번호 까먹었어요 생각나면 다시 올게요",
        "환불 원합니다",
    ],
)
def test_a_request_around_those_words_is_no_closing(message: str) -> None:
    assert not no_request_left(message)


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("연휴 끼면 배송 늦어요?", "shipping-time"),
        ("주문 잘못 눌렀어요 취소해 주세요", "order-change-cancel"),
    ],
)
def test_a_holiday_or_a_slip_in_a_question_is_answered(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert slug in slugs(shipped, question)


# -- salad.py ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "cat /etc/nginx/nginx.conf",
        "tail -n 50 server.log",
        "ps aux | grep python",
        'Traceback (most recent call last):\n  File "app.py", line 12, in <module>',
        "KeyError: 'order_id'",
        'Exception in thread "main" java.lang.NullPointerException',
        "TRUNCATE TABLE orders;",
        "ALTER TABLE members ADD COLUMN grade int",
        "SELECT email FROM members",
    ],
)
def test_program_text_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert word_salad(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "find my order please",
        "they truncate my name on the label",
        "can I select items from the list",
        "cat 사료 말고 영양제 주문 내역 어디서 봐요",
    ],
)
def test_a_command_word_in_a_request_is_no_program(message: str) -> None:
    assert not word_salad(message)


# -- services.py ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        # Two of the service's own things joined by 랑.
        "인스타그램 계정 비활성화랑 탈퇴 차이가 뭐예요",
        "카카오페이 잔액이랑 충전 내역 어디서 봐요",
        # Leaving a service the store also uses, named right after it.
        "트위터 계정 영구 삭제 방법",
        "인스타 계정 삭제랑 비활성화 뭐가 달라요",
        "카톡 탈퇴",
        # A courier's own service on its site: a pick-up booked, the customer's own mail.
        "한진택배 홈페이지에서 방문 접수 예약한 거 날짜 바꾸려면요",
        "우체국 홈페이지에서 등기 조회하는 법",
    ],
)
def test_another_services_own_request_gets_no_answer(shipped: FaqIndex, question: str) -> None:
    assert shipped._others.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # Our parcel looked up on a courier's site.
        ("한진택배 사이트에서 찍어봤는데 아직 집하 전이래요", "shipping-tracking"),
        ("CJ대한통운 홈페이지에서 송장 조회하니까 정보가 없다고 나와요", "shipping-tracking"),
        # CoQ10 is a product, not the shop 큐텐.
        ("코큐텐 하루에 몇 알 먹어야 해요", "product-info"),
        ("코엔자임 큐텐 뜯지 않은 거 반품하고 싶어요", "refund-return"),
        # This mall, with its particle.
        ("쿠팡 회원인데 이 몰은 처음이에요 가입은 어디서 해요", "account-signup"),
        # A product compared with another shop's: ours.
        ("다이소 비타민이랑 이 제품이랑 원료가 뭐가 달라요", "product-info"),
        # Leaving a service or ending a card told as the story before our request.
        ("국민카드 해지해서 저장해 둔 결제 카드를 새 걸로 바꿔야 해요", "account-edit"),
        ("카톡 탈퇴랑은 별개로 여기 회원 탈퇴하면 적립금은 어떻게 돼요", "account-delete"),
        # A service's password as the one ours was confused with.
        ("카카오페이 비번이랑 헷갈려서 비밀번호를 까먹었어요", "account-password-reset"),
        ("네이버 비밀번호랑 같은 걸로 했는데 로그인이 안 돼요", "account-password-reset"),
    ],
)
def test_the_same_names_around_our_request_stay_ours(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not shipped._others.owners(shipped._spacer(question))
    assert slug in slugs(shipped, question)


# -- topics.py and topics.json ----------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        # A device's own lock.
        "갤럭시 잠금화면 비밀번호 잊어버렸어요",
        "아이패드 암호 틀려서 비활성화됐어요 어떻게 풀어요",
        # An injection or a drip: 비타민 inside it is no product of ours.
        "비타민 주사 맞으면 얼마 정도 해요",
        "신데렐라 주사랑 마늘 주사 차이가 뭐예요",
        # A point of law with no deal of the shop's.
        "아파트 관리실이 택배 보관 거부하는 거 합법인가요",
        "회사에서 연차 안 주는 거 불법 아닌가요",
        # The customer posting a parcel abroad.
        "EMS로 일본 사는 언니한테 반찬 보내려는데 며칠 걸려요",
        "국제 소포로 호주에 옷 부치려면 박스 크기 제한 있어요",
    ],
)
def test_a_foreign_things_request_gets_no_answer(shipped: FaqIndex, question: str) -> None:
    assert shipped._topics.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # A legality asked of a deal with the shop, or of our lost parcel.
        ("개봉했다고 환불 안 해 주는 거 불법 아닌가요", "refund-return"),
        # An injection as the story, our product asked about.
        ("마늘 주사 맞고 비타민C 영양제 같이 먹어도 돼요", "product-info"),
        # A return by EMS names itself; a holiday gift of ours is no post abroad.
        ("EMS로 반품 보내려면 주소 어디예요", "refund-return"),
        ("설 연휴 끼면 얼마나 늦어짐? 시골 부모님 명절선물로 보낼거라", "shipping-time"),
        # Our account's lock.
        ("계정 잠금 풀고 비밀번호 다시 정하고 싶어요", "account-password-reset"),
        # A charge on our order: 과금 is a game's only in 게임 과금.
        ("배송비가 따로 과금되는 건가요", "shipping-fee"),
    ],
)
def test_our_request_near_those_words_stays_ours(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not shipped._topics.owners(shipped._spacer(question))
    assert slug in slugs(shipped, question)


def test_a_lost_parcels_legal_claim_is_not_the_legality_rules(shipped: FaqIndex) -> None:
    """The legality rule leaves a claim on our lost parcel alone (it names 분실). Since round 21's
    teaching the veto silences this one: the two no-answer questions it learnt 법적으로 from
    (a guard's parcel notice, a handwritten will) outweigh it; no labelled bench question
    asks a legal claim of the shop (docs/decisions.md, "FAQ round 21: the lead's part")."""
    question = "택배 분실됐는데 법적으로 보상받을 수 있나요"
    assert not shipped._topics.owners(shipped._spacer(question))
