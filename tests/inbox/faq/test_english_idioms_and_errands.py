"""Round 24 (faq34): English idioms for the articles' requests, ingredient words, and other
parties' errands asked in the shop's words.

- synonyms.py: phrasal verbs and idioms ("back out of my order", "ditch one of them", "dig up
  what I ordered"), an order "placed … twice" with its object between, softgels and the animal
  a gelatin comes from, and "OK for someone who's breastfeeding";
- services.py: a bank, telco or platform named in a story before a question about an order;
- topics.py and topics.json: a foreign phrase the clause split cut ("lost and found"), signing
  up and paying as English request words, and the computer's, the immigration office's and the
  school's own things; services.json: the LINE messenger.

Written here, not taken from bench/faq_hard.jsonl. Each guard is a false friend kept out."""

from __future__ import annotations

import pytest

from inbox.faq.search import FaqIndex
from inbox.faq.synonyms import fold
from tests.support.faq import slugs

# -- answered: idioms, ingredients, a story naming a bank ----------------------------------


@pytest.mark.parametrize(
    ("message", "slug"),
    [
        # Taking an order back, in phrasal verbs.
        (
            "Is it too late to back out of this purchase? I only paid ten minutes ago",
            "order-change-cancel",
        ),
        (
            "Woori Bank texted me about a weird login, so I placed my order twice. "
            "Can I scrap one of them?",
            "order-change-cancel",
        ),
        # Finding a past order.
        ("Need to dig up what we ordered for the office back in March", "order-history"),
        # Ingredients: softgels, the gelatin's animal, a state the product is taken in.
        ("Are your softgels made from pork gelatin? I keep kosher", "product-info"),
        ("Is the magnesium fine for someone who is pregnant?", "product-info"),
    ],
)
def test_an_english_idiom_or_ingredient_is_answered(
    shipped: FaqIndex, message: str, slug: str
) -> None:
    assert slugs(shipped, message)[:1] == [slug]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("can i back out of my order?", "cancel order"),
        ("can i ditch one of them?", "cancel order"),
        ("i placed the order twice", "duplicate order"),
        ("where do i dig up what i ordered?", "see my past orders"),
        ("are the softgels vegan?", "capsules"),
    ],
)
def test_an_idiom_folds_to_the_articles_words(text: str, folded: str) -> None:
    assert folded in fold(text)


# -- silent: another party's own thing -----------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "My desktop's UEFI password is locked, how do I reset it?",
        "How long does immigration take to process a change of status?",
        "Can I get a refund for my son's after-school program fee?",
        "Left my umbrella in a taxi, is there a lost and found desk I can call?",
        "How do I move my LINE chats to my new Android phone?",
    ],
)
def test_another_partys_errand_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert shipped.answer(message) == []


# -- false friends kept out ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "slug"),
    [
        # "someone" alone is still a person to talk to.
        ("Is there someone who can help me change my order?", "contact-channels"),
        # What was ordered, without "dig up", is still the parcel's.
        ("What I ordered last week never came", "shipping-missing"),
        # LINE alone is not the messenger's account; "after school" alone is a time.
        ("Can I contact you on LINE?", "contact-channels"),
    ],
)
def test_a_false_friend_keeps_its_article(shipped: FaqIndex, message: str, slug: str) -> None:
    assert slugs(shipped, message)[:1] == [slug]


def test_after_school_as_a_time_is_still_a_delivery_question(shipped: FaqIndex) -> None:
    assert slugs(shipped, "Can the parcel be delivered after school hours when my kid is home?")


@pytest.mark.parametrize(
    "message",
    [
        # A shop's order after its own story stays the shop's.
        "I ordered on Coupang and the order never came, what do I do?",
        # A bank's story with no order after it stays the bank's.
        "Hana Bank declined my card so how do I reset my Hana Bank app PIN?",
    ],
)
def test_another_services_own_request_stays_silent(shipped: FaqIndex, message: str) -> None:
    assert shipped.answer(message) == []


@pytest.mark.parametrize("text", ["can i ditch the box?", "someone who can help"])
def test_a_false_friend_is_not_folded(text: str) -> None:
    assert fold(text) in (text, text.replace("someone", "person"))
