"""Per-category resolve rules: which categories need a resolution summary before resolving.

Categories are FAQ slugs (or any slug an agent set); a rule row exists only once an admin
has decided something about that category, so a new category asks for nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.models.reports import CategoryRule


def summary_required(session: Session, category: str | None) -> bool:
    if not category:
        return False
    rule = session.get(CategoryRule, category)
    return bool(rule and rule.summary_required)


def required_categories(session: Session) -> set[str]:
    return set(
        session.scalars(
            select(CategoryRule.category).where(CategoryRule.summary_required.is_(True))
        )
    )


def set_required(
    session: Session, categories: set[str], *, known: set[str], actor_id: int | None
) -> None:
    """Require a summary for exactly `categories` among `known` (others keep their rule)."""
    for category in known:
        category = category.strip()
        if not category or len(category) > 64:
            raise ValueError("a category is 1 to 64 characters")
        wanted = category in categories
        rule = session.get(CategoryRule, category)
        if rule is None:
            if not wanted:
                continue
            rule = CategoryRule(category=category)
            session.add(rule)
        if rule.summary_required != wanted:
            rule.summary_required = wanted
            record(
                session,
                actor_id,
                "category.summary_required",
                "category",
                category,
                {"required": wanted},
            )
