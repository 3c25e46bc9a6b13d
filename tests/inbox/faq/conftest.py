"""The two readings the FAQ tests ask: the curated side alone and the shipped engine."""

from __future__ import annotations

import pytest

from inbox.faq.articles import default_articles
from inbox.faq.search import FaqIndex


@pytest.fixture(scope="module")
def gate() -> FaqIndex:
    """No veto and no ranker: how the curated side reads a question, not what the shipped
    phrasings happen to teach."""
    return FaqIndex(default_articles(), classify=False, no_answer=())


@pytest.fixture(scope="module")
def shipped() -> FaqIndex:
    """The engine as shipped, as a visitor's question meets it."""
    return FaqIndex(default_articles())
