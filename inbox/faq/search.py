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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from inbox.faq.articles import Article
from inbox.faq.classifier import (
    BLEND_WEIGHT,
    FRAMES,
    NONE,
    NUMBERS,
    VETO_ALPHA,
    PhrasingClassifier,
    blend,
    default_examples,
    default_no_answer,
)
from inbox.faq.clauses import (
    _DEICTIC,
    _content_size,
    clause_weights,
    ranking_posterior,
    request_posterior,
    split_clauses,
    vetoed_by,
)
from inbox.faq.english import english_closing
from inbox.faq.owners import UnknownOwners
from inbox.faq.salad import word_salad
from inbox.faq.services import (
    _PHRASE_NOUNS,
    OURS,
    OtherServices,
    ServiceNames,
    changes_ours,
    default_services,
)
from inbox.faq.spacing import Spacer
from inbox.faq.synonyms import KO_SYNONYMS, fold
from inbox.faq.text import (
    DEFAULT_TERM_WEIGHTS,
    KO_STOP_PHRASES,
    MAX_QUERY_CHARS,
    Analyzer,
    NgramAnalyzer,
    TypoFixer,
    _content_words,
    _scaffolded,
    _stem,
    _word_ngrams,
    normalize,
)
from inbox.faq.thanks import no_request_left, without_vocative
from inbox.faq.topics import OffTopic, TopicWords, default_topics
from inbox.faq.words import KO_EVERYDAY_WORDS


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


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
# Round 24, with 10,209 labelled phrasings and 3,691 no-answer questions over 65 folds
# (--rescue; the gate refused 272 labelled and 815 no-answer questions at the trust check):
# at 0.85 / 0.8 / 0.75 / 0.7, 179 / 187 / 192 / 194 labelled answered, all at first rank, and
# 4 / 4 / 4 / 5 no-answer questions lost past the veto (20 / 23 / 27 / 32 without it). 0.75
# answers 13 more at no silence lost; the reworded 회사 주소 question now reads 0.68.
TRUST_AGREED: float | None = 0.75


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


# How much the whole message counts beside its best clause (FaqIndex.search). 0.5 until round
# 18; on the 35 folds of bench/faq_cv.py (4,852 labelled questions) 1.0 ranks better (first
# rank +12, top 3 +11 with the other round-18 changes) and silences the same no-answer
# questions; 1.5 and more silenced one fewer. A long message's story is often where its topic
# is ("물건 돌려보낸 지 열흘… 원래 이렇게 오래 걸리나요?").
_WHOLE_WEIGHT = 1.0


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
        self._named = _named_by(articles)

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
        scores its best clause plus its whole-message score (`_WHOLE_WEIGHT`), so each intent
        of the message can rank on its own instead of being diluted by the others.
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
        # "안녕하세요 상담원님, …": the agent greeted is no word of the question (round 23).
        query = without_vocative(_MARKUP.sub(" ", query))
        head = query[:MAX_QUERY_CHARS]  # what the rule modules read
        # The lists read word by word: an unspaced run is spaced for them (inbox.faq.spacing).
        worded = self._spacer(head)
        if self._others.owners(worded):
            return []  # another service's request (쿠팡 주문 취소): inbox.faq.services
        if self._topics.owners(worded):
            return []  # about something the shop never handles (피자 배달): inbox.faq.topics
        if word_salad(head):
            return []  # code, a keyboard mash, article words strung together: inbox.faq.salad
        if no_request_left(head):
            return []  # thanks, praise, a closing with nothing asked: inbox.faq.thanks
        if english_closing(head):
            return []  # the same in English ("never mind", "wrong window"): inbox.faq.english
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
        story told ("택시에 두고 내렸는데 이거 어떻게 찾아요"). A change asked of the customer's
        account here (services.changes_ours: "주민센터에 전입신고 끝났어요 이제 기본 배송 주소
        바꾸고 싶은데", round 22) is read as such a product: the story is why it changes."""
        low = normalize(self._spacer(query[:MAX_QUERY_CHARS]))
        if changes_ours(low):
            return True
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
        ranked = [Hit(slug=slug, score=round(value * best, 4)) for slug, value in mixed]
        named = self._named.get(normalize(query))
        if named is None or ranked[0].slug == named:
            return ranked
        # The question is one article's own keyword or title, word for word: the admins named
        # that article so, and learned phrasings of another must not outvote them (an edited
        # keyword "적립금 소멸" against hundreds of phrasings about leaving with one's points).
        # Its score is raised just above the first's: consumers that sort by score agree.
        top = round(ranked[0].score + 0.0001, 4)
        return [
            Hit(slug=h.slug, score=top if h.slug == named else h.score)
            for h in sorted(ranked, key=lambda h: h.slug != named)
        ]

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


def _named_by(articles: Sequence[Article]) -> dict[str, str]:
    """Normalized title or keyword -> the one article that has it (a phrase two articles share
    names neither): what `FaqIndex.rerank` keeps first when a question is exactly that."""
    owners: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        for text in article.texts.values():
            for phrase in (text.title, *text.keywords):
                owners[normalize(phrase)].add(article.slug)
    return {phrase: next(iter(slugs)) for phrase, slugs in owners.items() if len(slugs) == 1}


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
