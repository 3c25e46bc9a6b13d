"""Phone numbers in E.164, the one spelling a number has everywhere in Switchboard.

The provider writes numbers in E.164 (`+821012345678`); agents and customers type them as
they say them (`010-1234-5678`, `02 555 0100`, `+82 (0)10 1234 5678`). Contacts are found by
number, so both must come out the same: a national number (leading 0, no country code) is
read in the account's country (Korea unless the account says otherwise) and the trunk 0 is
dropped. Only the few countries we ship for need a calling code here.
"""

from __future__ import annotations

import re

# ISO country → calling code, for national numbers typed without one.
CALLING_CODES = {"KR": "82", "US": "1", "CA": "1", "JP": "81", "GB": "44"}
# Countries whose national numbers start with a trunk prefix 0 that E.164 drops.
TRUNK_ZERO = frozenset({"KR", "JP", "GB"})
_SEPARATORS = re.compile(r"[\s().\-/]")
_DIGITS = re.compile(r"\d{8,15}")  # country code included


class BadNumber(ValueError):
    """Not a phone number we can dial or match; the message says why."""


def to_e164(raw: str, country: str = "KR") -> str:
    """`+821012345678` for any of `010-1234-5678`, `+82 10-1234-5678`, `+82 (0)10…`,
    `0082 10 1234 5678`; BadNumber for anything else (letters, too short or long)."""
    text = _SEPARATORS.sub("", raw.strip())
    if not text:
        raise BadNumber("no phone number given")
    if text.startswith("00"):  # the international prefix dialled from Korea and Europe
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = text[1:]
        code = next(
            (
                c
                for c in sorted(set(CALLING_CODES.values()), key=len, reverse=True)
                if digits.startswith(c)
            ),
            None,
        )
        if code is not None and digits[len(code) :].startswith("0"):
            digits = code + digits[len(code) + 1 :]  # "+82 (0)10…": the written trunk zero
    else:
        code = CALLING_CODES.get(country.upper())
        if code is None:
            raise BadNumber(f"no calling code known for country {country!r}; write +<code>")
        national = text[1:] if country.upper() in TRUNK_ZERO and text.startswith("0") else text
        digits = code + national
    if not _DIGITS.fullmatch(digits) or digits.startswith("0"):
        raise BadNumber(f"{raw!r} is not a phone number")
    return "+" + digits


def is_e164(value: str) -> bool:
    return bool(value.startswith("+") and _DIGITS.fullmatch(value[1:]))
