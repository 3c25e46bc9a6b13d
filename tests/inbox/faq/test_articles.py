"""The shipped FAQ articles and their JSON format."""

from __future__ import annotations

import json
import re

import pytest

from inbox.faq.articles import (
    DEFAULT_SLUGS,
    LOCALES,
    ArticleFormatError,
    default_articles,
    dumps,
    loads,
)

HANGUL = re.compile(r"[가-힣]")


def test_default_slugs_are_exactly_the_designed_set() -> None:
    slugs = [a.slug for a in default_articles()]
    assert len(slugs) == len(set(slugs))
    assert set(slugs) == set(DEFAULT_SLUGS)
    assert set(DEFAULT_SLUGS) == {
        "order-status",
        "refund-return",
        "shipping-time",
        "shipping-fee",
        "shipping-tracking",
        "shipping-address-change",
        "shipping-missing",
        "order-change-cancel",
        "account-signup",
        "account-password-reset",
        "account-edit",
        "account-delete",
        "order-history",
        "product-info",
        "contact-channels",
    }


@pytest.mark.parametrize("article", default_articles(), ids=lambda a: a.slug)
def test_every_article_has_korean_and_english(article: object) -> None:
    from inbox.faq.articles import Article

    assert isinstance(article, Article)
    assert set(article.texts) == set(LOCALES) == {"ko", "en"}
    ko, en = article.texts["ko"], article.texts["en"]
    assert HANGUL.search(ko.title) and HANGUL.search(ko.answer)
    assert not HANGUL.search(en.title) and not HANGUL.search(en.answer)
    assert ko.keywords and en.keywords
    assert article.category


def test_dump_and_load_round_trip() -> None:
    articles = default_articles()
    text = dumps(articles)
    assert "배송" in text  # Korean kept readable, not \\u-escaped
    assert loads(text) == articles


def test_text_falls_back_to_korean() -> None:
    article = default_articles()[0]
    assert article.text("ja") == article.texts["ko"]
    assert article.text("en") == article.texts["en"]


def _document(**overrides: object) -> str:
    article = {
        "slug": "x",
        "category": "c",
        "ko": {"title": "제목", "answer": "답"},
        "en": {"title": "Title", "answer": "Answer"},
    }
    article.update(overrides)
    return json.dumps({"format": "switchboard-faq/1", "articles": [article]})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        (json.dumps({"articles": []}), "format"),
        (_document(en=None), "missing locale 'en'"),
        (_document(slug=""), "slug"),
        (_document(ko={"title": "제목", "answer": ""}), "answer"),
        (_document(ko={"title": "제목", "answer": "답", "keywords": "x"}), "keywords"),
    ],
)
def test_bad_documents_are_rejected_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ArticleFormatError, match=message):
        loads(text)


def test_duplicate_slugs_are_rejected() -> None:
    raw = json.loads(_document())
    raw["articles"].append(raw["articles"][0])
    with pytest.raises(ArticleFormatError, match="duplicate slug 'x'"):
        loads(json.dumps(raw))
