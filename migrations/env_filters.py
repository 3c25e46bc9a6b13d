"""What autogenerate compares: everything but the search structures made by hand.

0005_search creates FTS5 tables (SQLite) and trigram/bigram indexes (PostgreSQL) that are not
in the models, so autogenerate must not propose dropping them.
"""

from __future__ import annotations

from typing import Any

_SEARCH_OBJECTS = ("_fts", "_trgm", "_bigram")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (reflected and name is not None and any(p in name for p in _SEARCH_OBJECTS))
