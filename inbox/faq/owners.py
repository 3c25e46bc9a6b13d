"""A request owned by a word this shop has never seen gets no FAQ answer.

The topics lexicon (inbox.faq.topics) silences "피자 배달" because someone listed 피자; a domain
nobody listed ("사주 상담 예약 취소", "소개팅 앱 회원 탈퇴", "예비군 훈련 취소") went through,
since every word but the owner is an article's. Seen from the shop's side the owner is odd in
another way: no article, synonym, everyday word, product word, service name or labelled
customer question (the ~2,100 phrasings the re-ranker learns from) has ever used it. So a
request word of the articles (`_ANCHOR`: 주문, 취소, 예약, 상담…) whose owner — a bare noun
right before it, in the same token (사주상담) or the token before (사주 상담, 소개팅 앱 회원) —
starts with two syllables none of those texts start a word with, silences the question.

Round 11 tried the rule bare (a bench script, at 02d64d5) and it silenced 12 labelled
questions for 17 off-topic ones: adverbs and quantities (일단, 소량), verbs and connectives
(비싼데, 긁은거, 나누어), typos of known words (송정번호, 언재). Now the owner must look like a
noun (no verb or particle ending, at most four syllables, not a closed-class adverb), and a
typo one jamo from a known word is known. Judged by leave-one-domain-out (bench/faq_cv.py
--domains), where the scored domain's own questions are never known; docs/decisions.md,
"FAQ round 13".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The articles' request words a foreign owner heads (the topics gate's list, nouns only:
# a verb has no owner in this sense). 운송장 before 송장: "내운송장번호" is "my waybill".
_ANCHOR_TEXT = """
배송 배달 택배 환불 반품 교환 취소 주문 결제 회원 가입 탈퇴 비밀번호 비번 아이디 계정
주소 배송지 조회 운송장 송장 분실 도착 재고 유통기한 성분 상담 영수증 해지 구매 접수 예약
"""
_ANCHOR = re.compile("|".join(sorted(_ANCHOR_TEXT.split(), key=len, reverse=True)))
_HANGUL = re.compile(r"^[가-힣]+$")
# A token ending like this is a verb, an adverbial or a noun with a particle: not an owner. A
# past or future verb closing a sentence (망했다, 깜빡했다, 큰일났다: round 20) is one too: "아
# 망했다 주소 옛날 집으로 찍혀 있네" read 망했 as an unknown owner of 주소.
_NOT_BARE = re.compile(
    r"(?:데|거|후|부터|니까|더니|려고|려니|면서|해서|어서|아서|으로|에서|한테|까지|처럼|보다|"
    r"인지|는지|했|[았었였했됐났왔갔봤겠]다|[로에면서게야던만를을랑와고요죠지은는이가도의어아])$"
)
# Closed-class adverbs and quantities a customer puts before a request ("일단 주문 취소부터",
# "종종 주문을", "그럼 배송비"): never the request's owner, and no list of nouns names them.
_ADVERB_TEXT = """
일단 우선 먼저 그럼 그러면 그냥 종종 가끔 자주 매번 항상 늘 계속 자꾸 다시 또 아직 이미
벌써 방금 지금 나중 혹시 제발 빨리 얼른 바로 전부 모두 다들 각각 따로 같이 함께 소량 대량
여러 몇몇 한번 두번 하나 두개 세개 한개 반만
"""
_ADVERBS = frozenset(_ADVERB_TEXT.split())
_MAX_OWNER = 4  # syllables: a longer bare "owner" is an unspaced sentence (몇원부터무료배송)


def bare_noun(word: str) -> bool:
    """Could `word` be a noun heading the next one (no verb or particle ending, not an
    adverb)? inbox.faq.services reads a company's name before its 본사 or 고객센터 with it."""
    return not _NOT_BARE.search(word) and word not in _ADVERBS


def _initials(texts: Iterable[str]) -> set[str]:
    out = set()
    for text in texts:
        for token in text.lower().split():
            token = re.sub(r"[^가-힣]", "", token)
            if len(token) >= 2:
                out.add(token[:2])
    return out


def _one_jamo_away(syllable: str) -> Iterable[str]:
    code = ord(syllable) - 0xAC00
    cho, jung, jong = code // 588, (code % 588) // 28, code % 28
    yield from (chr(0xAC00 + c * 588 + jung * 28 + jong) for c in range(19) if c != cho)
    yield from (chr(0xAC00 + cho * 588 + v * 28 + jong) for v in range(21) if v != jung)
    yield from (chr(0xAC00 + cho * 588 + jung * 28 + f) for f in range(28) if f != jong)


class UnknownOwners:
    """Finds a request word owned by a noun no known text starts a word with."""

    def __init__(self, known_texts: Iterable[str], phrase_nouns: Iterable[str] = ()) -> None:
        """`known_texts`: everything the shop's side has written or seen customers write.
        `phrase_nouns`: nouns that stay inside an owner's phrase (소개팅 앱 회원)."""
        self.known = _initials([*known_texts, _ADVERB_TEXT])
        self._phrase_nouns = frozenset(phrase_nouns)

    def _is_known(self, owner: str) -> bool:
        first, second = owner[0], owner[1]
        return (
            owner[:2] in self.known
            or any(s + second in self.known for s in _one_jamo_away(first))
            or any(first + s in self.known for s in _one_jamo_away(second))
        )

    def owner(self, text: str) -> str | None:
        """The unknown owner of a request word in `text` (lower-cased, typos corrected), if any."""
        tokens = text.split()
        for i, token in enumerate(tokens):
            match = _ANCHOR.search(token)
            if not match:
                continue
            if match.start() >= 2:
                owner = token[: match.start()]  # a bare compound: 사주상담
            elif match.start() == 0 and i > 0:
                j = i - 1
                while j >= 0 and tokens[j] in self._phrase_nouns:  # 소개팅 앱 회원 → 소개팅
                    j -= 1
                if j < 0:
                    continue
                owner = tokens[j]
            else:
                continue
            if (
                _HANGUL.match(owner)
                and 2 <= len(owner) <= _MAX_OWNER
                and bare_noun(owner)
                and not self._is_known(owner)
            ):
                return owner
        return None
