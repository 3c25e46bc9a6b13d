"""The Content-Disposition of a file we serve: a name a customer chose, made harmless.

A customer's file name is attacker-shaped: path segments ("../../x"), control characters
(CR/LF header splitting, BEL), bidi overrides that flip "gnp.exe" into "exe.png" on screen,
quotes that end the parameter. What is left is one plain segment, sent as an ASCII fallback
plus the exact UTF-8 name in RFC 6266 / RFC 8187 `filename*`.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

MAX_NAME_CHARS = 150
_DROP = set('"<>:;|?*\\/')
_UNSAFE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")  # controls, format (bidi overrides), separators


def safe_filename(name: str | None, fallback: str = "attachment") -> str:
    """The last path segment, without control, format (bidi) or quoting characters."""
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        c
        for c in last
        if c not in _DROP and unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")
    )
    kept = " ".join(kept.split())  # tabs and runs of spaces become one space
    return kept.strip(". ")[:MAX_NAME_CHARS].strip(". ") or fallback


def content_disposition(name: str | None, *, inline: bool = False) -> str:
    clean = safe_filename(name)
    ascii_name = "".join(c if c.isascii() and c.isprintable() else "_" for c in clean)
    encoded = quote(clean, safe="!#$&+-.^_`|~")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
