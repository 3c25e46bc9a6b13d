"""An article's own keyword or title, asked word for word, ranks that article first.

The ranker learns from thousands of customers' phrasings; one keyword an admin adds is one
phrasing among them. Round 23's teaching let "탈퇴하면 적립금은요" phrasings outvote an
admin's edited keyword "적립금 소멸" (53.8 to 53.5), and three shipped keywords were already
ranked below another article ("환불 얼마나 걸려요" showed shipping-time first).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from inbox.faq.articles import LocalizedText, default_articles
from inbox.faq.search import FaqIndex
from tests.support.faq import slugs


def _edited(slug: str, ko: LocalizedText) -> FaqIndex:
    articles = [
        replace(a, texts={**a.texts, "ko": ko}) if a.slug == slug else a for a in default_articles()
    ]
    return FaqIndex(articles)


def test_an_edited_keyword_outranks_another_articles_phrasings() -> None:
    index = _edited(
        "contact-channels",
        LocalizedText("적립금 소멸 안내", "적립금은 1년 뒤 소멸됩니다.", ("적립금 소멸",)),
    )
    for asked in ("적립금 소멸", " 적립금  소멸 ", "적립금 소멸 안내"):
        hits = index.answer(asked)
        assert hits[0].slug == "contact-channels"
        assert hits[0].score > hits[1].score  # strictly: consumers sorting by score agree
    # A longer question is ranked as before: the learned phrasings still decide it.
    assert slugs(index, "탈퇴하면 적립금 소멸되나요")[0] == "account-delete"


def test_a_phrase_two_articles_share_names_neither() -> None:
    shared = LocalizedText("배송 안내", "배송 안내입니다.", ("택배사",))
    index = _edited("contact-channels", shared)
    hits = slugs(index, "택배사")
    assert hits and hits[0] != "contact-channels"


@pytest.mark.parametrize(
    ("keyword", "slug"),
    [
        ("환불 얼마나 걸려요", "refund-return"),
        ("wrong item", "refund-return"),
        ("how many a day", "product-info"),
    ],
)
def test_a_shipped_keyword_ranks_its_article_first(
    shipped: FaqIndex, keyword: str, slug: str
) -> None:
    assert slugs(shipped, keyword)[0] == slug


def test_every_shipped_keyword_or_title_that_is_answered_leads_with_its_article(
    shipped: FaqIndex,
) -> None:
    owners: dict[str, set[str]] = {}
    for article in default_articles():
        for text in article.texts.values():
            for phrase in (text.title, *text.keywords):
                owners.setdefault(phrase, set()).add(article.slug)
    wrong = [
        (phrase, hits[0])
        for phrase, owned in owners.items()
        if len(owned) == 1 and (hits := slugs(shipped, phrase)) and hits[0] not in owned
    ]
    assert wrong == []
