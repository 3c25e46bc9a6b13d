"""The intake checklist: what an emailed inquiry should carry, and what to ask for if not.

The customer center's guide (seed/customer-center.ko.txt, "이메일 문의") asks for name and
contact details, the order number, a detailed description and, when relevant, photos. These
pure functions say which of the four are present so the thread can show what is missing and
offer a one-click request in Korean or English.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NAME_CONTACT = "name_contact"
ORDER_NUMBER = "order_number"
DETAILS = "details"
PHOTOS = "photos"
ITEMS: tuple[str, ...] = (NAME_CONTACT, ORDER_NUMBER, DETAILS, PHOTOS)

# Invisible characters that split a number when pasted from apps or typed on phones.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064"), None
)
# 13 digits: order date YYYYMMDD, then a 5-digit serial (2026112400317); one "-" or space may
# separate the date from the serial.
_ORDER = re.compile(r"(?<!\d)(20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))[- ]?(\d{5})(?!\d)")
_PHONE = re.compile(
    r"(?<!\d)(?:\+?82[- ]?1[016789]|01[016789])[- .]?\d{3,4}[- .]?\d{4}(?!\d)"
    r"|(?<!\d)0(?:2|[3-6][1-5])[- .]?\d{3,4}[- .]?\d{4}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_FIELD = re.compile(
    r"(?:이름|성함|성명|수령인|주문자|받는\s*분|name)\s*[:：]\s*([^\s,/]{2,20}(?: [^\s,/]{1,20})?)",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(r"^\s*([가-힣]{2,4})\s*(?:드림|올림|배상)?\s*$")
_SIGN_OFF_EN = re.compile(
    r"^\s*(?:thanks|thank you|regards|best|cheers)[,!.]?\s*\n\s*([A-Z][a-z]+(?: [A-Z][a-z]+)?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_GREETING = re.compile(
    r"^\s*(?:안녕하세요|수고하십니다|감사합니다|고맙습니다|hi|hello|dear [^\n]*|thanks|thank you"
    r"|regards|best)[\s,.!~]*$",
    re.IGNORECASE,
)
# Words that make a photo useful: damage, defects, wrong or missing items, leaks.
_PHOTO_TOPICS = re.compile(
    r"파손|깨지|깨졌|찢어|찌그러|불량|하자|변질|오염|곰팡이|누락|빠져|오배송|다른 상품|잘못 온|"
    r"새어|샜|유통기한|사진|이물|damag|broken|crack|defect|leak|wrong item|missing item|"
    r"mold|photo|picture",
    re.IGNORECASE,
)
_MIN_DETAIL_CHARS = 10
# A short Korean line ending like a sentence ("감사해요") is no signature.
_NOT_NAME_ENDINGS = "요다까죠네"


@dataclass(frozen=True, slots=True)
class IntakeCheck:
    """What the inquiry carries. `photos_needed` is False when photos would not help."""

    has_name: bool
    has_contact: bool
    order_numbers: tuple[str, ...]
    has_details: bool
    photos_needed: bool
    photo_count: int

    @property
    def missing(self) -> tuple[str, ...]:
        """The checklist items still missing, in the guide's order."""
        out: list[str] = []
        if not (self.has_name and self.has_contact):
            out.append(NAME_CONTACT)
        if not self.order_numbers:
            out.append(ORDER_NUMBER)
        if not self.has_details:
            out.append(DETAILS)
        if self.photos_needed and self.photo_count == 0:
            out.append(PHOTOS)
        return tuple(out)

    @property
    def complete(self) -> bool:
        return not self.missing


