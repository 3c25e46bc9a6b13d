"""The browser flows run in Korean and English: expected texts come from the catalogue the UI
uses (web/translations), so a test checks the translated page without a second copy of it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import Translations
from sqlalchemy import update

from inbox.models import User

LANGS = ("ko", "en")
BROWSER_LOCALE = {"ko": "ko-KR", "en": "en-US"}
TRANSLATIONS = Path(__file__).resolve().parents[3] / "web" / "translations"
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@cache
def _korean() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["ko"], "messages")


def tr(lang: str, msgid: str, **values: Any) -> str:
    """`msgid` as the UI shows it in `lang`, filled with `values`."""
    text = _korean().gettext(msgid) if lang == "ko" else msgid
    assert lang == "en" or text != msgid or not re.search("[A-Za-z]{3}", msgid), msgid
    return text % values if values else text


def piece(lang: str, msgid: str) -> str:
    """The longest fixed part of `msgid`'s translation: what a selector can look for when the
    placeholders' values are not known."""
    parts = [p.strip(" ·:;,()") for p in _PLACEHOLDER.split(tr(lang, msgid))]
    return max(parts, key=len)


def speak(rt: Any, lang: str) -> None:
    """Every user of this database reads the UI in `lang` (their profile's language)."""
    with rt.db.session() as session:
        session.execute(update(User).values(locale=lang))
