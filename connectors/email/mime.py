"""Charset and header decoding that gets Korean mail right.

Python's codec registry maps `ks_c_5601-1987` (Outlook's label) and `euc-kr` to `euc_kr`, but
the bytes such senders write are CP949 (UHC), a superset; CP949-only syllables such as 똠 then
come out as U+FFFD. `email.policy.default` decodes headers through the registry too, so we parse
with `compat32` (raw header strings) and decode bodies, encoded-words and 8-bit headers here.
See docs/platform-apis.md §3.4.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from email.message import Message
from email.utils import collapse_rfc2231_value

# Labels whose bytes are really CP949; decoding them as euc_kr loses syllables.
_CP949_LABELS = frozenset(
    {
        "euc-kr",
        "euc_kr",
        "euckr",
        "ks_c_5601-1987",
        "ks_c_5601",
        "ks_c_5601_1987",
        "ksc5601",
        "ksc_5601",
        "korean",
        "ks_x_1001",
        "x-windows-949",
        "windows-949",
        "cp949",
        "ms949",
        "uhc",
        "x-uhc",
    }
)
_ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "unknown-8bit"})
# Tried in order when the declared charset is missing, wrong or unknown.
_FALLBACKS = ("utf-8", "cp949")


def codec_for(label: str | None) -> str | None:
    """Return the Python codec to use for a MIME charset label, or None if unknown."""
    if label is None:
        return None
    name = label.strip().strip('"').lower()
    if "*" in name:  # RFC 2231 language suffix: utf-8*ko
        name = name.split("*", 1)[0]
    if name in _CP949_LABELS:
        return "cp949"
    if name in _ASCII_LABELS:
        return "ascii"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, label: str | None) -> str:
    """Decode `data` declared as `label`, falling back to UTF-8 then CP949, never raising.

    Undeclared or mislabelled 8-bit text is common in Korean mail (webmail sending CP949 as
    us-ascii, or UTF-8 without any charset), so a strict attempt with the label comes first and
    the fallbacks are tried strictly too before anything is replaced.
    """
    candidates: list[str] = []
    codec = codec_for(label)
    if codec is not None:
        candidates.append(codec)
    candidates.extend(c for c in _FALLBACKS if c not in candidates)
    for name in candidates:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(codec or "utf-8", "replace")


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r?\n[ \t]")


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding.lower() == "b":
        padded = text + "=" * (-len(text) % 4)
        try:
            return base64.b64decode(padded)
        except (binascii.Error, ValueError):
            return text.encode("ascii", "replace")
    return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)


def decode_header_value(raw: str | None) -> str | None:
    """Decode an RFC 2047 (and raw 8-bit) header value into one line of text.

    Adjacent encoded-words are joined without the whitespace between them, and the bytes of a
    run of words in one charset are decoded together, because broken senders split a multibyte
    character across two words.
    """
    if raw is None:
        return None
    value = _FOLD.sub(" ", restore_8bit(raw))
    pieces: list[str] = []
    run_charset: str | None = None
    run = b""
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        if between and (run_charset is None or between.strip()):
            if run_charset is not None:
                pieces.append(decode_bytes(run, run_charset))
                run_charset, run = None, b""
            pieces.append(between)
        charset, encoding, text = match.groups()
        data = _word_bytes(encoding, text)
        if run_charset is not None and charset.lower() != run_charset.lower():
            pieces.append(decode_bytes(run, run_charset))
            run = b""
        run_charset = charset
        run += data
        pos = match.end()
    if run_charset is not None:
        pieces.append(decode_bytes(run, run_charset))
    pieces.append(value[pos:])
    return "".join(pieces).strip()


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def restore_8bit(value: str) -> str:
    """Turn surrogate-escaped raw header bytes (as compat32 keeps them) back into text."""
    if _ESCAPED_BYTE.search(value) is None:  # a regex scan, not a Python loop per character
        return value
    return decode_bytes(value.encode("ascii", "surrogateescape"), None)


def raw_headers(msg: Message) -> dict[str, list[str]]:
    """Every raw header value by lowercased name, in order: one pass over the header block.

    A mail is asked for a dozen headers; scanning the block (and lowercasing every name) per
    question cost more than the MIME parse itself.
    """
    found: dict[str, list[str]] = {}
    for key, value in msg.raw_items():
        found.setdefault(key.lower(), []).append(str(value))
    return found


def raw_header(msg: Message, name: str) -> str | None:
    """Return the first raw value of header `name` (compat32 keeps undecoded strings)."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def header(msg: Message, name: str) -> str | None:
    """Return header `name` decoded, or None when absent."""
    return decode_header_value(raw_header(msg, name))


def part_text(part: Message) -> str:
    """Decode a text part's payload with its declared charset (CP949-aware), LF line ends."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    text = decode_bytes(data, part.get_content_charset())
    return text.replace("\r\n", "\n").replace("\r", "\n")


def filename_of(part: Message) -> str | None:
    """Return a part's file name: RFC 2231, RFC 2047 or raw 8-bit, from either header."""
    value = part.get_param("filename", header="content-disposition")
    if value is None:
        value = part.get_param("name", header="content-type")
    if value is None:
        return None
    if isinstance(value, tuple):
        charset, _lang, text = value
        if not charset:
            text = collapse_rfc2231_value(value)
        else:
            # compat32 has already percent-decoded the value into one char per byte.
            return decode_bytes(text.encode("raw-unicode-escape"), charset) or None
    else:
        text = str(value)
    return decode_header_value(text) or None
