"""The public help page (issue #8): every article by category, Korean by default, search."""

from __future__ import annotations

import re
from typing import Any

import pytest

from inbox.faq.articles import DEFAULT_SLUGS, default_articles
from inbox.faq.service import invalidate_cache, seed_default_articles
from switchboard.runtime import Runtime
from web.security import CSP


@pytest.fixture
def seeded(rt: Runtime) -> None:
    invalidate_cache()
    with rt.db.session() as session:
        seed_default_articles(session)


def _ranked(html: str) -> list[str]:
    return re.findall(r'<li id="result-[^"]+" data-slug="([^"]+)"', html)


def test_lists_every_article_in_korean_without_signing_in(client: Any, seeded: None) -> None:
    response = client.get("/help")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ko">' in html
    for article in default_articles():
        assert f'id="faq-{article.slug}"' in html
        assert _escaped(article.texts["ko"].title) in html
    assert len(DEFAULT_SLUGS) == 15


def test_english_by_query_or_accept_language(client: Any, seeded: None) -> None:
    by_query = client.get("/help?lang=en").get_data(as_text=True)
    by_header = client.get("/help", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    for html in (by_query, by_header):
        assert '<html lang="en">' in html and "Help center" in html
        for article in default_articles():
            assert _escaped(article.texts["en"].title) in html
            assert _escaped(article.texts["ko"].title) not in html


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_colloquial_korean_query_ranks_refund_first(client: Any, seeded: None) -> None:
    html = client.get("/help", query_string={"q": "환불 어케 해요"}).get_data(as_text=True)
    ranked = _ranked(html)
    assert ranked and ranked[0] == "refund-return"
    refund = next(a for a in default_articles() if a.slug == "refund-return")
    assert _escaped(refund.texts["ko"].answer) in html


def test_query_text_is_escaped_and_headers_kept(client: Any, seeded: None) -> None:
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    response = client.get("/help", query_string={"q": attack})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in re.sub(r"<script src=[^>]+></script>", "", html)


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
