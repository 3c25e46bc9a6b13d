"""Rank FAQ articles for a customer's question: pure functions and one in-memory index, no DB.

Customers write "배송언제와요", "환불 어케 해요" or "tracking number 어디서 봄": unspaced,
colloquial, misspelled, half English. Word matching fails on all of these, so Hangul is indexed
as character n-grams of the text with its spaces removed (spacing variants and particles then
share most n-grams with the keyword), plus skip-bigrams and n-grams of each syllable's
consonant skeleton (초성+종성), which survive one-syllable typos (배숑비, 비빌번호). Question
scaffolding every article shares ("어떻게 하나요", "싶어요") is dropped first. English words are
indexed whole (lightly stemmed) and as character trigrams. An article's score is BM25F over its
keywords, title and answer in both locales, plus a bonus for how completely the question
covers its best-matching keyword. BENCHMARKS.md ("FAQ search") has the measurements behind
each of these choices, including the kiwipiepy morpheme analyzer that did not earn its memory.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from inbox.faq.articles import Article
from inbox.faq.classifier import (
    BLEND_WEIGHT,
    FRAMES,
    NONE,
    NUMBERS,
    TEMPERATURE,
    VETO,
    VETO_ALPHA,
    VETO_PART,
    PhrasingClassifier,
    blend,
    default_examples,
    default_no_answer,
)
from inbox.faq.owners import UnknownOwners
from inbox.faq.salad import word_salad
from inbox.faq.services import (
    _PHRASE_NOUNS,
    OURS,
    OtherServices,
    ServiceNames,
    default_services,
)
from inbox.faq.spacing import Spacer
from inbox.faq.synonyms import EN_SYNONYMS, KO_SYNONYMS, fold
from inbox.faq.thanks import no_request_left
from inbox.faq.topics import OffTopic, TopicWords, default_topics
from inbox.faq.words import (
    KO_EVERYDAY_WORDS,
    KO_FILLER_PARTS,
    KO_FILLER_WORDS,
    KO_QUESTION_ENDINGS,
)

Analyzer = Callable[[str], list[str]]

_HANGUL_RUN = re.compile(r"[가-힣]+(?:\s+[가-힣]+)*")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
# Lone jamo (ㅠㅠ, ㅋㅋ, ㅎㅎ) carry feeling, not content; NFKC turns them into conjoining jamo.
_LONE_JAMO = re.compile(r"[\u1100-\u11ff\u3130-\u318f]+")
_SPACES = re.compile(r"\s+")

# Initial and final consonants of a syllable (Unicode order), for the consonant skeleton.
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JONG = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"

# Question scaffolding every article shares ("어떻게 하나요", "싶어요", "어디서"); left in, these
# n-grams outscore the one content word of a short question. Removed as substrings because
# customers do not space them.
KO_STOP_PHRASES: tuple[str, ...] = (
    # "…할 수 있나요" whole, before 있나요 below leaves its 수 behind: 수정+수 then matched
    # the address article's title "배송지를 바꿀 수 있나요" in every "…할 수 있나요" question.
    "수 있나요",
    "수있나요",
    "수 있어요",
    "수있어요",
    "수 있을까요",
    "수있을까요",
    "어떻게",
    # How customers type 어떻게 on a phone ("반퓸 접수 어떻케 해요").
    "어떻케",
    "어떠케",
    "어뜨케",
    "어캐",
    "어케",
    "어떡",
    "어디서",
    "어디에",
    "어딨",
    "지금",
    "혹시",
    "그냥",
    "싶어요",
    "싶은데요",
    "싶은데",
    "싶어",
    "싶음",
    "하나요",
    "되나요",
    "될까요",
    "있나요",
    "있어요",
    "있을까요",
    # "…할 수 있나요", "받을 수 있어요": ability, asked of every article.
    "수 있",
    "수있",
    "해주세요",
    "주세요",
    "해요",
    "돼요",
    "되요",
    "인가요",
    "에요",
    "예요",
    # Greetings and "I have a question" say nothing about which answer fits.
    "안녕하세요",
    "안녕하십니까",
    "감사합니다",
    "고맙습니다",
    "알겠습니다",
    "알겠어요",
    "수고하세요",
    # Acknowledgements ("좋아요", "아 그렇군요") answer the agent; they ask nothing.
    "좋아요",
    "좋습니다",
    "그렇군요",
    "그렇구나",
    "알았어요",
    "알았습니다",
    "확인했어요",
    "확인했습니다",
    "네네",
    # A closing after the problem is solved ("ㅇㅋ 해결됐어요 수고하세요", hard-final-10): it
    # reports, it asks nothing. Only the done forms: "해결이 안 돼요" is a request for a person.
    "해결됐어요",
    "해결됐습니다",
    "해결됐네요",
    "해결되었어요",
    "해결되었습니다",
    "해결했어요",
    "해결했습니다",
    # Politeness around the question ("빠른 답변 부탁드려요", "확인 부탁드립니다") and the
    # honorific "…해 드려요" of the answers: wrapped around nonsense, these let the wrapper
    # alone reach an article (round 4's politeness probe, BENCHMARKS.md).
    "확인 부탁",
    "확인부탁",
    "빠른 답변",
    "빠른답변",
    "답변",
    "부탁드립니다",
    "부탁드려요",
    "부탁드려",
    "부탁해요",
    "부탁합니다",
    "부탁",
    "드립니다",
    "드려요",
    "드릴게요",
    "드려",
    "수고 많으십니다",
    "수고많으십니다",
    "수고하십니다",
    "다름이 아니라",
    "다름이아니라",
    "문의드립니다",
    "문의드려요",
    "문의합니다",
    "문의",
    "질문",
    "저기요",
)

_EN_STOPWORD_TEXT = (
    "a an the i me my we our you your is are was were be been do does did to of in on at for "
    "it this that and or how what when where why can could would will with from there here "
    "please get got have has"
)
_EN_STOPWORDS = frozenset(_EN_STOPWORD_TEXT.split())


def normalize(text: str) -> str:
    """NFKC, lower case, emoticon jamo dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _LONE_JAMO.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def content(text: str) -> tuple[list[str], list[str]]:
    """A question's content: Hangul runs (folded, scaffolding removed, unspaced) and English
    content words. What coverage and the gaps report compare; the analyzer indexes more."""
    folded = fold(normalize(text))
    return [run.replace(" ", "") for run in _stripped_runs(folded)], _content_words(folded)


def _stripped_runs(folded: str) -> list[str]:
    """The Hangul runs of folded text, each scaffolding phrase replaced by a space."""
    runs = []
    for run in _HANGUL_RUN.findall(folded):
        for phrase in KO_STOP_PHRASES:
            run = run.replace(phrase, " ")
        runs.append(run)
    return runs


def _content_words(folded: str) -> list[str]:
    return [w for w in _LATIN_WORD.findall(folded) if w not in _EN_STOPWORDS]


