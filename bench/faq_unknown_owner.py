"""An experiment of FAQ round 11, not shipped: silence a question whose article word is owned by
a word the shop has never seen. Cross-validated both ways.

    .venv/bin/python bench/faq_unknown_owner.py

The topics lexicon (inbox/faq/topics.py) only knows the domains someone listed; leave-one-
domain-out showed it barely carries an unlisted one. The other side of "is this about the
shop?" is open-ended: the word that owns the article word ("사주 상담", "타투 예약 취소",
"소개팅 앱 회원 탈퇴") is one no article, synonym, shop list or labelled question has ever used.
Known words here are the first two syllables of every token of those texts, the labelled
questions of the other folds only (one fold per tuning split). Printed: labelled questions it
would silence (the aim is none) and no-answer questions it silences beyond the shipped engine.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from faq_learning import TAUGHT, load  # noqa: E402

from inbox.faq.articles import default_articles  # noqa: E402
from inbox.faq.search import KO_STOP_PHRASES, FaqIndex, normalize  # noqa: E402
from inbox.faq.services import _PHRASE_NOUNS, OURS, default_services  # noqa: E402
from inbox.faq.synonyms import KO_SYNONYMS  # noqa: E402
from inbox.faq.topics import default_topics  # noqa: E402
from inbox.faq.words import KO_EVERYDAY_WORDS  # noqa: E402

_ANCHOR_TEXT = """
배송 배달 택배 환불 반품 교환 취소 주문 결제 회원 가입 탈퇴 비밀번호 비번 아이디 계정
주소 배송지 조회 송장 분실 도착 재고 유통기한 성분 상담 영수증 해지 구매 접수 예약
"""
_ANCHOR = re.compile("|".join(sorted(_ANCHOR_TEXT.split(), key=len, reverse=True)))
_HANGUL = re.compile(r"^[가-힣]+$")
# A token ending like this is a verb, an adverbial or a noun with a particle: not an owner.
_NOT_BARE = re.compile(
    r"(?:는데|니까|더니|려고|려니|면서|해서|어서|아서|으로|에서|한테|까지|부터|처럼|보다|인지|"
    r"는지|했|[로에면서게야던만를을랑와고요죠지은는이가도의])$"
)


def initials(texts: Iterable[str]) -> set[str]:
    out = set()
    for text in texts:
        for token in normalize(text).split():
            token = re.sub(r"[^가-힣]", "", token)
            if len(token) >= 2:
                out.add(token[:2])
    return out


def unknown_owner(index: FaqIndex, text: str, known: set[str]) -> str | None:
    low = normalize(index._fix(text))
    ours = index._topics._ours
    if OURS.search(low) or (ours is not None and ours.search(low)):
        return None
    tokens = low.split()
    for i, token in enumerate(tokens):
        match = _ANCHOR.search(token)
        if not match:
            continue
        if match.start() >= 2:
            owner = token[: match.start()]  # a bare compound: 사주상담
        elif match.start() == 0 and i > 0:
            j = i - 1
            while j >= 0 and tokens[j] in _PHRASE_NOUNS:  # 소개팅 앱 회원 → 소개팅
                j -= 1
            if j < 0:
                continue
            owner = tokens[j]
        else:
            continue
        bare = _HANGUL.match(owner) and len(owner) >= 2 and not _NOT_BARE.search(owner)
        if bare and owner[:2] not in known:
            return owner
    return None


def main() -> None:
    articles = default_articles()
    index = FaqIndex(articles)
    services = default_services()
    vocabulary = json.loads((ROOT / "inbox" / "faq" / "vocabulary.json").read_text())["synonyms"]
    base = initials(
        [
            chunk
            for article in articles
            for text in article.texts.values()
            for chunk in (text.title, text.answer, *text.keywords)
        ]
        + [*KO_SYNONYMS, *KO_SYNONYMS.values(), *KO_EVERYDAY_WORDS, *KO_STOP_PHRASES]
        + [*default_topics().ours, *services.store, *services.other]
        + [*vocabulary, *vocabulary.values()]
    )
    questions = [q for q in load() if q[3] in TAUGHT]
    lost, gained, fired, negatives = [], [], 0, 0
    for fold in sorted({q[3] for q in questions}):
        known = base | initials(q[0] for q in questions if q[3] != fold and q[1])
        for text, labels, _kind, split in questions:
            if split != fold:
                continue
            owner = unknown_owner(index, text, known)
            if labels and owner:
                lost.append(f"  {split}: {text} ({owner})")
            if not labels:
                negatives += 1
                fired += bool(owner)
                if owner and index.answer(text):
                    gained.append(f"  {split}: {text} ({owner})")
    print(f"labelled questions it would silence: {len(lost)}", *lost, sep="\n")
    print(f"no-answer questions it fires on: {fired} of {negatives}")
    print(f"no-answer questions the shipped engine answers and it silences: {len(gained)}")
    print(*gained, sep="\n")


if __name__ == "__main__":
    main()
