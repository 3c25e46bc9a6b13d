"""How the FAQ reads a customer's text: normalizing, content words, typo fixing, n-gram terms.

Split from inbox.faq.search (which ranks and gates): everything here reads one text and knows
nothing of the index's scores, so the rule modules (gaps, self-service) and the ranking share
one reading of what a customer wrote. The design of the terms is described in search.py's
docstring and measured in BENCHMARKS.md ("FAQ search").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from inbox.faq.articles import Article
from inbox.faq.synonyms import EN_SYNONYMS, KO_SYNONYMS, fold
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
# Any Hangul letter, syllable or lone jamo: the rules that read a message as English or as code
# step aside as soon as one appears.
HANGUL_LETTER = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")

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


# How much of a question is read: questions are short, and a pasted 20,000-character message
# must cost no more than one (FaqIndex.search).
MAX_QUERY_CHARS = 500