def scaffolded(text: str) -> list[tuple[str, list[bool]]]:
    """`content`'s Hangul runs, each with which of its syllables are scaffolding around the
    content: a colloquial ending closing a word (words.KO_QUESTION_ENDINGS), a filler word
    (KO_FILLER_WORDS), or a filler inside an unspaced run (KO_FILLER_PARTS). Coverage judges
    a question on the rest ("FAQ round 16" in docs/decisions.md)."""
    return _scaffolded(fold(normalize(text)))


def _scaffolded(folded: str) -> list[tuple[str, list[bool]]]:
    out = []
    for run in _stripped_runs(folded):
        syllables, mask = "", []
        for word in run.split():
            marks = [False] * len(word)
            if word in KO_FILLER_WORDS:
                marks = [True] * len(word)
            else:
                for ending in KO_QUESTION_ENDINGS:
                    stem = len(word) - len(ending)
                    if word.endswith(ending) and stem >= (1 if len(ending) > 1 else 2):
                        marks[len(word) - len(ending) :] = [True] * len(ending)
                        break
                for part in KO_FILLER_PARTS:
                    start = word.find(part)
                    while start >= 0:
                        marks[start : start + len(part)] = [True] * len(part)
                        start = word.find(part, start + 1)
            syllables += word
            mask += marks
        out.append((syllables, mask))
    return out


def _stem(word: str) -> str:
    # Deliberately crude: enough to meet "orders"/"order", "tracking"/"track".
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + repl
    return word


