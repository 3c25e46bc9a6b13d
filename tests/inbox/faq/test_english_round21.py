"""Round 21's English families: praise, "never mind" and closings with nothing asked
(inbox.faq.english), another company's own service named in English (services.json,
topics.json), the customer's own parcel to send (topics.py), and the labelled questions that
address the shop as "you" while naming another service (services.py).

Written here, not taken from bench/faq_hard.jsonl. Each silenced question is checked at the rule
that reads it and at the shipped engine; each guard is checked to stay out of the rule and to be
answered by its article where that article is clear."""

from __future__ import annotations

import pytest

from inbox.faq.english import english_closing
from inbox.faq.search import FaqIndex
from tests.support.faq import slugs

# -- english.py ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        # Taking the question back.
        "oops, wrong chat, sorry",
        "ignore my last message, it just showed up",
        "my bad, typed that in the wrong tab",
        "nevermind, found the tracking link in the email. have a good one!",
        "Never mind, my brother figured it out. Take care",
        # The trouble solved on its own, and an apology for the bother.
        "ah it's here now, sorry for the trouble!",
        # An answer understood, and a review with nothing asked.
        "ok that helps, no worries",
        "Great service, will definitely order again. Five stars!",
        # Praise with nothing asked, short and long.
        "Honestly the omega 3 is fantastic, my knees feel way better. Keep up the good work!",
        "Just wanted to let you know the gummies are a hit with my kids, no question here",
        "Ordered from you for years and every time the parcel is packed with care. When I had "
        "an issue last spring your team sorted it out the same day. Keep it up!",
    ],
)
def test_an_english_closing_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert english_closing(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    ("message", "slug"),
    [
        # A real request after the closing words.
        ("never mind the address, can you cancel the whole order?", "order-change-cancel"),
        ("sorry wrong window, but where do I see my order history?", "order-history"),
        ("found it, thanks! also how do I change my phone number?", "account-edit"),
        ("Love the vitamins! When will the magnesium be back in stock?", "product-info"),
        # A problem reported after thanks or an apology.
        ("thanks, the package arrived but one bottle was cracked", "refund-return"),
        ("my order never arrived, sorry to bother you", "shipping-missing"),
        # Praise with a problem, and a question that only looks like a promise to come back.
        ("Great products but the last order was missing a bottle", "shipping-missing"),
        # An imperative with thanks.
        ("Please wipe my profile and all my data, thanks.", "account-delete"),
    ],
)
def test_a_request_after_a_closing_is_answered(shipped: FaqIndex, message: str, slug: str) -> None:
    assert not english_closing(message)
    assert slug in slugs(shipped, message)


def test_a_message_with_hangul_is_left_to_thanks() -> None:
    assert not english_closing("thanks 감사합니다 잘 받았어요")


# -- services: another company's own service, named in English -------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "How do I reset my KB Kookmin Bank app password?",
        "Hana Bank online banking locked me out, who do I call",
        "Can I get a new PIN for my Monzo card in the app?",
        "Canada Post tracking has not moved in a week, how do I file a claim with Canada Post",
        # English names of shops, apps and airlines (their own orders and accounts).
        "my Walmart order hasn't arrived yet, where is it?",
        "how do I cancel my DoorDash order",
        "how do I delete my Snapchat account",
        "Asiana cancelled my flight, how do I get a refund",
    ],
)
def test_an_english_named_service_gets_no_answer(shipped: FaqIndex, question: str) -> None:
    assert shipped._others.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # The shop addressed as "you" or "this shop", another service only mentioned.
        ("Can I message you on Telegram instead of email?", "contact-channels"),
        ("I'd rather talk on WeChat, can I message you there?", "contact-channels"),
        ("Is your fish oil the same as the GNC one?", "product-info"),
        ("The reset mail from you landed in my Outlook spam and the link is dead now", None),
        ("Costco has free delivery over 50, what's your minimum for free shipping?", None),
        ("I need the password for this shop, not my Google one, reset please", None),
        # A bank or a card as the way the customer paid us.
        ("I paid with my Revolut card and want a refund, how long does it take?", "refund-return"),
        # A card named by the bank's short name is the customer's card (saved card details).
        ("My saved Shinhan card expired, where do I add the new one?", None),
    ],
)
def test_a_question_to_us_naming_a_service_is_ours(
    shipped: FaqIndex, question: str, slug: str | None
) -> None:
    assert not shipped._others.owners(shipped._spacer(question))
    if slug:
        assert slug in slugs(shipped, question)


# -- topics: English foreign words and the customer's own parcel -----------------------------


@pytest.mark.parametrize(
    "question",
    [
        "what time do post offices open on public holidays",
        "how many days of sick leave can I take for a cold",
        "can I take melatonin together with my antidepressants",
        "is it safe to mix blood thinners with antihistamines",
        "how do I send a parcel to my mum in Australia",
        "cheapest way to mail a birthday package to Japan",
        # English equivalents of the lexicon's Korean words (round 21).
        "where do I renew my residence card at the immigration office",
        "how do I pay the apartment maintenance fee by card",
        "is the flu shot free for foreigners",
        "what score do I need on the TOEIC for a visa",
    ],
)
def test_an_english_off_topic_question_gets_no_answer(shipped: FaqIndex, question: str) -> None:
    assert shipped._topics.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # The order's own parcel, sent by us.
        ("can you send the parcel to my office instead?", "shipping-address-change"),
        # A return is sent to us.
        ("I want to ship a package back for a refund", "refund-return"),
        # A product of ours with a medicine.
        ("Can I take my omega 3 with blood thinners?", "product-info"),
    ],
)
def test_a_near_miss_stays_ours(shipped: FaqIndex, question: str, slug: str) -> None:
    assert not shipped._topics.owners(shipped._spacer(question))
    assert slug in slugs(shipped, question)


# -- synonyms: a name changed with a marriage -------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "My account still shows my maiden name since the wedding, can I fix it myself?",
        "can I switch my account to my married name",
        "I got married and my surname changed, how do I update it?",
    ],
)
def test_a_changed_name_is_an_account_edit(shipped: FaqIndex, question: str) -> None:
    assert slugs(shipped, question)[:1] == ["account-edit"]
