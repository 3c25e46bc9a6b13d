"""Subject normalization for threading and for the "Re:" of our replies."""

from __future__ import annotations

import re

# Reply/forward prefixes of English, German, Nordic and Korean (Outlook ko-KR) clients, with an
# optional counter ("Re[2]:", "RE(3):"), fullwidth colon accepted; auto-reply prefixes too, so
# an out-of-office answer without References still finds the conversation by subject.
_PREFIX = re.compile(
    r"^\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|회신|답장|답변|전달"
    r"|자동\s*회신|automatic reply|auto(?:matic)?[- ]?reply|out of office)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def normalize_subject(subject: str | None) -> str:
    """Strip any stack of reply/forward prefixes and collapse whitespace.

    `Re: RE: 회신: [서울서플] 문의` and `[서울서플] 문의` normalize alike; compare the results
    case-insensitively (`casefold()`) when threading.
    """
    if subject is None:
        return ""
    text = _SPACE.sub(" ", subject).strip()
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped.strip()


def has_reply_prefix(subject: str | None) -> bool:
    """True for a subject that says it answers or forwards something ("Re:", "회신:", "FW:" …).

    Only such subjects may be threaded by subject (docs/design.md §3.4): customers reuse "배송 문의"
    for different orders, and a fresh mail under an old subject is a new case.
    """
    return subject is not None and _PREFIX.match(_SPACE.sub(" ", subject)) is not None


def reply_subject(subject: str | None) -> str:
    """Return the subject of a reply: one "Re:" before the normalized original."""
    base = normalize_subject(subject)
    return f"Re: {base}" if base else "Re:"
