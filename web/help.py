"""The public help page (issue #8): every FAQ article by category, and a search box.

No sign-in: customers read it. Search runs server-side through inbox.faq.service.suggest, the
same ranking the agents' reply suggestions use, so a colloquial question ("환불 어케 해요")
finds the article an agent would have offered. Korean by default; ?lang=en or the browser's
Accept-Language switch the UI and the articles' language (web.ui._locale decides).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from inbox.faq.articles import Article
from inbox.faq.service import list_articles, suggest
from web.runtime import current_runtime

bp = Blueprint("help", __name__)
QUERY_LIMIT = 200  # characters of a search we look at; the rest is noise
RESULTS = 5


def category_label(slug: str) -> str:
    """A seed-file category in the page's language; any other category is shown as its slug."""
    labels = {
        "orders": _("Orders"),
        "returns": _("Returns and refunds"),
        "shipping": _("Shipping"),
        "account": _("Account"),
        "products": _("Products"),
        "support": _("Contact us"),
    }
    return str(labels.get(slug, slug))


def _grouped(articles: list[Article]) -> list[tuple[str, list[Article]]]:
    """Articles by category, categories in order of first appearance (the seed file's order)."""
    groups: dict[str, list[Article]] = {}
    for article in articles:
        groups.setdefault(article.category, []).append(article)
    return list(groups.items())


@bp.get("/help")
def index() -> str:
    locale = str(get_locale() or "ko")
    query = request.args.get("q", "").strip()[:QUERY_LIMIT]
    with current_runtime().db.session() as db:
        articles = list_articles(db)
        results = suggest(db, query, locale=locale, limit=RESULTS) if query else []
    return render_template(
        "help/index.html",
        groups=_grouped(articles),
        results=results,
        query=query,
        locale=locale,
        category_label=category_label,
    )
