"""What the FAQ tests read off an answer: the slugs shown, best first."""

from __future__ import annotations

from inbox.faq.search import FaqIndex


def slugs(index: FaqIndex, question: str) -> list[str]:
    return [hit.slug for hit in index.answer(question)]
