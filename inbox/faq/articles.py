"""FAQ articles as plain values: the shape of articles.json and of an import/export file.

The knowledge base is seeded from `articles.json` (written from the customer center's seed
document, Korean first). Search and import/export work on these frozen values so they need no
database; `inbox.faq.service` maps them to and from rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

FORMAT = "switchboard-faq/1"
LOCALES: tuple[str, ...] = ("ko", "en")
DEFAULT_SLUGS: tuple[str, ...] = (
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
)


class ArticleFormatError(ValueError):
    """An FAQ file or article does not have the expected shape; the message says where."""


@dataclass(frozen=True, slots=True)
class LocalizedText:
    title: str
    answer: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    category: str
    texts: Mapping[str, LocalizedText]  # locale -> text; every locale in LOCALES

    def text(self, locale: str) -> LocalizedText:
        """The text in `locale`, falling back to Korean (the center's first language)."""
        return self.texts.get(locale) or self.texts[LOCALES[0]]


def parse_article(raw: Any) -> Article:
    """Validate one article mapping and turn it into an Article."""
    if not isinstance(raw, dict):
        raise ArticleFormatError("article must be an object")
    slug, category = raw.get("slug"), raw.get("category")
    if not isinstance(slug, str) or not slug.strip():
        raise ArticleFormatError("article needs a non-empty string 'slug'")
    if not isinstance(category, str) or not category.strip():
        raise ArticleFormatError(f"{slug}: needs a non-empty string 'category'")
    texts = {locale: _parse_text(slug, locale, raw.get(locale)) for locale in LOCALES}
    return Article(slug=slug.strip(), category=category.strip(), texts=texts)


def _parse_text(slug: str, locale: str, raw: Any) -> LocalizedText:
    if not isinstance(raw, dict):
        raise ArticleFormatError(f"{slug}: missing locale {locale!r}")
    title, answer = raw.get("title"), raw.get("answer")
    keywords = raw.get("keywords", [])
    if not isinstance(title, str) or not title.strip():
        raise ArticleFormatError(f"{slug}/{locale}: needs a non-empty 'title'")
    if not isinstance(answer, str) or not answer.strip():
        raise ArticleFormatError(f"{slug}/{locale}: needs a non-empty 'answer'")
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise ArticleFormatError(f"{slug}/{locale}: 'keywords' must be a list of strings")
    return LocalizedText(
        title=title.strip(),
        answer=answer.strip(),
        keywords=tuple(k.strip() for k in keywords if k.strip()),
    )


def parse_document(raw: Any) -> list[Article]:
    """Validate a whole FAQ document ({"format": ..., "articles": [...]}); slugs must be unique."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ArticleFormatError(f'expected an object with "format": {FORMAT!r}')
    items = raw.get("articles")
    if not isinstance(items, list):
        raise ArticleFormatError("'articles' must be a list")
    articles = [parse_article(item) for item in items]
    seen: set[str] = set()
    for article in articles:
        if article.slug in seen:
            raise ArticleFormatError(f"duplicate slug {article.slug!r}")
        seen.add(article.slug)
    return articles


def loads(text: str) -> list[Article]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArticleFormatError(f"not JSON: {exc}") from exc
    return parse_document(raw)


def article_to_dict(article: Article) -> dict[str, Any]:
    out: dict[str, Any] = {"slug": article.slug, "category": article.category}
    for locale in LOCALES:
        text = article.texts[locale]
        out[locale] = {
            "title": text.title,
            "answer": text.answer,
            "keywords": list(text.keywords),
        }
    return out


def dumps(articles: Sequence[Article]) -> str:
    """Serialize articles as an FAQ document (UTF-8 Korean kept readable, stable order)."""
    document = {"format": FORMAT, "articles": [article_to_dict(a) for a in articles]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def default_articles() -> list[Article]:
    """The articles shipped with Switchboard, written from the customer center's seed document."""
    text = resources.files("inbox.faq").joinpath("articles.json").read_text(encoding="utf-8")
    return loads(text)
