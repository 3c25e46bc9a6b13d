"""Is the question about something this shop sells or handles? If not, it gets no FAQ answer.

"피자 배달이 안 와요", "헬스장 회원 탈퇴", "편지 해외로 보내는 법", "통장 비밀번호": the request
is an article's (delivery, cancel, password) and the words score high, but its object is a
pizza, a gym, a letter, a bank book. Naive Bayes over the shipped no-answer questions (the
veto) only knows topics someone wrote a line for; what the shop handles is a short, closed list
and what it never handles is everything else, so the gate asks the question from that side.

The words are data (`topics.json`, read at run time, reviewed like code), written by hand from
a list of everyday domains before the tuning split that measures them (docs/decisions.md,
"FAQ round 11"):

- `foreign`: by domain, things a supplement and health-food shop never sells or handles.
- `ours`: its products, their forms and ingredients. A message naming one is about this shop
  whatever else it names ("치킨 먹고 바로 유산균 먹어도 되나요").

A foreign word counts only as the owner of the request, read the way `services.py` reads a
company's name: a bare compound or a particle (피자배달, 헬스장 회원, 강아지가, 편지를) makes it
the owner; instrumental, comparison and "with/without/because of" endings (비행기로, 화장품이랑,
와이파이 없이, 태풍 때문에) leave the request ours. A message that points at us (여기, 이 사이트)
is ours. Any word an article uses is never foreign: an admin who writes "호텔 배송" into an
article's keywords (Admin → FAQ) makes 호텔 ours at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from inbox.faq.services import OURS, owns

FORMAT = "switchboard-faq-topics/1"
_LATIN = re.compile(r"[a-z0-9]")
# After a foreign word, what makes it the customer's circumstance rather than the object of
# the request (read on the rest of its token and the next one), beyond the endings
# services.owns reads:
# - "with/without/because of/instead": 와이파이 없이, 태풍 때문에, 옷 말고;
# - a place (에, 에게, 한테, 옆에): "통장에 들어와요", "주차장에 두고 갔대요", "침대 옆에 두고";
# - an activity made a verb (하다/되다): "게임하다가", "퇴사해서", "개통해서";
# - an activity or life verb right after it: "골프 치는 아버지", "월세 사는 집", "등산 갈 때";
# - the subject of a cause (…서): "강아지가 뜯어서 파손됐어요", "야근이 많아서".
# Each was a labelled question (a tuning split's) that the bare owner rule silenced.
_CIRCUMSTANCE = re.compile(
    r"^(?:\s*(?:없이|없는|때문에|때매|땜에|덕분에|말고|대신|아니고|빼고)"
    r"|(?:에|에다|에다가|에게|한테|께)(?:\s|$|[^가-힣])"
    r"|\s?(?:옆|앞|뒤|안|위|밑|근처)(?:에|에서|으로|로)?(?:\s|$)"
    r"|(?:하(?!자)|해(?!지|약|외|킹|결|제)|했|할|함|되|돼|됐|된|될)"
    r"|\s(?:가는|갈|간|가서|가려고|가면|다니는|다녀서|다니면서|치는|치러|치고|타는|타고|"
    r"사는|살아서|하는|할|하러|하면서|하다가|하고)(?:\s|$|[^가-힣])"
    r"|[이가]\s[가-힣]*서(?:\s|$|[^가-힣]))"
)


@dataclass(frozen=True, slots=True)
class TopicWords:
    """The shop's own words, and foreign words by domain (lower-cased, spaces collapsed)."""

    ours: frozenset[str]
    foreign: Mapping[str, frozenset[str]]

    def without(self, *domains: str) -> TopicWords:
        """The same words with `domains` left out (bench/faq_cv.py scores a domain this way)."""
        return TopicWords(
            self.ours, {d: w for d, w in self.foreign.items() if d not in set(domains)}
        )


def _clean(word: Any, where: str) -> str:
    if not isinstance(word, str) or not word.strip():
        raise ValueError(f"topics: {where}: {word!r} is not a word")
    return " ".join(word.lower().split())


def parse_topics(data: Any) -> TopicWords:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"topics: expected an object with format {FORMAT!r}")
    ours, foreign = data.get("ours"), data.get("foreign")
    if not isinstance(ours, list) or not isinstance(foreign, dict):
        raise ValueError("topics: 'ours' must be a list and 'foreign' an object of lists")
    domains: dict[str, frozenset[str]] = {}
    for domain, words in foreign.items():
        if not isinstance(words, list):
            raise ValueError(f"topics: foreign.{domain} must be a list")
        domains[str(domain)] = frozenset(_clean(w, f"foreign.{domain}") for w in words)
    return TopicWords(frozenset(_clean(w, "ours") for w in ours), domains)


@lru_cache(maxsize=1)
def default_topics() -> TopicWords:
    text = resources.files("inbox.faq").joinpath("topics.json").read_text(encoding="utf-8")
    return parse_topics(json.loads(text))


def _pattern(word: str) -> str:
    # A Hangul word starts a token (헬스장회원권, 피자를) but is not the tail of another word
    # (수영장 is not 장, 등산화 is 등산's); Latin words need word edges on both sides.
    body = r"\s*".join(re.escape(part) for part in word.split())
    start = r"(?<![a-z0-9])" if _LATIN.match(word) else r"(?<![가-힣])"
    end = r"(?![a-z0-9])" if _LATIN.match(word[-1]) else ""
    return start + body + end


@lru_cache(maxsize=8)
def _compile(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(_pattern(w) for w in words)) if words else None


class OffTopic:
    """Finds the foreign things a message's request is about."""

    def __init__(self, words: TopicWords, own_texts: Iterable[str] = ()) -> None:
        """`own_texts`: the articles' titles, answers and keywords; a word they use is ours."""
        own = " ".join(" ".join(t.lower().split()) for t in own_texts)
        foreign = {
            word
            for domain in words.foreign.values()
            for word in domain
            # The substring test first: a regex per word over every article costs ~200 ms.
            if word.split()[0] not in own or not re.search(_pattern(word), own)
        }
        self.foreign = frozenset(foreign - words.ours)
        by_length = lambda w: (-len(w), w)  # noqa: E731 - longest first: 헬스장 before 헬스
        self._foreign = _compile(tuple(sorted(self.foreign, key=by_length)))
        self._ours = _compile(tuple(sorted(words.ours, key=by_length)))

    def owners(self, text: str) -> list[str]:
        """The foreign words `text` asks about, in order (empty: the question may be ours)."""
        if self._foreign is None:
            return []
        low = " ".join(text.lower().split())
        if OURS.search(low) or (self._ours is not None and self._ours.search(low)):
            return []
        found = []
        for match in self._foreign.finditer(low):
            before, after = low[: match.start()], low[match.end() :]
            if not _CIRCUMSTANCE.match(after) and owns(before, after):
                found.append(match.group())
        return found