def _skeleton(syllable: str) -> str:
    index = ord(syllable) - 0xAC00
    return _CHO[index // 588] + _JONG[index % 28].strip()


def _jamo(syllable: str) -> tuple[int, int, int]:
    index = ord(syllable) - 0xAC00
    return index // 588, (index % 588) // 28, index % 28


def _one_jamo_away(syllable: str) -> Iterable[str]:
    """Every syllable that differs from `syllable` in exactly one of its three jamo: the
    typos customers make (반풍 for 반품, 변겅 for 변경, 췩소 for 취소, 배쏭 for 배송)."""
    cho, jung, jong = _jamo(syllable)
    for c in range(19):
        if c != cho:
            yield chr(0xAC00 + c * 588 + jung * 28 + jong)
    for v in range(21):
        if v != jung:
            yield chr(0xAC00 + cho * 588 + v * 28 + jong)
    for f in range(28):
        if f != jong:
            yield chr(0xAC00 + cho * 588 + jung * 28 + f)


class TypoFixer:
    """Replace a Hangul syllable that no article uses by the one-jamo-away syllable that
    completes a word of some title or keyword.

    The skeleton n-grams already let a misspelt word rank its article, but the no-match gate
    judges the question by the exact n-grams it shares with the article, so "반풍 접수" (one
    content word, mangled) was refused. Only syllables found nowhere in the articles are
    touched, and only when the change completes a whole keyword word (반품, 변경, 탈퇴):
    a real word is never "corrected", and "부탁" does not become "부작" because 부작용 is a
    keyword.
    """

    def __init__(self, articles: Sequence[Article]) -> None:
        self.known: set[str] = set()
        self.words: dict[str, set[str]] = defaultdict(set)  # syllable -> keyword words with it
        for article in articles:
            for text in article.texts.values():
                for chunk in (text.title, text.answer, *text.keywords):
                    self.known.update(_syllables(chunk))
                    self.known.update(_syllables(chunk, folded=False))
                for phrase in (text.title, *text.keywords):
                    self._add_words(phrase)
        # Words the index folds or drops are real words too, never typos.
        for word in (*KO_SYNONYMS, *KO_SYNONYMS.values(), *KO_STOP_PHRASES, *KO_EVERYDAY_WORDS):
            self.known.update(_syllables(word, folded=False))
        self._english = _EnglishTypos(articles)

    def _add_words(self, phrase: str) -> None:
        normal = normalize(phrase)
        for text in normal, fold(normal):
            for run in _HANGUL_RUN.findall(text):
                for word in {run.replace(" ", ""), *run.split()}:
                    if len(word) >= 2:
                        for syllable in word:
                            self.words[syllable].add(word)

    def __call__(self, text: str) -> str:
        text = self._english(text)
        if all(s in self.known for s in _syllables(text, folded=False)):
            return text
        chars = list(text)
        for i, char in enumerate(chars):
            if not ("가" <= char <= "힣") or char in self.known:
                continue
            around = "".join(chars[max(0, i - 5) : i + 6]).replace(" ", "")
            best, best_length = char, 0
            for candidate in _one_jamo_away(char):
                fixed = around.replace(char, candidate)
                for word in self.words.get(candidate, ()):
                    if len(word) > best_length and word in fixed and word not in around:
                        best, best_length = candidate, len(word)
            chars[i] = best
        return "".join(chars)


_LONG_LATIN_WORD = re.compile(r"[A-Za-z]{5,}")


class _EnglishTypos:
    """Replace an English word no article uses by the keyword or title word it is one slip
    from: a letter left out (acount, registr), one too many (shippping) or two swapped
    (refnud, recieve). Never a changed letter: a real word is one letter from a keyword far
    too often (older/order), and with no English dictionary at hand that cannot be told
    from a typo. Words under five letters are left alone (form/from), and so is a word two
    keywords are one slip from."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.known: set[str] = set(_EN_STOPWORDS) | set(EN_SYNONYMS) | set(EN_SYNONYMS.values())
        targets: set[str] = set()
        for article in articles:
            for text in article.texts.values():
                for chunk in (text.title, text.answer, *text.keywords):
                    self.known.update(w.lower() for w in re.findall(r"[A-Za-z]+", chunk))
                for chunk in (text.title, *text.keywords):
                    targets.update(w.lower() for w in _LONG_LATIN_WORD.findall(chunk))
        self.targets = frozenset(targets)
        # A keyword with one letter left out -> the keywords it can be.
        self.missing: dict[str, set[str]] = defaultdict(set)
        for word in targets:
            for i in range(len(word)):
                self.missing[word[:i] + word[i + 1 :]].add(word)

    def candidates(self, word: str) -> set[str]:
        found = set(self.missing.get(word, ()))
        found.update(w for i in range(len(word)) if (w := word[:i] + word[i + 1 :]) in self.targets)
        for i in range(len(word) - 1):
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if swapped != word and swapped in self.targets:
                found.add(swapped)
        return found

    def __call__(self, text: str) -> str:
        def fixed(match: re.Match[str]) -> str:
            word = match.group(0)
            if word.lower() in self.known:
                return word
            found = self.candidates(word.lower())
            return found.pop() if len(found) == 1 else word

        return _LONG_LATIN_WORD.sub(fixed, text)


def _syllables(text: str, *, folded: bool = True) -> list[str]:
    """The Hangul syllables of `text`, as the index sees them (or as written: the question is
    corrected before synonyms are folded)."""
    text = normalize(text)
    return [c for c in (fold(text) if folded else text) if "가" <= c <= "힣"]


def _word_ngrams(text: str, stop_phrases: Sequence[str]) -> set[str]:
    """The Hangul 2-/3-grams inside one word of `text` as the customer spaced it (after
    synonyms: "없던 걸로" is one word, 취소), never across a space or a removed phrase."""
    inside: set[str] = set()
    for run in _HANGUL_RUN.findall(fold(normalize(text))):
        for phrase in stop_phrases:
            run = run.replace(phrase, " ")
        for word in run.split():
            for n in (2, 3):
                inside.update(f"h{n}:{g}" for g in _ngrams(word, n))
    return inside


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _ngrams(seq: Sequence[str], n: int) -> Iterable[str]:
    return ("".join(seq[i : i + n]) for i in range(len(seq) - n + 1))


@dataclass(frozen=True, slots=True)
class NgramAnalyzer:
    """Hangul syllable n-grams (spaces removed), consonant-skeleton n-grams, English words."""

    hangul_orders: tuple[int, ...] = (1, 2, 3)
    skeleton_orders: tuple[int, ...] = (2,)
    skip_bigrams: bool = True
    latin_trigrams: bool = True
    stop_phrases: tuple[str, ...] = KO_STOP_PHRASES

    def __call__(self, text: str) -> list[str]:
        text = fold(normalize(text))
        terms: list[str] = []
        for run in _HANGUL_RUN.findall(text):
            for phrase in self.stop_phrases:
                run = run.replace(phrase, " ")
            syllables = run.replace(" ", "")
            for n in self.hangul_orders:
                terms.extend(f"h{n}:{g}" for g in _ngrams(syllables, n))
            skeleton = [_skeleton(s) for s in syllables]
            for n in self.skeleton_orders:
                terms.extend(f"k{n}:{g}" for g in _ngrams(skeleton, n))
            if self.skip_bigrams:
                pairs = zip(syllables, syllables[2:], strict=False)
                terms.extend(f"s2:{a}{b}" for a, b in pairs)
        for word in _LATIN_WORD.findall(text):
            if word in _EN_STOPWORDS:
                continue
            stem = _stem(word)
            terms.append(f"w:{stem}")
            if self.latin_trigrams and len(stem) > 3:
                terms.extend(f"c:{g}" for g in _ngrams(f"#{stem}#", 3))
        return terms


# How much one matching query term of each kind counts; single syllables and skeletons are
# weak evidence on their own but rescue typos.
DEFAULT_TERM_WEIGHTS: Mapping[str, float] = {
    "h1": 0.2,
    "h2": 1.0,
    "h3": 1.0,
    "k1": 0.2,
    "k2": 0.4,
    "k3": 0.4,
    "s2": 0.3,
    "w": 1.5,
    "c": 0.3,
    "m": 1.0,
}


MAX_QUERY_CHARS = 500
# A question this close to a phrasing agents or visitors taught (share of content n-grams
# both ways) is answered by that phrasing's article even when the curated text is silent.
LEARNED_MATCH = 0.6
# The re-ranker's tempered P(article) at or above which a question the score/coverage gate
# refused is answered anyway (when the veto is quiet). Picked on the leave-one-split-out folds
# of bench/faq_cv.py --trust ("FAQ round 15" in docs/decisions.md): at 0.9, 6 labelled
# questions the gate refused answered, all at first rank, and no no-answer question; at 0.8,
# 8 and 1 lost; at 0.7, 15 and 2 lost. Round 17 raised it to 0.95 with the ranker's sharper
# smoothing (classifier.ALPHA 0.3, which makes P larger): at 0.9 it answered 4 more no-answer
# questions of the folds than at 0.95, for 0.1 point of first rank.
TRUST: float | None = 0.95
# ... and the P at or above which it is trusted when the index's own first hit is the same
# article: two rankers that read the question differently (curated text, customers' wordings)
# agreeing. On the folds (bench/faq_cv.py --rescue, "FAQ round 17" in docs/decisions.md), of
# the questions the gate refused: 10 more labelled answered (all at first rank) and no
# no-answer question, with or without the veto. At 0.7, 12, and 3 off-topic questions (P
# 0.71-0.75: 항생제, 보일러, 영어학원) left to the veto; at 0.6, one lost past the veto too.
# Picked at 0.75 with classifier.ALPHA 1.0; with 0.3 the same questions read higher (a
# reworded shipped no-answer question, 회사 주소 영어로 어떻게 적어요, 0.71 -> 0.82), so 0.85.
TRUST_AGREED: float | None = 0.85


def _content_terms(terms: Iterable[str]) -> frozenset[str]:
    """The terms that carry meaning on their own: Hangul 2-/3-grams and English words."""
    return frozenset(t for t in terms if t.startswith(("h2:", "h3:", "w:")))


@dataclass(frozen=True, slots=True)
class FieldWeights:
    keywords: float = 2.0
    title: float = 1.5
    answer: float = 0.4
    evidence: float = 0.3  # learned phrasings (inbox.faq.evidence), times their decay weight


@dataclass(frozen=True, slots=True)
class Hit:
    slug: str
    score: float


@dataclass(frozen=True, slots=True)
class SearchConfig:
    fields: FieldWeights = FieldWeights()
    term_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TERM_WEIGHTS))
    k1: float = 1.2
    b: float = 0.5
    # Bonus for the keyword or title the question covers best (share of that phrase's weighted
    # terms found in the question): "주문 상태" inside a long rambling question still wins.
    coverage_weight: float = 10.0
    # When to suggest nothing (FaqIndex.answer): a top score under `confident_score` must be
    # backed by the article covering `min_coverage` of the question, and nothing under
    # `floor_score` is ever shown. Chosen on the tuning split (BENCHMARKS.md, "FAQ search").
    # How much a learned phrasing counts towards the coverage bonus, against 1 for a keyword:
    # a customer's whole sentence carries filler a keyword does not.
    evidence_coverage: float = 0.3
    confident_score: float = 8.0
    min_coverage: float = 0.35
    # A score between `confident_score` and `sure_score` must still cover more than a quarter
    # of the question: one shared word ("주말", "시간", "갱신") scores 8-11 against the one
    # article that uses it, while real questions with little overlap (long ones) score 15+.
    confident_coverage: float = 0.26
    sure_score: float = 12.0
    # A question that reaches an article only through a corrected typo (TypoFixer) must be
    # covered this much by it.
    typo_coverage: float = 0.3
    # ... or score this much once corrected, whatever its coverage (round 16; the sure tier of
    # a correctly spelled question, `sure_score`, is 12).
    typo_sure_score: float = 12.0
    floor_score: float = 3.0
    # How much an n-gram counts that spans a space the customer typed (FaqIndex._query_terms).
    cross_word: float = 0.3


def _article_terms(
    article: Article,
    analyzer: Analyzer,
    weights: FieldWeights,
    learned: Sequence[tuple[str, float]] = (),
) -> dict[str, float]:
    """Weighted term frequencies of one article over every locale (BM25F's pseudo-document)."""
    tf: dict[str, float] = defaultdict(float)
    for phrase, weight in learned:
        for term in analyzer(phrase):
            tf[term] += weights.evidence * weight
    for text in article.texts.values():
        parts = (
            (weights.title, [text.title]),
            (weights.keywords, list(text.keywords)),
            (weights.answer, [text.answer]),
        )
        for weight, strings in parts:
            for string in strings:  # analyzed one by one: no n-grams across two keywords
                for term in analyzer(string):
                    tf[term] += weight
    return tf


# Where one intent ends and the next begins: sentence punctuation, connective words said
# between two requests, and the connective endings -는데/-ㄴ데 ("취소했는데 환불은…") and -고
# ("바꾸고 환불도…"), but not -고 싶- ("반품하고 싶어요" is one intent).
_CLAUSE_BREAK = re.compile(
    r"[.?!;\n。？！]+"
    r"|\s(?:그리고|근데|그런데|그리고요|또한|또|아니면|그래서|and also|and|but|also)\s"
    r"|(?<=[는은]데)\s|(?<=[는은]데요)\s|(?<=[가-힣]고)\s(?!싶)",
    re.IGNORECASE,
)
_MIN_CLAUSE_CHARS = 4
# How much the whole message counts beside its best clause (FaqIndex.search). 0.5 until round
# 18; on the 35 folds of bench/faq_cv.py (4,852 labelled questions) 1.0 ranks better (first
# rank +12, top 3 +11 with the other round-18 changes) and silences the same no-answer
# questions; 1.5 and more silenced one fewer. A long message's story is often where its topic
# is ("물건 돌려보낸 지 열흘… 원래 이렇게 오래 걸리나요?").
_WHOLE_WEIGHT = 1.0


def split_clauses(text: str) -> list[str]:
    """The clauses of a message, each long enough to carry an intent; short ones join the next."""
    clauses: list[str] = []
    carry = ""
    for part in _CLAUSE_BREAK.split(text):
        part = (carry + " " + part).strip() if carry else part.strip()
        if len(part.replace(" ", "")) < _MIN_CLAUSE_CHARS:
            carry = part
            continue
        clauses.append(part)
        carry = ""
    if carry:
        if clauses:
            clauses[-1] = clauses[-1] + " " + carry
        else:
            clauses.append(carry)
    return clauses


# What a request sounds like ("…해 주세요", "…하고 싶어요", "어떻게…", "…되나요", "가능할까요",
# "ㄱㄴ?"), as opposed to the background a long message gives first ("지난주에 주문했는데",
# "선물로 받았거든요"). Matched on the normalized clause; lone-jamo abbreviations are matched
# before normalize drops them.
_REQUEST = re.compile(
    r"주세요|주실|주시|싶어|싶은|싶습|싶음|싶다|원해|원합|바랍|부탁|알려|궁금|"
    r"[나까가죠]요|[나까가]\s*$|니까\s*$|나여|까여|"
    r"어떻게|어케|어떡|어디|어딨|언제|얼마|며칠|몇|뭐|무엇|왜|방법|가능|되나|될까|"
    r"할까|있나|있을까|되죠|하죠|인가|건지|는지|은지|"
    r"\?|ㄱㄴ|ㄱㄱ|"
    r"\b(?:how|can|could|where|when|what|why|please|want|need|would|is there|do i|does)\b",
    re.IGNORECASE,
)
_BACKGROUND_WEIGHT = 0.3
_MIN_ASK_SCORE = 8.0  # SearchConfig.confident_score: what a clause needs to be an answer's


def _content_size(text: str) -> int:
    runs, words = content(text)
    return sum(len(r) for r in runs) + len(words)


def clause_weights(clauses: Sequence[str], strengths: Sequence[float] | None = None) -> list[float]:
    """How much each clause of a message counts: a request clause fully, background less.

    A long message tells its story before it asks ("어머니 선물로 산 건데 … 환불 받을 수 있나요"),
    and the story's words (선물, 주문했는데, 적립금) point at other articles; counting them at
    the same weight let side details win first rank. Background still counts (0.3, and fully
    in the whole-message score): it is often where the topic is. When no clause sounds like a
    request, the last one is taken for it (Korean asks last: "지난주에 주문했는데 비번
    까먹음"). `strengths` (each clause's best article score): a request that reaches no
    article by itself ("이거 맘에 안 드는데 어떻게 해야 하나요?") asks about the background, and
    then every clause counts fully. 0.3 was chosen on the tuning splits (flat from 1.0 to 0.3)
    and on background-prefixed tuning questions (BENCHMARKS.md, "FAQ answers").
    """
    asks = [bool(_REQUEST.search(c.lower())) for c in clauses]
    if not any(asks):
        asks[-1] = True
    if all(asks):
        return [1.0] * len(clauses)
    if (
        strengths is not None
        and max((s for s, ask in zip(strengths, asks, strict=True) if ask), default=0.0)
        < _MIN_ASK_SCORE
    ):
        return [1.0] * len(clauses)
    return [1.0 if ask else _BACKGROUND_WEIGHT for ask in asks]


def request_posterior(
    model: PhrasingClassifier, query: str, temperature: float = TEMPERATURE
) -> dict[str, float]:
    """The classifier's P(article) for the re-ranking: tempered, and for a story told before
    its request, the mean of the whole message's and the request clauses' own.

    The ranking counts a story less than its request (clause_weights); the classifier read
    the whole message, so a story's words ("택배 추적 링크로 보니까 오늘 도착한대요. 근데 …
    반품하고 싶은데") carried first rank back to the story's article ("FAQ round 12",
    docs/decisions.md). Half, not all: the story is often where the topic is.

    Since round 18 only the trust check reads it (`FaqIndex.trusted`): for the ranking itself
    the whole message's posterior (`ranking_posterior`) ranks better on the folds.
    """
    whole = model.posterior(query, temperature=temperature)
    clauses = [c for c in split_clauses(query) if _content_size(c)]
    weights = clause_weights(clauses) if len(clauses) > 1 else [1.0]
    if all(w == 1.0 for w in weights):
        return whole
    asked = " ".join(c for c, w in zip(clauses, weights, strict=True) if w == 1.0)
    request = model.posterior(asked, temperature=temperature)
    if not request:
        return whole
    return {
        slug: (whole.get(slug, 0.0) + request.get(slug, 0.0)) / 2
        for slug in whole.keys() | request.keys()
    }


def ranking_posterior(
    model: PhrasingClassifier, query: str, temperature: float = TEMPERATURE
) -> dict[str, float]:
    """The classifier's tempered P(article) over the whole message: what the ranking blends.

    Round 12 averaged it with the request clauses' own (`request_posterior`), so a story's
    words would not carry first rank. With 4,852 labelled questions over 35 folds
    (bench/faq_cv.py, "FAQ round 18" in docs/decisions.md) the whole message ranks better:
    first rank +12 over the average, and every larger share for the request clause ranked
    worse (0.67: -14, 0.8: -33; the request's sentence instead of its clause: -1 to +6).
    Naive Bayes trained on whole customer messages reads a story as the customers who wrote
    them meant it: "예전 원룸 주소가 그대로… 새 집으로 보내주실 수 있나요" is about the
    address, and the request clause alone ("보내주실 수 있나요") is not.
    """
    return model.posterior(query, temperature=temperature)


# Where the veto cuts a message into parts (`veto_parts`): the clause breaks, and also a
# sentence's end without punctuation ("잘 받았어요 감사해요 다음 주문은…"; …다 only as
# …니다/…었다, since 생각보다 is no sentence), …던데 ("쿠팡은 바로 탈퇴되던데 여기는…") and a
# comma. Finer than `split_clauses`, and no part is carried over: a short thanks ("감사해요")
# must stay a part of its own. …고 only after a verb's stem (the list
# inbox.faq.topics ends a clause with), not after a noun (광고, 재고, 최고).
_VETO_BREAK = re.compile(
    r"[.?!;\n。？！~…]+"
    r"|\s(?:그리고|근데|그런데|그리고요|또한|또|아니면|그래서|and also|and|but|also)\s"
    r"|(?<=[는은던]데)\s|(?<=데요)\s|(?<=[가-힣][요죠])\s+|(?<=[니었았였했됐겠]다)\s+|,\s+"
    r"|(?<=[하했되됐있었았였먹받보내가와오주줬없않못타쓰치놓두넣찾]고)\s(?!싶)",
    re.IGNORECASE,
)
# The shop as a contrastive topic ("쿠팡은 앱에서 바로 탈퇴되던데 여기는 탈퇴 버튼이 어디
# 있어요", "마트에서는 … 환불해 주던데 여기는 …"): what comes before it is the other company's,
# told to compare. 42 labelled questions of bench/faq_hard.jsonl's tuning splits say it, and no
# no-answer question. Not 이 가게는: a delivery app's shop ("이 가게는 배달팁이 왜 …").
_US_CONTRAST = re.compile(
    r"(?<![가-힣])(?:여기는|여긴|여기선|여기서는|이\s?(?:쇼핑몰|사이트)(?:은|는|에선|에서는))"
)
# ... and the shop named after a comparison ("스마트스토어처럼 착불로 받을 수도 있어요? 여기
# 배송비 내는 방식이 궁금해요", "쿠팡은 가입하면 바로 되던데 여기서…"): any 여기 then.
_COMPARISON = re.compile(r"처럼|던데|달리|와\s?다르게|과\s?다르게")
_HERE = re.compile(r"(?<![가-힣])여기")
# A deictic the topics lexicon counts as ours (이거 먹어도 돼요?) but that names no product: the
# veto's parts rule reads only product words (`FaqIndex.names_product`).
_DEICTIC = re.compile(r"(?<![가-힣])이거")


def veto_parts(text: str, *, ours: bool = False) -> list[str]:
    """The parts of a message the veto reads one by one (`vetoed_by`); `[text]` for one part.

    Two kinds of part are left out. A part that asks nothing (inbox.faq.thanks: thanks, an
    opener, a "done"), when another part asks something: "잘 받았어요 감사해요 | 다음 주문은
    언제 배송돼요?" is a question about the next order. When no part asks ("딸이 대신 해줘서
    이제 다 끝났어요~ | 고생하셨어요"), every part is read. And what comes before the shop as a
    contrastive topic (`_US_CONTRAST`), or before 여기 after a comparison (`_COMPARISON`):
    the comparison's other side.

    `ours`: the message names one of the shop's products (`FaqIndex.names_product`). Its
    story is then the customer's own circumstance around our goods ("강아지가 제 영양제를
    먹어버렸는데 | 성분 확인하고 싶어요", "대학생 딸이 … 영양제는 알아서 사 먹겠대요 | 딸이
    혼자 계정을 …"), and only the parts that ask (`_REQUEST`) are read, when one does: a story
    part that reads none alone must not outvote a request of ours (round 20)."""
    parts = [p.strip() for p in _VETO_BREAK.split(text) if p and p.strip()]
    if len(parts) < 2:
        return [text]
    asking = [p for p in parts if not no_request_left(p)]
    if len(asking) < len(parts) and any(_REQUEST.search(p.lower()) for p in asking):
        parts = asking
    for k, part in enumerate(parts[1:], start=1):
        low = part.lower()
        if _US_CONTRAST.search(low) or (
            _HERE.search(low) and any(_COMPARISON.search(p) for p in parts[:k])
        ):
            parts = parts[k:]
            break
    if ours:
        requests = [p for p in parts if _REQUEST.search(p.lower())]
        if requests:
            return requests
    return parts


def vetoed_by(
    model: PhrasingClassifier,
    query: str,
    threshold: float = VETO,
    *,
    ours: Callable[[str], bool] | None = None,
) -> bool:
    """Does the veto's `model` silence `query`? Only when the whole message reads P(none) ≥
    `threshold` and, for a message of several parts (`veto_parts`), one part alone reads at
    least VETO_PART (round 19): the whole message's P(none) can be weak evidence multiplied
    over parts none of which reads as no-answer ("GS25 반값택배로 반품 상품 보내도 되나요? |
    아니면 먼저 상담원한테 접수해야 하나요"). `ours`: does the text name one of the shop's
    products (see `veto_parts`); asked only of a message the whole reading would silence, so
    the answers the veto lets through pay nothing for it."""
    text = query[:MAX_QUERY_CHARS]
    if model.p_none(text) < threshold:
        return False
    named = ours is not None and ours(text)
    return part_p_none(model, text, ours=named) >= VETO_PART


def part_p_none(model: PhrasingClassifier, text: str, *, ours: bool = False) -> float:
    """P(none) of the most none-like part of `text` (`veto_parts`; the whole for one part)."""
    return max(model.p_none(part) for part in veto_parts(text[:MAX_QUERY_CHARS], ours=ours))


class FaqIndex:
    """BM25F over a fixed set of articles; build once per article set, query many times."""

    def __init__(
        self,
        articles: Sequence[Article],
        *,
        analyzer: Analyzer | None = None,
        config: SearchConfig | None = None,
        evidence: Mapping[str, Sequence[tuple[str, float]]] | None = None,
        services: ServiceNames | None = None,
        examples: Mapping[str, Sequence[str]] | None = None,
        no_answer: Sequence[str] | None = None,
        topics: TopicWords | None = None,
        classify: bool = True,
    ) -> None:
        """`evidence`: slug -> (customer phrasing, weight 0..1) learned from agents and visitors.
        `services`: other companies' names (inbox.faq.services); the shipped list by default.
        `examples`: slug -> labelled phrasings the answer ranking's classifier learns from
        (with the evidence and the articles' titles and keywords); the shipped ones by
        default, `{}` for none. `no_answer`: questions that must get no answer, the veto's
        training (the shipped ones by default, `()` for no veto). `topics`: what the shop
        handles and what it never does (inbox.faq.topics); the shipped lexicon by default.
        `classify=False`: no
        classifier and no veto, `answer` ranks exactly as `search` does (the baseline
        bench/faq_cv.py compares against)."""
        self.analyzer: Analyzer = analyzer if analyzer is not None else NgramAnalyzer()
        self.config = config if config is not None else SearchConfig()
        self.slugs = tuple(a.slug for a in articles)
        self._fix = TypoFixer(articles)
        own_texts = [
            chunk
            for article in articles
            for text in article.texts.values()
            for chunk in (text.title, text.answer, *text.keywords)
        ]
        service_names = services if services is not None else default_services()
        lexicon = topics if topics is not None else default_topics()
        self._others = OtherServices(service_names, own_texts)
        self._topics = OffTopic(lexicon, own_texts)
        self._evidence = evidence or {}
        # Confidence is judged on what the admins wrote, not on what was learned: a learned
        # sentence carries filler ("번호 알려주세요") that off-topic questions share.
        self._curated = (
            FaqIndex(articles, analyzer=self.analyzer, config=config, classify=False)
            if evidence
            else self
        )
        labelled = default_examples() if examples is None else examples
        known = _known_words(own_texts, labelled, self._evidence, service_names, lexicon)
        # A noun owning the request that none of the shop's words holds is someone else's.
        self._unknown = UnknownOwners(known, _PHRASE_NOUNS)
        # Unspaced runs are cut into these words, foreign ones included (so 피자배달언제와요 is
        # still read as 피자 배달).
        self._spacer = Spacer([*known, *(w for words in lexicon.foreign.values() for w in words)])
        analyze = lambda text: self.analyzer(self._fix(text[:MAX_QUERY_CHARS]))  # noqa: E731
        self._classifier = (
            _classifier(articles, labelled, self._evidence, analyze) if classify else None
        )
        # A second model, not a class added to the first: the re-ranking stays exactly what
        # it was measured as, and the veto is measured on its own (bench/faq_cv.py --veto).
        none = default_no_answer() if no_answer is None else no_answer
        self._veto = _veto_classifier(self._classifier, articles, none) if none else None
        self._learned_terms = {
            slug: [_content_terms(self.analyzer(text)) for text, _w in phrases]
            for slug, phrases in self._evidence.items()
        }
        docs = [
            _article_terms(a, self.analyzer, self.config.fields, self._evidence.get(a.slug, ()))
            for a in articles
        ]
        self._doc_terms = [frozenset(doc) for doc in docs]
        self._word_terms = frozenset(
            term
            for article in articles
            for text in article.texts.values()
            for chunk in (text.title, text.answer, *text.keywords)
            for word in chunk.split()
            for term in self.analyzer(word)
        )
        self._postings = self._build_postings(docs)
        self._phrases = self._build_phrases(articles, docs)

    def _build_phrases(
        self, articles: Sequence[Article], docs: list[dict[str, float]]
    ) -> dict[str, list[tuple[int, int, float]]]:
        """term -> (article, phrase, share of the phrase's weight) for every title and keyword."""
        n = len(docs)
        df: Counter[str] = Counter(term for doc in docs for term in doc)
        phrases: dict[str, list[tuple[int, int, float]]] = {}
        phrase_id = 0
        for i, article in enumerate(articles):
            weighted = [
                (phrase, 1.0)
                for text in article.texts.values()
                for phrase in (text.title, *text.keywords)
            ]
            share = self.config.evidence_coverage
            weighted.extend((p, w * share) for p, w in self._evidence.get(article.slug, ()))
            for phrase, weight in weighted:
                terms = set(self.analyzer(phrase))
                mass = {t: self._weight(t) * _idf(df[t], n) for t in terms}
                total = sum(mass.values())
                if total <= 0:
                    continue
                for term, value in mass.items():
                    phrases.setdefault(term, []).append((i, phrase_id, weight * value / total))
                phrase_id += 1
        return phrases

    def _build_postings(self, docs: list[dict[str, float]]) -> dict[str, list[tuple[int, float]]]:
        """Precompute idf * saturated tf for every (term, article): a query is then a sum."""
        k1, b = self.config.k1, self.config.b
        lengths = [sum(doc.values()) for doc in docs]
        avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        df: Counter[str] = Counter(term for doc in docs for term in doc)
        n = len(docs)
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, doc in enumerate(docs):
            norm = k1 * (1 - b + b * lengths[i] / avg)
            for term, tf in doc.items():
                value = _idf(df[term], n) * tf * (k1 + 1) / (tf + norm)
                postings.setdefault(term, []).append((i, value))
        return postings

    def _weight(self, term: str) -> float:
        return self.config.term_weights.get(term.split(":", 1)[0], 1.0)

    def search(self, query: str, *, limit: int = 3, correct: bool = True) -> list[Hit]:
        """Articles for `query`, best first; only articles sharing at least one term.

        Only the first MAX_QUERY_CHARS characters count: a question is short, and a pasted
        20,000-character message must not cost more than one. A message of several clauses
        ("주문 취소했는데 환불은 언제 들어오나요") is also scored clause by clause: an article
        scores its best clause plus half its whole-message score, so each intent of the message
        can rank on its own instead of being diluted by the others.
        """
        query = query[:MAX_QUERY_CHARS]
        if correct:
            query = self._fix(query)
        whole = self._scores(query)
        # A greeting or a thank-you is a clause with nothing to rank ("안녕하세요 수고 많으십니다.
        # 로또 번호 알려줘"); counted, it would turn a one-request message into two clauses and
        # raise its score by the whole-message half, past the no-match gate.
        clauses = [c for c in split_clauses(query) if _content_size(c)]
        best = list(whole)
        if len(clauses) > 1:
            best = [_WHOLE_WEIGHT * v for v in whole]
            per_clause = [self._scores(clause) for clause in clauses]
            weights = clause_weights(clauses, [max(scores) for scores in per_clause])
            for scores, weight in zip(per_clause, weights, strict=True):
                for i, value in enumerate(scores):
                    if weight * value + _WHOLE_WEIGHT * whole[i] > best[i]:
                        best[i] = weight * value + _WHOLE_WEIGHT * whole[i]
            # Back on the scale of a one-clause question, which the gate's thresholds are:
            # otherwise any second clause lifts a message's score by half.
            best = [v / (1 + _WHOLE_WEIGHT) for v in best]
        ranked = sorted(
            (Hit(slug=self.slugs[i], score=round(s, 4)) for i, s in enumerate(best) if s > 0),
            key=lambda hit: (-hit.score, hit.slug),
        )
        return ranked[:limit]

    def answer(self, query: str, *, limit: int = 3) -> list[Hit]:
        """`search`, or nothing when the best article is not a believable answer.

        Greetings, nonsense and off-topic questions still share a syllable or a word with some
        article; showing a visitor three unrelated answers is worse than offering a person at
        once, so a weak best hit must be backed by covering much of the question.
        """
        query = _MARKUP.sub(" ", query)
        # The lists read word by word: an unspaced run is spaced for them (inbox.faq.spacing).
        worded = self._spacer(query[:MAX_QUERY_CHARS])
        if self._others.owners(worded):
            return []  # another service's request (쿠팡 주문 취소): inbox.faq.services
        if self._topics.owners(worded):
            return []  # about something the shop never handles (피자 배달): inbox.faq.topics
        if word_salad(query[:MAX_QUERY_CHARS]):
            return []  # code, a keyboard mash, article words strung together: inbox.faq.salad
        if no_request_left(query[:MAX_QUERY_CHARS]):
            return []  # thanks, praise, a closing with nothing asked: inbox.faq.thanks
        low = normalize(self._fix(worded))
        if self._unknown.owner(low) and not self._topics.points_at_us(low):
            return []  # owned by a word the shop never saw (사주 상담): inbox.faq.owners
        hits = self.search(query, limit=len(self.slugs))
        if not hits or self.vetoed(query):
            return []
        # Asked once: the trust check reads both, the re-ranking the whole message's.
        whole = self._whole_posterior(query)
        if not self.confident(query, hits[0]) and not self.trusted(query, None, hits, whole):
            return []
        return self.rerank(query, hits, whole)[:limit]

    def _posterior(self, query: str) -> dict[str, float]:
        """The re-ranker's tempered P(article | question), its request clauses counted half
        again (`request_posterior`): the trust check's sure reading; empty without a
        classifier."""
        if not self._classifier:
            return {}
        return request_posterior(self._classifier, query[:MAX_QUERY_CHARS])

    def _whole_posterior(self, query: str) -> dict[str, float]:
        """The re-ranker's tempered P(article | whole message): what the ranking blends."""
        if not self._classifier:
            return {}
        return ranking_posterior(self._classifier, query[:MAX_QUERY_CHARS])

    def trusted(
        self,
        query: str,
        posterior: Mapping[str, float] | None = None,
        hits: Sequence[Hit] | None = None,
        whole: Mapping[str, float] | None = None,
    ) -> bool:
        """Is the re-ranker, trained on customers' own wordings, sure of one article where the
        curated text covers too little of the question ("처음와봤는데여기멤버되려면뭐부터…",
        "로그인할때 쓰는 그거 생각 안나")? Typos, unspaced runs and slang defeat the coverage
        test word by word; the labelled phrasings carry them as a whole. Asked only after the
        lists and the veto let the question through, so an off-topic question stays silent.

        A less sure ranker (`TRUST_AGREED`) is trusted when the index, which reads only the
        curated text, ranks the same article first (`hits`: its ranking; searched when not
        given): colloquial, English and story questions the ranker read at P 0.75-0.9 were
        silenced although both rankers named the right article.

        `posterior`: the request-weighted reading (`_posterior`), the only one trusted alone;
        `whole`: the whole message's (`_whole_posterior`, round 18), trusted too when the
        index agrees (both read here when neither is given). A story told around the request
        makes the whole message's reading surer of its article (on the folds, 10 more labelled
        questions answered, all at first rank, and no no-answer question past the veto);
        alone it is too sure ("면접 보고 일주일 지났는데 결과 …" read 0.998 for a missing
        parcel), so the sure path keeps the request's reading."""
        if not self._classifier or TRUST is None:
            return False
        if posterior is None:  # neither reading given: both are read here
            posterior = self._posterior(query)
            whole = self._whole_posterior(query) if whole is None else whole
        if posterior and max(posterior.values()) >= TRUST:
            return True
        if TRUST_AGREED is None:
            return False
        if hits is None:
            hits = self.search(query, limit=1)
        if not hits:
            return False
        whole = whole or {}
        # P ≥ TRUST_AGREED > 0.5 makes the index's first hit the ranker's first choice too.
        first = hits[0].slug
        return max(posterior.get(first, 0.0), whole.get(first, 0.0)) >= TRUST_AGREED

    def vetoed(self, query: str) -> bool:
        """Does the question read far more like the shipped no-answer questions than like any
        article's phrasings (a courier job ad, a parcel at the post office, a pet that will
        not eat)? Asked only after the gate let it through: it can silence, never answer.
        A message of several parts is silenced only if one part that asks reads so alone too
        (`vetoed_by`, round 19); of a message naming one of the shop's products, only the
        parts that ask (`names_product`, round 20)."""
        return self._veto is not None and vetoed_by(self._veto, query, ours=self.names_product)

    def names_product(self, query: str) -> bool:
        """Does the message name one of the shop's products (the topics lexicon's own words,
        inbox.faq.topics, outside a foreign compound: 영양제, 비타민, 단백질 …)? Not 여기
        (services.OURS): asking us about another shop's parcel ("11번가에서 산 운동화가 안
        왔는데 여기서 조회해 줄 수 있어요?") is not ours; nor 이거, which points at whatever the
        story told ("택시에 두고 내렸는데 이거 어떻게 찾아요")."""
        low = normalize(self._spacer(query[:MAX_QUERY_CHARS]))
        return self._topics.points_at_us(_DEICTIC.sub(" ", OURS.sub(" ", low)))

    def rerank(
        self, query: str, hits: Sequence[Hit], posterior: Mapping[str, float] | None = None
    ) -> list[Hit]:
        """`hits` re-ordered with the classifier trained on labelled phrasings (only after the
        gate has let the question through: it never makes a silent question answered).

        A hit's score becomes `score + BLEND_WEIGHT * P(article) * best score` (P tempered by
        TEMPERATURE), still on the index's scale and descending, so consumers that compare
        scores keep working."""
        if not self._classifier or not hits:
            return list(hits)
        best = max(hit.score for hit in hits)
        if posterior is None:
            posterior = self._whole_posterior(query)
        mixed = blend(((h.slug, h.score) for h in hits), posterior, BLEND_WEIGHT)
        return [Hit(slug=slug, score=round(value * best, 4)) for slug, value in mixed]

    def confident(self, query: str, hit: Hit) -> bool:
        """Is `hit` a believable answer? Judged on the curated article (keywords, title, answer);
        a learned phrasing vouches only for a near-repeat of itself.

        A corrected typo is a guess ("숙제" is one jamo from "삭제"): the question is judged as
        written first, and the corrected question vouches only when its article accounts for
        a good part of it (`typo_coverage`), whatever its score.
        """
        config, curated = self.config, self._curated
        asked = query[:MAX_QUERY_CHARS]
        fixed = self._fix(asked)

        def score_of(text: str, *, correct: bool = True) -> float:
            # `hit` was ranked on the corrected question: without evidence this index is the
            # curated one, and that score needs no second search.
            if curated is self and (correct or text == fixed):
                return hit.score
            return curated._score_of(text, hit.slug, correct=correct)

        own = score_of(asked, correct=False)
        if own >= config.sure_score:
            return True
        # A strong score is judged on the question's content, its colloquial endings and
        # fillers left out (…한거임?, 이거, 자꾸: `scaffolded`); a weak one on every syllable,
        # so "너 이름이 뭐야" does not become half 이름 by losing its ending.
        content_covered = curated.coverage(asked, hit.slug, correct=False, scaffolding=False)
        if own >= config.confident_score and content_covered >= config.confident_coverage:
            return True
        covered = curated.coverage(asked, hit.slug, correct=False)
        if own >= config.floor_score and covered >= config.min_coverage:
            return True
        if fixed != asked:
            corrected = score_of(fixed)
            # The sure tier a correctly spelled question gets ("셩분표 어디서 봐요" scores 15.6
            # once corrected, but 이거/봐요 leave 0.29 of it covered): the fixer corrects only
            # toward a whole keyword word, and a syllable of an everyday word is never touched.
            if corrected >= config.typo_sure_score:
                return True
            if (
                corrected >= config.floor_score
                and curated.coverage(fixed, hit.slug) >= config.typo_coverage
            ):
                return True
        return self.learned_match(query, hit.slug) >= LEARNED_MATCH

    def _score_of(self, query: str, slug: str, *, correct: bool = True) -> float:
        hits = self.search(query, limit=len(self.slugs), correct=correct)
        return next((h.score for h in hits if h.slug == slug), 0.0)

    def learned_match(self, query: str, slug: str) -> float:
        """How close `query` is to the closest learned phrasing of `slug` (0..1, symmetric)."""
        asked = _content_terms(self.analyzer(self._fix(query[:MAX_QUERY_CHARS])))
        best = 0.0
        for taught in self._learned_terms.get(slug, ()):
            if asked and taught:
                common = len(asked & taught)
                best = max(best, min(common / len(asked), common / len(taught)))
        return best

    def coverage(
        self, query: str, slug: str, *, correct: bool = True, scaffolding: bool = True
    ) -> float:
        """Share of the question's content that the article `slug` accounts for.

        Hangul counts per syllable (a syllable is covered when a 2- or 3-gram containing it
        occurs in the article), English per content word. A real question is mostly about its
        answer; an off-topic one ("강아지 산책은 하루에 몇 번") shares one phrase with an article
        and nothing else, however high that phrase scores. `scaffolding=False`: the colloquial
        endings and fillers of `scaffolded` count only where the article has them.
        """
        terms = self._doc_terms[self.slugs.index(slug)]
        query = query[:MAX_QUERY_CHARS]
        folded = fold(normalize(self._fix(query) if correct else query))
        total = covered = 0
        for syllables, mask in _scaffolded(folded):
            hit = [False] * len(syllables)
            for n in (2, 3):
                for i in range(len(syllables) - n + 1):
                    if f"h{n}:{syllables[i : i + n]}" in terms:
                        hit[i : i + n] = [True] * n
            # Scaffolding counts only where the article covers it anyway.
            total += sum(h or scaffolding or not m for h, m in zip(hit, mask, strict=True))
            covered += sum(hit)
        for word in _content_words(folded):
            total += 1
            covered += f"w:{_stem(word)}" in terms
        return covered / total if total else 0.0

    def _query_terms(self, query: str) -> dict[str, float]:
        """The question's terms, each with how much it counts: 1, or `cross_word` for an n-gram
        the customer split with a space that the articles use as (part of) one word
        ("고양이 사료" → 이사, the moving keyword).

        Spaces are removed so that unspaced and misspaced questions still match, and n-grams
        across the space of a phrase ("주문 상태" → 문상) are how phrases match; but a word of
        the articles that only appears straddling the customer's space is a coincidence.
        """
        terms = self.analyzer(query)
        if " " not in query.strip():
            return dict.fromkeys(terms, 1.0)
        inside = _word_ngrams(query, getattr(self.analyzer, "stop_phrases", KO_STOP_PHRASES))
        cross, words_of_articles = self.config.cross_word, self._word_terms
        return {
            term: cross
            if term.startswith(("h2:", "h3:")) and term not in inside and term in words_of_articles
            else 1.0
            for term in terms
        }

    def _scores(self, query: str) -> list[float]:
        scores = [0.0] * len(self.slugs)
        covered: dict[tuple[int, int], float] = {}
        for term, factor in self._query_terms(query).items():
            weight = self._weight(term) * factor
            for i, value in self._postings.get(term, ()):
                scores[i] += weight * value
            for i, phrase, share in self._phrases.get(term, ()):
                covered[i, phrase] = covered.get((i, phrase), 0.0) + share * factor
        best: dict[int, float] = {}
        for (i, _phrase), share in covered.items():
            best[i] = max(best.get(i, 0.0), share)
        for i, share in best.items():
            scores[i] += self.config.coverage_weight * share
        return scores


# A tag (<svg onload=…>, </b>, <!-- … -->) typed or pasted into the widget is markup, never the
# customer's words: "<svg onload=confirm(9)>" was answered because "confirm" met the order
# articles' English "confirmation". Text between tags stays ("<b>비밀번호</b> 바꿔요").
_MARKUP = re.compile(r"<[a-zA-Z/!][^<>]*>")


def _classifier(
    articles: Sequence[Article],
    examples: Mapping[str, Sequence[str]],
    evidence: Mapping[str, Sequence[tuple[str, float]]],
    analyze: Callable[[str], list[str]],
) -> PhrasingClassifier | None:
    """Trained on the labelled phrasings and evidence of this index's articles, plus each
    article's titles and keywords (an article nobody labelled a question for still competes).
    None without any labelled phrasing: titles and keywords alone are the index's own job."""
    slugs = {a.slug for a in articles}
    labelled: dict[str, list[str]] = {}
    for slug, texts in examples.items():
        if slug in slugs:
            labelled.setdefault(slug, []).extend(texts)
    for slug, phrases in evidence.items():
        if slug in slugs:
            labelled.setdefault(slug, []).extend(text for text, _weight in phrases)
    if not any(labelled.values()):
        return None
    for article in articles:
        for text in article.texts.values():
            labelled.setdefault(article.slug, []).extend([text.title, *text.keywords])
    return PhrasingClassifier(labelled, analyze)


def _veto_classifier(
    ranker: PhrasingClassifier | None, articles: Sequence[Article], none: Sequence[str]
) -> PhrasingClassifier | None:
    """The veto's model: the ranker's, plus each article keyword inside request frames (so a
    frame alone does not read as off-topic) and the no-answer questions as one more class."""
    if ranker is None:
        return None
    more: dict[str, list[str]] = {}
    for article in articles:
        for text in article.texts.values():
            more.setdefault(article.slug, []).extend(
                f.format(k) for k in text.keywords for f in FRAMES
            )
    more[NONE] = list(none)
    return ranker.extended(more, alpha=VETO_ALPHA, skip=NUMBERS)


def _known_words(
    own_texts: Sequence[str],
    examples: Mapping[str, Sequence[str]],
    evidence: Mapping[str, Sequence[tuple[str, float]]],
    services: ServiceNames,
    lexicon: TopicWords,
) -> list[str]:
    """What the shop knows: its articles, vocabulary, product words and service names, and
    every customer phrasing it learnt from (labelled examples, agents' evidence)."""
    return [
        *own_texts,
        *KO_SYNONYMS,
        *KO_SYNONYMS.values(),
        *KO_EVERYDAY_WORDS,
        *KO_STOP_PHRASES,
        *lexicon.ours,
        *services.store,
        *services.other,
        *(text for texts in examples.values() for text in texts),
        *(text for phrases in evidence.values() for text, _w in phrases),
    ]


def rank(articles: Sequence[Article], query: str, *, limit: int = 3) -> list[Hit]:
    """One-shot convenience for callers without a cached index (tests, scripts)."""
    return FaqIndex(articles).search(query, limit=limit)
