"""Count a tweet's length the way X does (twitter-text configuration v3).

X does not count characters: each code point has a weight (100 for Latin and the few
punctuation ranges below, 200 for everything else: Hangul, CJK, kana, emoji), every URL counts
as 23 characters whatever its length, and every emoji *sequence* (skin tone, ZWJ family, flag,
keycap) counts once at weight 200. The sum is divided by 100 and must not exceed 280. Text is
NFC-normalised first. Reference: twitter-text `config/v3.json` and `parseTweet`
(https://github.com/twitter/twitter-text); the URL grammar below is a port of its
`extractUrlsWithIndices` (through the twitter-text-parser 3.0.0 Python port), and emoji
sequences come from the Unicode emoji list shipped by the `emoji` package, as twitter-text's
come from twemoji's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from connectors.x.tlds import COUNTRY, GENERIC

MAX_WEIGHTED_LENGTH = 280
SCALE = 100
DEFAULT_WEIGHT = 200
URL_WEIGHT = 23 * SCALE
LIGHT_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x10FF),
    (0x2000, 0x200D),
    (0x2010, 0x201F),
    (0x2032, 0x2037),
)
INVALID_CHARS = frozenset("\ufffe\ufeff\uffff")

_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_INVALID = r"\uFFFE\uFEFF\uFFFF"
_PUNCT = r"\!'#%&'\(\)*\+,\\\-\.\/:;<=>\?@\[\]\^_{|}~\$/"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"


def _tld(names: list[str]) -> str:
    return "(?:(?:" + "|".join(re.escape(n) for n in names) + ")(?=[^0-9a-zA-Z@+-]|$))"


_GTLD = _tld(GENERIC)
_CCTLD = _tld(COUNTRY)
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|{_PUNYCODE}))"
_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!\\*';:=\\+,\\.\\$\\/%#\\[\\]\\-\\u2013_~@\\|&{_LATIN_ACCENTS}]"
_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"[\\+\\-a-z{_CYRILLIC}0-9=_#\\/{_LATIN_ACCENTS}]|(?:{_PARENS})"
_PATH = f"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*(?:{_PATH_END}))|(?:@{_PATH_CHAR}+/))"
_QUERY_CHARS = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_PRECEDING = f"(?:[^A-Za-z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|^)"


@dataclass(frozen=True, slots=True)
class _Patterns:
    url: re.Pattern[str]
    ascii_domain: re.Pattern[str]
    tco: re.Pattern[str]
    short_cc_domain: re.Pattern[str]
    special_short_domain: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    """Compiled on first use, not at import: with every TLD spelled out they take a few hundred
    milliseconds, which every process (web, worker, a `switchboard poll` of mail) would pay
    at start-up whether or not it ever counts a tweet."""
    return _Patterns(
        url=re.compile(
            f"(?P<before>{_PRECEDING})"
            f"(?P<url>(?P<protocol>https?://)?(?P<domain>{_DOMAIN})(?::[0-9]+)?"
            f"(?P<path>/{_PATH}*)?(?:\\?{_QUERY_CHARS}*{_QUERY_END})?)",
            re.IGNORECASE,
        ),
        ascii_domain=re.compile(
            f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{_GTLD}|{_CCTLD}|{_PUNYCODE})",
            re.IGNORECASE,
        ),
        tco=re.compile(
            f"^https?://t\\.co/([a-z0-9]+)(?:\\?{_QUERY_CHARS}*{_QUERY_END})?", re.IGNORECASE
        ),
        # A bare "name.cc" (country TLD, no subdomain, no path) is not a link, except .co, .tv.
        short_cc_domain=re.compile(f"^{_DOMAIN_NAME}{_CCTLD}$", re.IGNORECASE),
        special_short_domain=re.compile(f"^{_DOMAIN_NAME}(?:co|tv)$", re.IGNORECASE),
    )


_NO_PROTOCOL_BAD_BEFORE = re.compile(r"[-_./]$")
MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40


def weighted_length(text: str) -> int:
    """Return X's weighted length of `text` (280 is the most a tweet may have)."""
    normalized = unicodedata.normalize("NFC", text)
    urls = dict(url_spans(normalized))
    emojis = _emoji_spans(normalized)
    total = 0
    at = 0
    while at < len(normalized):
        if at in urls:
            total += URL_WEIGHT
            at = urls[at]
        elif at in emojis:
            total += DEFAULT_WEIGHT
            at = emojis[at]
        else:
            total += _weight(ord(normalized[at]))
            at += 1
    return total // SCALE


def has_invalid_characters(text: str) -> bool:
    """Say whether `text` holds a code point X refuses in a tweet (U+FFFE, U+FEFF, U+FFFF)."""
    return any(char in INVALID_CHARS for char in text)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) code-point spans twitter-text extracts as URLs."""
    if "." not in text:
        return []
    spans: list[tuple[int, int]] = []
    for match in _patterns().url.finditer(text):
        url, domain = match["url"], match["domain"]
        start, end = match.start("url"), match.end("url")
        if not _fits(url, match["protocol"] or "https://", domain):
            continue
        if match["protocol"] is None:
            if _NO_PROTOCOL_BAD_BEFORE.search(match["before"]):
                continue
            spans.extend(_bare_domains(start, end, domain, has_path=bool(match["path"])))
            continue
        tco = _patterns().tco.search(url)
        if tco is not None:
            if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                continue
            end = start + len(tco.group(0))
        spans.append((start, end))
    return spans


def _bare_domains(start: int, end: int, domain: str, *, has_path: bool) -> list[tuple[int, int]]:
    """Return the links inside a protocol-less match: its ASCII domains, the last with the path."""
    patterns = _patterns()
    found = list(patterns.ascii_domain.finditer(domain))
    spans: list[tuple[int, int]] = []
    for index, match in enumerate(found):
        last = index == len(found) - 1
        name = match.group(0)
        linkable = patterns.special_short_domain.match(name) or not patterns.short_cc_domain.match(
            name
        )
        if (last and has_path) or linkable:
            spans.append((start + match.start(), end if last and has_path else start + match.end()))
    return spans


def _fits(url: str, protocol: str, domain: str) -> bool:
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return bool(ascii_domain) and len(protocol) + len(url) - len(domain) + len(ascii_domain) <= (
        MAX_URL_LENGTH
    )


def _weight(code_point: int) -> int:
    for low, high in LIGHT_RANGES:
        if low <= code_point <= high:
            return SCALE
    return DEFAULT_WEIGHT


def _emoji_spans(text: str) -> dict[int, int]:
    """Map the start of every emoji sequence to its end, longest sequence first."""
    by_first = _emoji_index()
    spans: dict[int, int] = {}
    at = 0
    while at < len(text):
        for candidate in by_first.get(text[at], ()):
            if text.startswith(candidate, at):
                spans[at] = at + len(candidate)
                at += len(candidate)
                break
        else:
            at += 1
    return spans


@cache
def _emoji_index() -> dict[str, tuple[str, ...]]:
    """Group every known emoji sequence by its first code point, longest first."""
    import emoji  # its tables are large: loaded the first time a tweet is counted

    grouped: dict[str, list[str]] = {}
    for sequence in emoji.EMOJI_DATA:
        grouped.setdefault(sequence[0], []).append(sequence)
    return {first: tuple(sorted(items, key=len, reverse=True)) for first, items in grouped.items()}
