"""Round 23 (faq30), English both ways: a foreigner's everyday errand or another company's
service asked in English gets no answer, and so does a check of whether the chat is read at all;
the labelled English questions that name another shop, a mailbox or a comparison stay answered.

Mechanisms (docs/decisions.md, "FAQ round 23: English, foreigners' errands and chat checks"):
- inbox.faq.english: whether anyone reads the chat ("can you see my messages?") is a chat check;
- inbox.faq.topics: a request by pronoun ("how do I get it back?") takes the story's foreign thing
  as its object; the visitor's EMS as the subject of take/cost; topics.json's English errands
  (ATM, SIM and top-up, a bank account, hospitals, airlines and luggage, reporting an address);
- inbox.faq.services: a store name's own workings in English (a card linked to a payment app, a
  foreign card used with it, the messenger's login and chats); "do you accept …" asks the shop; a
  comparison read past its preposition ("like on Coupang"); an account used to sign up;
- inbox.faq.synonyms: "two times", "old/new place", "old/new number".

Written here, not taken from bench/faq_hard.jsonl."""

from __future__ import annotations

import pytest

from inbox.faq.english import english_closing
from inbox.faq.search import FaqIndex
from tests.support.faq import slugs

# -- english.py: is the chat read at all ---------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "Is anybody actually reading my messages?",
        "hello? can u even see this",
        "are my messages going through?",
        "hi, does anyone read this chat?",
        "Is there a real person reading these?",
    ],
)
def test_a_check_that_the_chat_is_read_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert english_closing(message)
    assert slugs(shipped, message) == []


@pytest.mark.parametrize(
    "message",
    [
        "is there a real human I can talk to",
        "can I talk to a person",
        "is there live chat?",
        "Is someone reading my messages? I need to cancel my order",
    ],
)
def test_a_request_for_a_person_is_not_a_chat_check(message: str) -> None:
    assert not english_closing(message)


@pytest.mark.parametrize(
    "message",
    ["is there a real human I can talk to", "can I talk to a person", "is there live chat?"],
)
def test_a_request_for_a_person_is_answered(shipped: FaqIndex, message: str) -> None:
    assert slugs(shipped, message)[:1] == ["contact-channels"]


# -- topics: foreigners' errands, a request by pronoun, the visitor's EMS -----------------------


@pytest.mark.parametrize(
    "question",
    [
        "The ATM kept my debit card last night, how do I get it back?",
        "My airline lost my suitcase, how do I get it back?",
        "My prepaid SIM ran out, can I top it up online?",
        "Is it hard to open a bank account as a foreigner in Seoul?",
        "Which hospitals in Busan have English-speaking doctors?",
        "How much does EMS cost to Canada?",
        "Do I have to report my new address at the district office within two weeks?",
    ],
)
def test_a_foreigners_errand_gets_no_answer(shipped: FaqIndex, question: str) -> None:
    assert slugs(shipped, question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("My vitamins came crushed, can I send them back?", "refund-return"),
        ("Do you ship by EMS to the US?", None),
        ("How long does shipping take to the US?", None),
        ("I accidentally ordered twice from the hospital, can I cancel one of them?", None),
    ],
)
def test_an_order_of_ours_stays_answered(
    shipped: FaqIndex, question: str, slug: str | None
) -> None:
    got = slugs(shipped, question)
    assert got
    if slug:
        assert got[0] == slug


# -- services: a store name's own workings, and the shop asked as "you" --------------------------


@pytest.mark.parametrize(
    "question",
    [
        "How do I add my Visa card to Kakao Pay?",
        "Can I use Naver Pay with an American card?",
        "My KakaoTalk got logged out after the update, how do I restore my chats?",
    ],
)
def test_a_store_names_own_workings_get_no_answer(shipped: FaqIndex, question: str) -> None:
    assert slugs(shipped, question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        (
            "Amazon takes back opened things, do you accept returns on opened capsules?",
            "refund-return",
        ),
        (
            "Do I need to make an account like on Amazon, or can I check out as a guest?",
            "account-signup",
        ),
        (
            "I used my Gmail to log in and now I forgot the password, how do I reset it?",
            "account-password-reset",
        ),
        ("Can I reach you on KakaoTalk?", "contact-channels"),
    ],
)
def test_a_question_to_us_naming_a_service_stays_answered(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert slugs(shipped, question)[:1] == [slug]


# -- synonyms: English families -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("Looks like my payment got charged two times", "order-change-cancel"),
        ("My order is going to his old place, can it be changed?", "shipping-address-change"),
    ],
)
def test_an_english_family_is_ranked_first(shipped: FaqIndex, question: str, slug: str) -> None:
    assert slugs(shipped, question)[:1] == [slug]
