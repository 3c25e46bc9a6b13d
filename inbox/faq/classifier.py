"""A naive Bayes ranker over labelled customer phrasings, blended into the FAQ ranking.

Keywords say what an article is about in the admins' words; customers ask in theirs, and
eight rounds of hand-written synonyms kept missing the next wording. Labelled phrasings
(questions whose right article is known) carry those wordings as they come: a multinomial
naive Bayes over the analyzer's character n-grams learns which n-grams point to which
article, the usual intent-classifier practice, in a few dozen lines and no dependency.

It only re-orders: `FaqIndex.answer` decides with its own gate whether to answer at all, so
a question the gate silences (nonsense, greetings, off-topic) stays silent however sure the
classifier is. Its posterior is added to the index score, scaled to the best hit, so it
breaks ties and near-ties between articles the index already finds plausible.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

FORMAT = "switchboard-faq-examples/1"
NO_ANSWER_FORMAT = "switchboard-faq-no-answer/1"
# The class no article owns: questions that must get no answer (nonsense, small talk,
# off-topic ones sharing a strong word with an article). Not a slug (slugs are [a-z0-9-]).
NONE = "(none)"
# P(none) at or above which the gate's answer is withdrawn; picked on the folds of
# bench/faq_cv.py --veto ("FAQ round 10" in docs/decisions.md). 0.7 until round 22; with
# round 22's none class (3,165 questions) the 55 folds read, at 0.7 / 0.8 / 0.85 / 0.9:
# labelled questions silenced by the veto 50 / 43 / 43 / 40, no-answer questions silent
# 3,514 / 3,514 / 3,513 / 3,509 of 3,552. 0.8 gives back 7 answers at no silence lost.
VETO = 0.8
# ... and the P(none) one part of a message of several must read alone for the whole message's
# P(none) to count (inbox.faq.clauses.veto_parts, round 19). Naive Bayes multiplies weak
# evidence: "카카오톡 채널 차단했는데 | 회원 탈퇴도 같이 하고 싶어요" reads 0.99 whole and 0.00
# in each part. On the 39 folds (bench/faq_cv.py --veto-part) the labelled questions it gives
# back read at most 0.08 in their most none-like part; with round 19's silence rules merged, a
# no-answer line the veto alone silences reads 0.093 ("폰 어디 뒀는지 찾고 올게요 금방 와요")
# and was answered at 0.1. At 0.05 (and 0.03) every fold is as silent as without the parts
# rule, and 4 of the 5 labelled questions stay given back: a silence lost costs a visitor more
# than an answer withheld.
VETO_PART = 0.05
# Request frames the veto's article classes also learn, wrapped around each article keyword:
# the no-answer questions ask "… 하는 법 알려줘" about the post office far more often than the
# labelled ones ask it about refunds, and without these the frame itself reads as off-topic.
FRAMES = (
    "{} 하는 법 알려줘",
    "{} 방법 알려주세요",
    "{} 알려줘",
    "{} 어떻게 해요",
    "{} 궁금해요",
    "{} 하고 싶어요",
    "{} 어디서 해요",
    "{} 언제예요",
    "how do i {}",
    # Round 16: with 767 no-answer questions in the veto (헬스장 환불 가능한가요, 렌터카 연장
    # 가능한가요…), "환불 가능한가요" itself read as off-topic, and 104 keywords in this frame.
    "{} 가능한가요",
)
# Chosen by leave-one-split-out cross-validation over the tuning splits (bench/faq_cv.py;
# "FAQ round 9" and "FAQ round 12" in docs/decisions.md): every alpha/weight nearby scored
# within a point. Round 17, with 4,508 labelled questions over 32 folds: alpha 0.3 ranks
# better (re-ranking alone 93.1 -> 93.6 first rank; the shipped engine, gate, trust and veto
# included, 95.5 / 97.5 -> 96.0 / 97.8, no-answer silent 1,569 both). Weight 1.5 ranked better
# still on the folds (96.7 / 97.9) but let the shipped phrasings outvote an admin's edited
# keyword (tests/inbox/faq/test_service.py, 적립금 소멸), so it stays 1.0. The veto keeps alpha
# 1.0 (VETO_ALPHA): a sharper none class answered 5 more no-answer questions of the folds.
ALPHA = 0.3
BLEND_WEIGHT = 1.0
VETO_ALPHA = 1.0
# The re-ranking's posterior is tempered: log-likelihoods divided by this before normalising.
# Naive Bayes counts one word's evidence three times (its 1-, 2- and 3-grams overlap) and
# every word as independent, so its posterior is near 0 or 1 on almost any question and the
# blend became "add BLEND_WEIGHT to the classifier's pick", overriding clear index leads.
# Flattened, its second choice still counts. 4-8 with weights 0.5-1 form a plateau on the
# folds (round 12); the veto's P(none) is not tempered (its threshold was picked untempered).
TEMPERATURE = 6.0

# Term kinds that carry meaning for the classifier: syllable 1-3-grams, English words and
# their character trigrams. Skeletons and skip-bigrams mostly repeat the n-grams' evidence.
KINDS = ("h1:", "h2:", "h3:", "w:", "c:")
# Terms of digits alone: an order number's word and its trigrams ("w:20251103", "c:#20").
# The veto does not read them (inbox.faq.search): the digits are the customer's, never the
# same twice, and after round 18 taught pasted order numbers as no-answer questions they
# voted "none" on "주문번호 20251103-4471920 취소해 주세요".
NUMBERS = re.compile(r"^(?:w|c):[#\d]+$")


class PhrasingClassifier:
    """Multinomial naive Bayes: slug -> P(slug | question terms), uniform prior.

    A uniform prior, not the share of examples, because how many phrasings someone wrote for
    an article says nothing about how often customers ask it.
    """

    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        analyze: Callable[[str], list[str]],
        *,
        alpha: float = ALPHA,
    ) -> None:
        self._analyze = analyze
        self._alpha = alpha
        self._skip: re.Pattern[str] | None = None
        self._fit({slug: self._count(texts) for slug, texts in examples.items() if texts})

    def extended(
        self,
        more: Mapping[str, Sequence[str]],
        *,
        alpha: float | None = None,
        skip: re.Pattern[str] | None = None,
    ) -> PhrasingClassifier:
        """This model trained on `more` phrasings as well (new classes allowed, after the
        existing ones), without analysing its own examples again: the veto's model is the
        ranker's plus request frames and the none class (inbox.faq.search). `skip`: terms the
        new model does not read in a question (`NUMBERS`)."""
        counts = dict(zip(self.slugs, self._counts, strict=True))
        for slug, texts in more.items():
            if texts:
                counts[slug] = counts.get(slug, Counter()) + self._count(texts)
        twin = PhrasingClassifier({}, self._analyze, alpha=self._alpha if alpha is None else alpha)
        twin._skip = skip
        twin._fit(counts)
        return twin

    def _count(self, texts: Iterable[str]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(set(self.terms(text)))  # presence per example, not repeats
        return counts

    def _fit(self, counts: Mapping[str, Counter[str]]) -> None:
        self.slugs = tuple(counts)
        self._counts = list(counts.values())
        self._vocabulary = frozenset(term for c in self._counts for term in c)
        width = self._alpha * len(self._vocabulary)
        self._log_totals = [math.log(sum(c.values()) + width) for c in self._counts]

    def terms(self, text: str) -> list[str]:
        terms = [t for t in self._analyze(text) if t.startswith(KINDS)]
        return [t for t in terms if not self._skip.match(t)] if self._skip else terms

    def __bool__(self) -> bool:
        return bool(self.slugs)

    def posterior(self, text: str, *, temperature: float = 1.0) -> dict[str, float]:
        """P(slug | text) over the articles, the none class left out and the rest renormalised
        (so re-ranking is what it was without one); empty when no term was ever seen.
        `temperature` > 1 flattens it (TEMPERATURE: how the ranking blends it)."""
        full = self.full_posterior(text, temperature=temperature)
        full.pop(NONE, None)
        total = sum(full.values())
        return {slug: p / total for slug, p in full.items()} if total > 0 else {}

    def p_none(self, text: str) -> float:
        """P(none | text): how much more the question looks like the no-answer phrasings than
        like any article's; 0 without a none class or when no term was ever seen."""
        return self.full_posterior(text).get(NONE, 0.0)

    def full_posterior(self, text: str, *, temperature: float = 1.0) -> dict[str, float]:
        """P(class | text) for every trained class, the none class included if trained."""
        terms = [t for t in set(self.terms(text)) if t in self._vocabulary]
        if not terms or not self.slugs:
            return {}
        logs = [
            sum(math.log(counts[t] + self._alpha) for t in terms) - len(terms) * log_total
            for counts, log_total in zip(self._counts, self._log_totals, strict=True)
        ]
        top = max(logs)
        weights = [math.exp((v - top) / temperature) for v in logs]
        total = sum(weights)
        return {slug: w / total for slug, w in zip(self.slugs, weights, strict=True)}