def clean(text: str) -> str:
    """Fold fullwidth digits and letters (NFKC) and drop invisible characters."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def find_order_numbers(text: str) -> tuple[str, ...]:
    """Return the 13-digit order numbers in `text`, in order, without duplicates."""
    found = (date + serial for date, serial in _ORDER.findall(clean(text)))
    return tuple(dict.fromkeys(found))


def find_phones(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_PHONE.findall(clean(text))))


def find_name(text: str) -> str | None:
    """Return a name the customer wrote: a labelled field, or a Korean or English sign-off."""
    body = clean(text)
    labelled = _NAME_FIELD.search(body)
    if labelled is not None:
        return labelled.group(1).strip()
    lines = [line for line in body.splitlines() if line.strip()]
    for line in reversed(lines[-3:]):
        match = _SIGN_OFF.match(line)
        if (
            match is not None
            and not _GREETING.match(line)
            and match.group(1)[-1] not in "요다까죠네"
        ):
            return match.group(1)
    english = _SIGN_OFF_EN.search(body)
    return english.group(1) if english is not None else None


def has_details(text: str) -> bool:
    """True when, without greetings, numbers and addresses, some description is left."""
    body = clean(text)
    for pattern in (_ORDER, _PHONE, _EMAIL):
        body = pattern.sub(" ", body)
    lines = [line for line in body.splitlines() if not _GREETING.match(line)]
    letters = [ch for ch in "".join(lines) if ch.isalpha()]
    return len(letters) >= _MIN_DETAIL_CHARS


def photos_relevant(text: str, subject: str | None = None) -> bool:
    return _PHOTO_TOPICS.search(clean(f"{subject or ''}\n{text}")) is not None


def check_inquiry(
    text: str,
    *,
    subject: str | None = None,
    sender_name: str | None = None,
    sender_contact: str | None = None,
    attachment_types: Iterable[str] = (),
) -> IntakeCheck:
    """Check one inquiry (all of a customer's messages joined, for a conversation).

    `sender_contact` is what the channel already tells us (the From address of an email);
    `attachment_types` are the MIME types of the files sent, `image/*` counting as photos.
    """
    both = f"{subject or ''}\n{text}"
    name = (sender_name or "").strip() or find_name(text)
    contact = bool(sender_contact) or bool(find_phones(text)) or bool(_EMAIL.search(text))
    return IntakeCheck(
        has_name=bool(name),
        has_contact=contact,
        order_numbers=find_order_numbers(both),
        has_details=has_details(text),
        photos_needed=photos_relevant(text, subject),
        photo_count=sum(1 for t in attachment_types if t.lower().startswith("image/")),
    )


_REQUESTS: dict[str, dict[str, str]] = {
    "ko": {
        NAME_CONTACT: "성함과 연락 가능한 전화번호",
        ORDER_NUMBER: "주문번호 (13자리 숫자, 예: 2026112400317)",
        DETAILS: "문의하실 내용의 자세한 설명 (상품명, 수량, 발생한 문제)",
        PHOTOS: "상품과 포장 상태를 확인할 수 있는 사진",
    },
    "en": {
        NAME_CONTACT: "your name and a phone number we can reach you on",
        ORDER_NUMBER: "your order number (13 digits, e.g. 2026112400317)",
        DETAILS: "a detailed description (product, quantity and what went wrong)",
        PHOTOS: "photos showing the product and its packaging",
    },
}
_FRAME = {
    "ko": (
        "안녕하세요, 고객님. 빠르고 정확한 확인을 위해 아래 정보를 이 메일에 회신해 주시겠어요?",
        "감사합니다.",
    ),
    "en": (
        "Hello, and thank you for contacting us. To look into this quickly, could you reply "
        "with the following?",
        "Thank you.",
    ),
}


def request_item(item: str, lang: str = "ko") -> str:
    """Return the one-line request for one checklist item."""
    return _REQUESTS[_lang(lang)][item]


def request_text(missing: Sequence[str], lang: str = "ko") -> str | None:
    """Return a canned reply asking for the `missing` items, or None when nothing is missing."""
    if not missing:
        return None
    code = _lang(lang)
    opening, closing = _FRAME[code]
    bullets = "\n".join(f"- {_REQUESTS[code][item]}" for item in missing)
    return f"{opening}\n\n{bullets}\n\n{closing}"


def _lang(lang: str) -> str:
    return "en" if lang.lower().startswith("en") else "ko"
