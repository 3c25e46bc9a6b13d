"""A message that names one of the shop's products is vetoed on the parts that ask (round 20).

Its story is the customer's own circumstance around our goods (a gym friend's advice, a pet
that ate the pills); a story part that reads as no-answer alone must not outvote a request of
ours. Written here, not taken from bench/faq_hard.jsonl. Each message that must be answered
below is silenced by the veto that reads every part (`ours=False`, the engine before)."""

from __future__ import annotations

import pytest

from inbox.faq.clauses import veto_parts, vetoed_by
from inbox.faq.search import FaqIndex
from tests.support.faq import slugs


def test_only_the_asking_parts_are_read_when_the_message_is_ours() -> None:
    message = "카페에서 친구가 유산균 추천해 줬어요. 배송 언제 와요?"
    assert veto_parts(message) == ["카페에서 친구가 유산균 추천해 줬어요", "배송 언제 와요"]
    assert veto_parts(message, ours=True) == ["배송 언제 와요"]
    # No part asks: every part is read, ours or not.
    assert veto_parts("유산균 먹은 지 한 달 됐어요 친구도 좋대요", ours=True) == [
        "유산균 먹은 지 한 달 됐어요",
        "친구도 좋대요",
    ]
    # One part is the whole message.
    assert veto_parts("우체국 EMS로 미국에 영양제 보내도 되나요", ours=True) == [
        "우체국 EMS로 미국에 영양제 보내도 되나요"
    ]


@pytest.mark.parametrize(
    ("message", "ours"),
    [
        ("강아지가 제 영양제를 먹었는데 성분이 궁금해요", True),
        ("헬스장 형이 단백질 추천해 줬어요 배송비 얼마예요", True),
        ("vitamin d 주문했는데 언제 와요", True),
        # 여기 points at the shop, but asking us about another shop's parcel is not ours.
        ("11번가에서 산 운동화가 안 왔는데 여기서 조회해 줄 수 있어요?", False),
        # 이거 points at whatever the story told.
        ("택시에 지갑 두고 내렸는데 이거 어떻게 찾아요", False),
        # A product word inside a foreign compound feeds a plant (inbox.faq.topics).
        ("식물 영양제 잎에 뿌렸는데 환불 되나요", False),
    ],
)
def test_names_product(shipped: FaqIndex, message: str, ours: bool) -> None:
    assert shipped.names_product(message) is ours


ANSWERED = [
    (
        "헬스장에서 형들이 단백질 추천해 줬는데요. 주문하고 나서 맛 변경 가능해요?",
        "order-change-cancel",
    ),
    # Round 24's teaching (coupons of delivery apps as no-answer questions) made the request
    # "가입하면 쿠폰 주나요" read P(none) 0.073 alone, over VETO_PART: that message is vetoed now
    # (a loss, docs/decisions.md "FAQ round 24: the lead's part"); the same story, asked how:
    ("인스타에서 영양제 광고 보고 들어왔어요. 가입은 어떻게 해요?", "account-signup"),
    # Round 23's teaching left "카페에서 친구가 유산균 추천해 줬어요. 배송 언제 와요?" unvetoed
    # whole (answered either way); the same kind of story, vetoed whole:
    ("미용실에서 원장님이 콜라겐 추천해 주셨어요. 배송 언제 와요?", "shipping-time"),
    # Round 22's re-teaching left "아기 어린이집 보내고 나서 유산균 주문했는데 언제 와요?" below
    # the veto as a whole (P(none) 0.67), so it no longer tests this; the same story does.
    ("아이 어린이집 보내놓고 홍삼 주문했는데 언제 와요?", "shipping-time"),
]


@pytest.mark.parametrize(("message", "slug"), ANSWERED)
def test_a_story_around_our_product_does_not_veto_a_request_of_ours(
    shipped: FaqIndex, message: str, slug: str
) -> None:
    assert shipped._veto is not None
    assert vetoed_by(shipped._veto, message)  # every part read: vetoed
    assert not shipped.vetoed(message)
    assert slug in slugs(shipped, message)


@pytest.mark.parametrize(
    "message",
    [
        # ours, but the part that asks reads none itself
        "강아지가 제 영양제를 먹었는데 병원 가야 하나요",
        # ours, one part
        "우체국 EMS로 미국에 영양제 보내도 되나요",
        # not ours: 이거, a plant's food, another shop's parcel asked here
        "택시에 지갑 두고 내렸는데 이거 어떻게 찾아요",
        "식물 영양제 잎에 뿌렸는데 환불 되나요",
        "11번가에서 산 운동화가 안 왔는데 여기서 조회해 줄 수 있어요?",
    ],
)
def test_the_veto_still_silences(shipped: FaqIndex, message: str) -> None:
    assert shipped.vetoed(message)
    assert shipped.answer(message) == []