def blend(
    scores: Iterable[tuple[str, float]], posterior: Mapping[str, float], weight: float
) -> list[tuple[str, float]]:
    """Index scores (slug, score) re-ranked by `score / best + weight * P(slug)`, best first."""
    pairs = list(scores)
    best = max((s for _slug, s in pairs), default=0.0)
    if best <= 0:
        return sorted(pairs, key=lambda p: (-p[1], p[0]))
    mixed = [(slug, s / best + weight * posterior.get(slug, 0.0)) for slug, s in pairs]
    return sorted(mixed, key=lambda p: (-p[1], p[0]))


class ExamplesFormatError(ValueError):
    """`examples.json` does not have the expected shape; the message says where."""


def load_examples(raw: Any) -> dict[str, list[str]]:
    """slug -> labelled phrasings, from a parsed `examples.json`."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ExamplesFormatError(f"expected an object with format {FORMAT!r}")
    examples = raw.get("examples")
    if not isinstance(examples, dict):
        raise ExamplesFormatError("'examples' must be an object of slug -> list of phrasings")
    out: dict[str, list[str]] = {}
    for slug, texts in examples.items():
        if not isinstance(texts, list) or not all(isinstance(t, str) and t for t in texts):
            raise ExamplesFormatError(f"examples[{slug!r}] must be a list of non-empty strings")
        out[slug] = list(texts)
    return out


def load_no_answer(raw: Any) -> list[str]:
    """The no-answer phrasings, from a parsed `no_answer.json`."""
    if not isinstance(raw, dict) or raw.get("format") != NO_ANSWER_FORMAT:
        raise ExamplesFormatError(f"expected an object with format {NO_ANSWER_FORMAT!r}")
    texts = raw.get("questions")
    if not isinstance(texts, list) or not all(isinstance(t, str) and t for t in texts):
        raise ExamplesFormatError("'questions' must be a list of non-empty strings")
    return list(texts)


def default_no_answer() -> list[str]:
    """The shipped questions that must get no answer (written by bench/faq_cv.py
    --write-examples from the tuning splits; the held-out split is never among them)."""
    text = resources.files("inbox.faq").joinpath("no_answer.json").read_text(encoding="utf-8")
    return load_no_answer(json.loads(text))


def default_examples() -> dict[str, list[str]]:
    """The labelled phrasings shipped with the seed articles (written by bench/faq_cv.py
    --write-examples from the tuning splits; the held-out split is never among them)."""
    text = resources.files("inbox.faq").joinpath("examples.json").read_text(encoding="utf-8")
    return load_examples(json.loads(text))
