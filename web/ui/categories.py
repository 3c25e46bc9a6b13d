"""Conversation categories by name, in the agent's language, never as raw codes.

A conversation's category is an FAQ article's slug (`shipping-time`); agents see a short name
for it ("배송 기간"), grouped under the article's section ("배송"). A slug without a name here
(an article an admin imported later) shows its article's title; one with no article at all is
shown as stored.
"""

from __future__ import annotations

from functools import cache

from flask_babel import get_locale
from flask_babel import gettext as _

from inbox.faq.articles import Article, default_articles
from web.help import category_label


def _names() -> dict[str, str]:
    return {
        "order-status": _("Order status"),
        "refund-return": _("Returns and refunds"),
        "shipping-time": _("Delivery time"),
        "shipping-fee": _("Shipping fee"),
        "shipping-tracking": _("Delivery tracking"),
        "shipping-address-change": _("Address change"),
        "shipping-missing": _("Order not arrived"),
        "order-change-cancel": _("Order change or cancellation"),
        "account-signup": _("Sign-up"),
        "account-password-reset": _("Password reset"),
        "account-edit": _("Account details"),
        "account-delete": _("Account deletion"),
        "order-history": _("Order history"),
        "product-info": _("Product information"),
        "contact-channels": _("Contact channels"),
    }


@cache
def _articles() -> tuple[Article, ...]:
    """The shipped articles, read once per process: they are a file in the package, and
    reading and checking it again cost most of a sidebar action's time (about 19 ms a call,
    on every thread page and every action's answer)."""
    return tuple(default_articles())


def category_name(slug: str | None, names: dict[str, str] | None = None) -> str:
    if not slug:
        return ""
    name = (names if names is not None else _names()).get(slug)
    if name:
        return str(name)
    article = next((a for a in _articles() if a.slug == slug), None)
    return article.text(str(get_locale())).title if article else slug


def category_choices(current: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section name, [(slug, name)]) in the seed file's order, for a grouped <select>; a
    current category that is not an article any more stays choosable."""
    groups: dict[str, list[Article]] = {}
    for article in _articles():
        groups.setdefault(article.category, []).append(article)
    names = _names()  # translated once, not once per article
    out = [
        (category_label(section), [(a.slug, category_name(a.slug, names)) for a in articles])
        for section, articles in groups.items()
    ]
    known = {slug for _section, items in out for slug, _name in items}
    if current and current not in known:
        out.append((_("Other"), [(current, category_name(current, names))]))
    return out
