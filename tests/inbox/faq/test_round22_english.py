"""Round 22's English work (faq28): word families the articles never use (synonyms.py), names set
aside or told as a story in English (services.py), English bare requests, legality, purposes
and new domain words (topics.py, topics.json), and a question about the chat itself
(english.py).

Written here, not taken from bench/faq_hard.jsonl. Each silenced question is checked at the rule
that reads it and at the shipped engine; each guard is a labelled-looking question near the rule
that must stay answered (or a no-answer one that must stay silent)."""

from __future__ import annotations

import pytest

from inbox.faq.english import english_closing
from inbox.faq.search import FaqIndex
from inbox.faq.synonyms import fold
from tests.support.faq import slugs

# -- synonyms.py: English word families ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # Taking an order back, and an order placed twice.
        (
            "I have to withdraw my order from yesterday, I hope it hasn't shipped",
            "order-change-cancel",
        ),
        (
            "My payment went through twice for one bottle, please void the second one",
            "order-change-cancel",
        ),
        # Editing a detail registered to the account.
        ("How can I amend the phone number registered on my account?", "account-edit"),
        # Calling, and the help desk's hours.
        ("Could I ring somebody instead of typing all this?", "contact-channels"),
        ("Are you guys open on weekends too?", "contact-channels"),
        # A product's contents.
        ("what's in the collagen gummies exactly", "product-info"),
        # An order being packed.
        ("is anyone packing my stuff yet", "order-status"),
        # The sign-up mail's code.
        ("the code you sent to confirm my email never arrives", "account-signup"),
        # A sold-out product's next batch.
        ("the magnesium is sold out, when's the next batch?", "product-info"),
    ],
)
def test_an_english_family_reaches_its_article(shipped: FaqIndex, question: str, slug: str) -> None:
    assert slugs(shipped, question)[:1] == [slug]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("how do i get reimbursed", "refund"),
        ("it went to my old flat", "my old flat address"),
        ("the old apartment", "address"),
        ("sold out, any eta on the next batch", "out of stock"),
        ("sold out, any eta on the next batch", "restock"),
    ],
)
def test_an_english_family_folds_to_the_articles_word(text: str, word: str) -> None:
    assert word in fold(text)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # The packing material, and a parcel's contents, are not the family's.
        ("the packing was torn and one bottle leaked", "preparing"),
        ("what's in the box? one item is missing", "ingredients"),
    ],
)
def test_a_near_english_phrase_is_not_folded(text: str, word: str) -> None:
    assert word not in fold(text)


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # "ring the bell" is the driver's, not a call.
        ("the driver didn't even ring the bell and the app says delivered", "shipping-missing"),
        # "registered" alone is signing up.
        ("Registered an hour ago and the confirmation mail never came", "account-signup"),
    ],
)
def test_a_near_family_word_keeps_its_article(shipped: FaqIndex, question: str, slug: str) -> None:
    assert slug in slugs(shipped, question)


@pytest.mark.parametrize(
    "code", ["javascript:void(0)", "public static void main(String[] args) {}"]
)
def test_void_in_code_is_not_a_cancel(shipped: FaqIndex, code: str) -> None:
    assert shipped.answer(code) == []


# -- services.py: a name set aside, told as a story, in an address or as a place -------------


@pytest.mark.parametrize(
    "question",
    [
        # Set aside.
        "please put my school gmail on the account rather than my naver one",
        "use my new address instead of my Naver one for the account",
        # Moving away, told as what happened.
        "Switched from KT to SKT last month and my number changed, where do I update it",
        "after moving from LG U+ to KT my phone number is different, where do I edit it",
        # A name in an e-mail address.
        "Tried to register with an outlook.com address but the verification mail never comes",
        "my login is minji@naver.com and the reset email never comes",
        # A stay named by a service, as a place.
        "My vitamins were supposed to reach me at my Airbnb in Busan yesterday, nothing yet",
    ],
)
def test_an_english_name_not_asked_about_owns_nothing(shipped: FaqIndex, question: str) -> None:
    assert not shipped._others.owners(shipped._spacer(question))


@pytest.mark.parametrize(
    "question",
    [
        "How do I switch from Netflix Standard to Basic?",
        "Who do I complain to at Amazon about the driver?",
        "How do I cancel my Spotify subscription?",
        # "to"/"in my <name>" is the service's own account, not a place.
        "how do I add a card to my Netflix account",
        # Going to a shop is a visit, not a switch away.
        "I went to Costco, can I return stuff there without a receipt",
        "forgot my gmail password, how do I recover it",
    ],
)
def test_an_english_name_asked_about_still_owns_it(shipped: FaqIndex, question: str) -> None:
    assert shipped._others.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


# -- topics.py / topics.json: bare requests, legality, purposes, new words ------------------


@pytest.mark.parametrize(
    "question",
    [
        # A story's foreign thing with a request of no object of its own.
        "My driving licence expired last month, what now?",
        "My ATM card got swallowed by the machine, what should I do",
        # A point of law with no deal of the shop's.
        "My boss makes me work Saturdays without pay, is that legal?",
        # New English words.
        "Do I need a winter coat in Seoul in January?",
        "Any tips for the road test in Korea?",
        "My bank card is blocked, who do I call?",
    ],
)
def test_an_english_off_topic_story_gets_no_answer(shipped: FaqIndex, question: str) -> None:
    assert shipped._topics.owners(shipped._spacer(question))
    assert shipped.answer(question) == []


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # A record of our orders for something else.
        ("Can I download my order history for my tax return?", "order-history"),
        # A foreign thing set aside.
        ("Can you cancel my order rather than my gym membership?", "order-change-cancel"),
    ],
)
def test_a_foreign_thing_that_is_not_the_object_leaves_it_ours(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not shipped._topics.owners(shipped._spacer(question))
    assert slugs(shipped, question)[:1] == [slug]


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # A bare request after a story about our parcel or order.
        ("The bottle arrived cracked, what do I do?", "refund-return"),
        ("my order page still says processing, is that normal?", "order-status"),
        # … or about one of our products, named in English.
        ("my doctor told me to stop the fish oil before surgery, what now?", "product-info"),
        ("My gym coach says to take whey after workouts, is that normal?", "product-info"),
        # Legality asked of a deal with the shop.
        ("You kept my refund for a month, is that legal?", "refund-return"),
    ],
)
def test_a_bare_request_about_our_deal_stays_ours(
    shipped: FaqIndex, question: str, slug: str
) -> None:
    assert not shipped._topics.owners(shipped._spacer(question))
    assert slug in slugs(shipped, question)


# -- english.py: a question about the chat itself --------------------------------------------


@pytest.mark.parametrize(
    "message",
    ["is this a real person or a bot?", "am I chatting with a human?", "hey are you a bot lol"],
)
def test_a_chat_check_gets_no_answer(shipped: FaqIndex, message: str) -> None:
    assert english_closing(message)
    assert shipped.answer(message) == []


@pytest.mark.parametrize(
    ("message", "slug"),
    [
        ("real human please", "contact-channels"),
        ("is there a real person I can call?", "contact-channels"),
        ("is this a bot? where do I change my delivery address", "shipping-address-change"),
    ],
)
def test_a_request_for_a_person_is_not_a_chat_check(
    shipped: FaqIndex, message: str, slug: str
) -> None:
    assert not english_closing(message)
    assert slug in slugs(shipped, message)
