"""How many SMS a text costs: GSM-7 when every character is in the GSM 03.38 alphabet,
UCS-2 otherwise (Korean always is UCS-2).

A single GSM-7 SMS holds 160 septets, a part of a concatenated one 153 (the user data
header takes 7); UCS-2 holds 70 characters, 67 per part. Characters of the GSM extension
table (`^{}[]~|€\\`) take two septets. UCS-2 counts UTF-16 code units, so an emoji outside
the BMP takes two. The composer counts the same way (web/static/app.js `smsSegments`).
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}
MAX_SEGMENTS = 10  # the provider refuses longer texts (Twilio: 1,600 characters)


@dataclass(frozen=True, slots=True)
class Segments:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int  # SMS parts the text is sent as
    per_segment: int  # units one part holds at this length (160/153, 70/67)


def count(text: str) -> Segments:
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        encoding = "GSM-7"
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    else:
        encoding = "UCS-2"
        units = len(text.encode("utf-16-le")) // 2
    if units <= SINGLE[encoding]:
        return Segments(encoding, units, 1 if units else 0, SINGLE[encoding])
    per = PART[encoding]
    return Segments(encoding, units, -(-units // per), per)
