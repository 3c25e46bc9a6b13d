"""Separate the new part of a reply from the quoted history, and turn HTML into text.

Agents read only what the customer just wrote; the full body stays one click away
(`extra["full_text"]`). Markers are those of Gmail, Outlook, Naver and Daum in Korean and
English (docs/platform-apis.md §3.6). A marker only cuts when something precedes
it: a message that is nothing but a forward keeps its whole text.
"""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

# A line that starts the quoted history by itself.
_SEPARATORS = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:original message|원본 메시지|원본 메일|forwarded message|전달된 메시지"
    r"|전달된 메일|reply message)\s*-{2,}"
    r"|_{10,}"  # Outlook on the web draws a rule before the header block (checked below)
    r"|\*?(?:from|보낸 사람|보낸사람)\s*:.*"  # only counted when a header block follows
    r")\s*$",
    re.IGNORECASE,
)
_HEADER_BLOCK_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|보낸 날짜|보낸날짜|받는 사람|받는사람|제목|날짜)\s*:",
    re.IGNORECASE,
)
_FROM_LINE = re.compile(r"^\s*\*?(?:from|보낸 사람|보낸사람)\s*:", re.IGNORECASE)
# "On <date>, <name> <addr> wrote:" / "... 님이 작성:" (may wrap over two lines).
_ATTRIBUTION_END = re.compile(r"(?:wrote|작성|쓴 글)\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(?:on\s|\d{4}\s*년|\d{4}[-./]\d{1,2}[-./]\d{1,2})", re.I)


def split_reply(text: str) -> str:
    """Return the part of `text` above the quoted history (the whole text if none is found)."""
    lines = text.split("\n")
    cut = _first_marker(lines)
    if cut is None:
        cut = _trailing_quote_start(lines)
    if cut is None:
        return text.strip()
    head = "\n".join(lines[:cut]).strip()
    return head if head else text.strip()


def _first_marker(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if _SEPARATORS.match(line):
            if _FROM_LINE.match(line) and not _is_header_block(lines, i):
                continue
            if line.strip().startswith("_") and not _next_is_from(lines, i):
                continue
            return i
        if _ATTRIBUTION_END.search(line):
            if _ATTRIBUTION_START.match(line):
                return i
            if i > 0 and _ATTRIBUTION_START.match(lines[i - 1]):
                return i - 1
            if _next_is_quote(lines, i):
                return i
    return None


def _is_header_block(lines: list[str], at: int) -> bool:
    following = [line for line in lines[at + 1 : at + 5] if line.strip()]
    return bool(following) and _HEADER_BLOCK_NEXT.match(following[0]) is not None


def _next_is_from(lines: list[str], at: int) -> bool:
    following = [line for line in lines[at + 1 : at + 3] if line.strip()]
    return bool(following) and _FROM_LINE.match(following[0]) is not None


def _next_is_quote(lines: list[str], at: int) -> bool:
    rest = [line for line in lines[at + 1 :] if line.strip()]
    return bool(rest) and rest[0].lstrip().startswith(">")


def _trailing_quote_start(lines: list[str]) -> int | None:
    """Return where a final run of `>` lines (blank lines allowed) begins."""
    start: int | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            if start is None:
                start = i
        elif stripped:
            start = None
    return start


# HTML quote containers of Gmail, Apple/Thunderbird and Outlook.
_HTML_QUOTE = re.compile(
    r"<(?:div|blockquote)[^>]*(?:class\s*=\s*[\"'][^\"']*gmail_quote"
    r"|type\s*=\s*[\"']?cite|id\s*=\s*[\"']?(?:divRplyFwdMsg|appendonsend))",
    re.IGNORECASE,
)


def cut_html_quote(html: str) -> str:
    """Return `html` truncated before the first quote container, if any."""
    match = _HTML_QUOTE.search(html)
    return html[: match.start()] if match else html


_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML body (scripts and styles dropped), lines trimmed."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = htmllib.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
