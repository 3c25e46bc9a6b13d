"""Does a classifier trained on labelled phrasings help the FAQ ranking? Cross-validated.

    .venv/bin/python bench/faq_cv.py            # leave-one-split-out over the tuning splits
    .venv/bin/python bench/faq_cv.py --write-examples
        # rewrite inbox/faq/examples.json: every tuning split's labelled questions, what ships
    .venv/bin/python bench/faq_cv.py --veto       # the no-answer veto, per threshold
    .venv/bin/python bench/faq_cv.py --write-no-answer
        # rewrite inbox/faq/no_answer.json: every tuning split's no-answer questions
    .venv/bin/python bench/faq_cv.py --domains
        # leave-one-domain-out over hard-dev-11: the off-topic gate on everyday domains
    .venv/bin/python bench/faq_cv.py --framed
        # every article keyword inside request frames: does anything but the gate silence it?
    .venv/bin/python bench/faq_cv.py --stories
        # labelled questions told after a story about something the shop never handles
    .venv/bin/python bench/faq_cv.py --unspaced
        # every question asked again without its spaces, leave-one-split-out (round 16)

Training and scoring on the same questions means nothing, so each tuning split is one fold:
the classifier (inbox/faq/classifier.py) is trained on every other tuning split's labelled
questions and scored on the fold's, against the same engine without it on the same fold:
"plain" (`FaqIndex(articles)`, what ships) and "learned" (the other splits stored as
evidence, as agents' inserts would leave it). The held-out split (faq_learning.HELD_OUT) is
never used (--write-no-answer reads it only to leave out a tuning line it repeats). The
no-match gate decides silence before any re-ranking, so the silent column must not move; it
is printed to show that. --veto: the no-answer veto, which does move it, counted both ways.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from faq_learning import HELD_OUT_SPLITS, TAUGHT, Question, evidence_from, load  # noqa: E402

from inbox.faq import search  # noqa: E402
from inbox.faq.articles import Article, default_articles  # noqa: E402
from inbox.faq.classifier import (  # noqa: E402
    BLEND_WEIGHT,
    FORMAT,
    NO_ANSWER_FORMAT,
    TEMPERATURE,
    VETO,
    VETO_PART,
    PhrasingClassifier,
    blend,
)
from inbox.faq.clauses import part_p_none, ranking_posterior, request_posterior  # noqa: E402
from inbox.faq.search import FaqIndex, _classifier, _veto_classifier  # noqa: E402
from inbox.faq.services import ServiceNames  # noqa: E402
from inbox.faq.text import MAX_QUERY_CHARS  # noqa: E402
from inbox.faq.topics import TopicWords, default_topics  # noqa: E402

NO_SERVICES = ServiceNames(other={}, store=frozenset())

Hits = list[tuple[str, float]]


def examples_from(
    questions: Sequence[Question], articles: Sequence[Article] = ()
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for text, labels, _kind, _split in questions:
        for slug in labels:
            out.setdefault(slug, []).append(text)
    for article in articles:
        for localized in article.texts.values():
            out.setdefault(article.slug, []).extend([localized.title, *localized.keywords])
    return out


def write_examples(questions: Sequence[Question]) -> None:
    examples = examples_from(questions)
    body = {
        "format": FORMAT,
        "source": "bench/faq_hard.jsonl and bench/faq_eval.jsonl, tuning splits only "
        "(bench/faq_learning.py TAUGHT), labelled questions; written by bench/faq_cv.py",
        "examples": {slug: examples[slug] for slug in sorted(examples)},
    }
    path = ROOT / "inbox" / "faq" / "examples.json"
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{path}: {sum(map(len, examples.values()))} phrasings, {len(examples)} articles")


def write_no_answer(questions: Sequence[Question], held_out: Sequence[Question]) -> None:
    """A tuning question that a held-out one repeats word for word is left out (one did:
    the held-out split must stay unseen by what ships)."""
    unseen = {" ".join(q[0].split()) for q in held_out}
    texts = [
        text
        for text, labels, _kind, _split in questions
        if not labels and " ".join(text.split()) not in unseen
    ]
    body = {
        "format": NO_ANSWER_FORMAT,
        "source": "bench/faq_hard.jsonl, tuning splits only (bench/faq_learning.py TAUGHT), "
        "questions that must get no answer; written by bench/faq_cv.py --write-no-answer",
        "questions": texts,
    }
    path = ROOT / "inbox" / "faq" / "no_answer.json"
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{path}: {len(texts)} questions")


def fold_models(
    questions: Sequence[Question],
    fold: str,
    articles: Sequence[Article],
    analyze: Callable[[str], list[str]],
    none_from: Sequence[str],
) -> tuple[dict[str, list[str]], PhrasingClassifier, PhrasingClassifier]:
    """What the shipped engine learns, trained on every fold but `fold`: the labelled
    phrasings, the ranker, and the veto on the no-answer questions of `none_from` splits."""
    train = [q for q in questions if q[3] != fold]
    labelled = examples_from([q for q in train if q[1]])
    ranker = _classifier(articles, labelled, {}, analyze)
    none = [q[0] for q in train if not q[1] and q[3] in none_from]
    veto = _veto_classifier(ranker, articles, none)
    assert ranker is not None and veto is not None
    return labelled, ranker, veto


def veto_cv(
    questions: Sequence[Question],
    folds: Sequence[str],
    thresholds: Sequence[float],
    none_from: Sequence[str],
    topics: TopicWords | None = None,
    parts: Sequence[float] = (VETO_PART,),
) -> None:
    """Leave-one-split-out: the shipped engine (gate, then the re-ranking trained on the other
    folds) with and without a veto trained on the other folds' no-answer questions. Both
    directions are counted: no-answer questions silenced, labelled ones wrongly silenced.
    `none_from`: the splits whose no-answer questions train the veto (NONE_SPLITS, what
    ships, unless told). `topics`: the gate's lexicon (the shipped one by default). `parts`:
    the P(none) a message's most none-like part must read too (clauses.vetoed_by; 0: the
    whole message alone, as before round 19), one table each."""
    articles = default_articles()
    plain = FaqIndex(articles, classify=False, topics=topics)
    analyze = lambda t: plain.analyzer(plain._fix(t[:MAX_QUERY_CHARS]))  # noqa: E731
    ranked: dict[int, list[str]] = {}
    p_none: dict[int, float] = {}
    p_part: dict[int, float] = {}
    for fold in folds:
        labelled, ranker, veto = fold_models(questions, fold, articles, analyze, none_from)
        # The gate knows the other folds' phrasings only (inbox.faq.owners reads them).
        gate = FaqIndex(articles, classify=False, topics=topics, examples=labelled)
        # The same gate with the ranker trained on the other folds: it differs from `gate`
        # only where the ranker's confidence answers a question the gate refused (TRUST).
        trusting = FaqIndex(articles, topics=topics, examples=labelled, no_answer=())
        for i, q in enumerate(questions):
            if q[3] != fold:
                continue
            hits = gated(gate, q[0])
            if not hits and search.TRUST is not None and trusting.answer(q[0]):
                hits = [(h.slug, h.score) for h in gate.search(q[0], limit=len(gate.slugs))]
            if hits:
                text = q[0][:MAX_QUERY_CHARS]
                hits = blend(hits, ranking_posterior(ranker, text), BLEND_WEIGHT)
            ranked[i] = [slug for slug, _s in hits[:3]]
            p_none[i] = veto.p_none(q[0])
            ours = gate.names_product(q[0])
            p_part[i] = part_p_none(veto, q[0], ours=ours) if hits else 0.0
    print(f"folds: {', '.join(folds)}")
    for part in parts:
        print(f"\nthe most none-like part of a message read at P(none) ≥ {part} too:\n")
        veto_table(questions, folds, thresholds, ranked, p_none, p_part, part)


def veto_table(
    questions: Sequence[Question],
    folds: Sequence[str],
    thresholds: Sequence[float],
    ranked: Mapping[int, list[str]],
    p_none: Mapping[int, float],
    p_part: Mapping[int, float],
    part: float,
) -> None:
    """`veto_cv`'s table for one VETO_PART value."""
    print(
        "| veto at P(none) ≥ | labelled | top-1 | top-3 | labelled wrongly silenced by it "
        "| no-answer silent | silent per fold |"
    )
    print("|---|---|---|---|---|---|---|")
    for t in [None, *thresholds]:
        rows = []
        wrong = 0
        for i, q in enumerate(questions):
            slugs = ranked[i]
            if t is not None and slugs and p_none[i] >= t and p_part[i] >= part:
                wrong += bool(q[1])
                slugs = []
            rows.append((q, slugs))
        n, t1, t3, neg, sil = tally(rows)
        per_fold = []
        for fold in folds:
            _fn, _f1, _f3, fneg, fsil = tally([r for r in rows if r[0][3] == fold])
            per_fold.append(f"{fsil}/{fneg}" if fneg else "-")
        print(
            f"| {'no veto' if t is None else t} | {n} | {100 * t1 / n:.1f} | {100 * t3 / n:.1f} "
            f"| {wrong} | {sil}/{neg} | {' '.join(per_fold)} |"
        )
    silenced = [
        q
        for i, q in enumerate(questions)
        if q[1] and ranked[i] and p_none[i] >= VETO and p_part[i] >= part
    ]
    print(f"\nlabelled questions the veto silences at {VETO} ({len(silenced)}):")
    for text, labels, kind, split in silenced:
        print(f"  {split} {kind} {','.join(labels)}: {text}")


@dataclass(frozen=True)
class Refusal:
    """A question the score/coverage gate refused after the lists and before the veto: what
    a second signal for the trust check can read (round 17)."""

    question: Question
    fold: str
    posterior: Mapping[str, float]
    index_order: list[str]  # the index's own ranking, best first
    coverage: float  # of the question by the ranker's first choice (content, no scaffolding)
    p_none: float  # the fold's veto (0 when clauses.vetoed_by would not silence it)
    shown: list[str]  # what would be shown if answered: the index hits blended with the ranker

    @property
    def first(self) -> str:
        return max(self.posterior, key=lambda s: self.posterior[s], default="")

    @property
    def p1(self) -> float:
        return max(self.posterior.values(), default=0.0)

    @property
    def margin(self) -> float:
        top = sorted(self.posterior.values(), reverse=True)[:2]
        return top[0] - top[1] if len(top) == 2 else (top[0] if top else 0.0)

    def index_rank(self) -> int:
        """Where the index puts the ranker's first choice (1 = its own first hit; 99 absent)."""
        return self.index_order.index(self.first) + 1 if self.first in self.index_order else 99


def refusals(questions: Sequence[Question], folds: Sequence[str]) -> list[Refusal]:
    """Leave-one-split-out, as `veto_cv` builds the engine: every question the fold's gate
    refuses at the trust check (not the lists), with the signals the check can read."""
    articles = default_articles()
    plain = FaqIndex(articles, classify=False)
    analyze = lambda t: plain.analyzer(plain._fix(t[:MAX_QUERY_CHARS]))  # noqa: E731
    out: list[Refusal] = []
    seen: list[tuple[Mapping[str, float], list[str]]] = []

    def record(
        query: str,
        posterior: Mapping[str, float] | None = None,
        hits: Sequence[search.Hit] | None = None,
        whole: Mapping[str, float] | None = None,
    ) -> bool:
        if posterior is None:
            posterior = index._posterior(query)
        seen.append((posterior, [h.slug for h in hits or ()]))
        return False

    for fold in folds:
        labelled, _ranker, veto = fold_models(questions, fold, articles, analyze, NONE_SPLITS)
        index = FaqIndex(articles, examples=labelled, no_answer=())
        index.trusted = record  # type: ignore[method-assign]
        for q in questions:
            if q[3] != fold:
                continue
            seen.clear()
            index.answer(q[0])
            if not seen:
                continue  # answered by the gate, or silenced before the trust check
            posterior, order = seen[0]
            first = max(posterior, key=lambda s: posterior[s], default="")
            hits = [(h.slug, h.score) for h in index.search(q[0], limit=len(index.slugs))]
            whole = index._whole_posterior(q[0])
            shown = [slug for slug, _s in blend(hits, whole, BLEND_WEIGHT)[:3]]
            cover = index.coverage(q[0], first, correct=False, scaffolding=False) if first else 0
            # As the veto reads it (clauses.vetoed_by): 0 when no asking part reads none.
            ours = index.names_product(q[0])
            p = veto.p_none(q[0]) if part_p_none(veto, q[0], ours=ours) >= VETO_PART else 0.0
            out.append(Refusal(q, fold, posterior, order, cover, p, shown))
    return out


# The second signals compared by --rescue: name -> does a refused question pass it?
SIGNALS: dict[str, Callable[[Refusal], bool]] = {
    "none": lambda r: True,
    "index first": lambda r: r.index_rank() == 1,
    "index top 2": lambda r: r.index_rank() <= 2,
    "index top 3": lambda r: r.index_rank() <= 3,
    "margin ≥ 0.3": lambda r: r.margin >= 0.3,
    "coverage ≥ 0.3": lambda r: r.coverage >= 0.3,
    "index first, coverage ≥ 0.2": lambda r: r.index_rank() == 1 and r.coverage >= 0.2,
}


def rescue_table(
    found: Sequence[Refusal], thresholds: Sequence[float], trust: float, veto: float
) -> None:
    """For each second signal and ranker threshold: of the refused questions the trust check
    would answer (P ≥ `trust`, or P ≥ the threshold with the signal; search.TRUST_AGREED is
    the "index first" row) and the veto at `veto` lets through: labelled ones answered, right
    at first rank and in the top 3, and no-answer ones lost (also counted without the veto)."""
    labelled = sum(bool(r.question[1]) for r in found)
    print(f"refused at the trust check: {labelled} labelled, {len(found) - labelled} no-answer\n")
    print(f"answered at P ≥ {trust}, or at a lower P with a second signal:\n")
    print(
        "| second signal | P ≥ | labelled answered | top-1 | top-3 | no-answer lost "
        "| no-answer lost without the veto |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, signal in SIGNALS.items():
        for t in thresholds:
            passed = [r for r in found if r.p1 >= trust or (r.p1 >= t and signal(r))]
            rows = [r for r in passed if r.p_none < veto]
            good = [r for r in rows if r.question[1]]
            t1 = sum(r.shown[0] in r.question[1] for r in good)
            t3 = sum(any(s in r.question[1] for s in r.shown) for r in good)
            bare = sum(not r.question[1] for r in passed)
            print(
                f"| {name} | {t} | {len(good)} | {t1} | {t3} | {len(rows) - len(good)} | {bare} |"
            )


DEV = "hard-dev-11"
# The splits whose no-answer questions train the shipped veto (--write-no-answer). Not
# hard-dev-11: its off-topic questions use the articles' words on purpose (피자 배달, 헬스장 회원
# 탈퇴), and a none class trained on them silenced 8 labelled questions of the other folds
# (bench/faq_cv.py --veto --none-from with it; "FAQ round 11" in docs/decisions.md). The topics
# lexicon is what answers them.
# Nor hard-dev-13 (round 13): with its no-answer questions the veto silenced 3 labelled
# questions of other folds (우체국으로 반품, 환불 받을 계좌 변경, 엄마 계정 탈퇴) for 7 more
# silences; without them, none (docs/decisions.md, "FAQ round 13").
NONE_SPLITS = tuple(s for s in TAUGHT if s not in (DEV, "hard-dev-13"))


def domains_of() -> dict[str, str]:
    """hard-dev-11's question -> its everyday domain (the split's "domain" field)."""
    rows = [json.loads(line) for line in (ROOT / "bench" / "faq_hard.jsonl").open(encoding="utf-8")]
    return {row["q"]: row["domain"] for row in rows if row["split"] == "dev11"}


def domain_cv(questions: Sequence[Question]) -> None:
    """Leave-one-domain-out over hard-dev-11: each domain's questions (off-topic and labelled)
    are answered by an engine whose learnt parts (the ranker's examples, the veto's no-answer
    questions) never saw that domain; every other tuning question trains it. Three gates:
    round 10's (no topics lexicon), the lexicon as shipped (written before hard-dev-11, so not
    trained on it; same author, though), and the lexicon with the scored domain's own words
    left out (does the rest of the lexicon carry a domain nobody listed?)."""
    articles = default_articles()
    domain = domains_of()
    lexicon = default_topics()
    none_words = TopicWords(lexicon.ours, {})
    dev = [q for q in questions if q[3] == DEV]
    names = sorted({domain[q[0]] for q in dev}, key=lambda d: (d == "ours", d))
    variants = (
        "round 10 (no lexicon)",
        "lexicon",
        "lexicon without the domain",
        "lexicon, veto also on the other domains",
    )
    results: dict[str, list[tuple[Question, list[str]]]] = {v: [] for v in variants}
    per_domain: dict[tuple[str, str], tuple[int, int]] = {}
    silenced: dict[str, list[str]] = {v: [] for v in variants}
    for name in names:
        train = [q for q in questions if not (q[3] == DEV and domain[q[0]] == name)]
        test = [q for q in dev if domain[q[0]] == name]
        examples = examples_from([q for q in train if q[1]])
        shipped = [q[0] for q in train if not q[1] and q[3] in NONE_SPLITS]
        wider = [q[0] for q in train if not q[1]]
        gates = (
            (none_words, shipped),
            (lexicon, shipped),
            (lexicon.without(name), shipped),
            (lexicon, wider),
        )
        for variant, (words, none) in zip(variants, gates, strict=True):
            index = FaqIndex(articles, examples=examples, no_answer=none, topics=words)
            rows = [(q, [h.slug for h in index.answer(q[0])]) for q in test]
            results[variant].extend(rows)
            negatives = [r for r in rows if not r[0][1]]
            per_domain[variant, name] = (sum(not r[1] for r in negatives), len(negatives))
            silenced[variant].extend(f"{q[0]} ({name})" for q, slugs in rows if q[1] and not slugs)
    print(f"hard-dev-11: {len(dev)} questions, {len(names)} domains, one fold per domain\n")
    print("| gate | labelled | top-1 | top-3 | labelled silent | no-answer silent |")
    print("|---|---|---|---|---|---|")
    for variant in variants:
        n, t1, t3, neg, sil = tally(results[variant])
        print(
            f"| {variant} | {n} | {100 * t1 / n:.1f} | {100 * t3 / n:.1f} "
            f"| {len(silenced[variant])} | {sil}/{neg} |"
        )
    print("\n| domain | " + " | ".join(variants) + " |")
    print("|---|" + "---|" * len(variants))
    for name in names:
        cells = [per_domain[v, name] for v in variants]
        if any(total for _s, total in cells):
            print(f"| {name} | " + " | ".join(f"{s}/{t}" for s, t in cells) + " |")
    for variant in variants:
        print(f"\nlabelled silent, {variant}: " + ("; ".join(silenced[variant]) or "none"))
    missed = [q[0] for q, slugs in results["lexicon"] if not q[1] and slugs]
    print(f"\nno-answer still answered, lexicon ({len(missed)}): " + "; ".join(missed))


# Request frames the veto never learnt (classifier.FRAMES are the ones it did).
UNSEEN_FRAMES = (
    "{} 좀 알려주세요",
    "{} 문의드려요",
    "{} 어떻게 하나요?",
    "{} 가능할까요",  # "{} 가능한가요" is taught since round 16
    "{} 되나요?",
    "{} 관련 질문이요",
    "{} 확인하고 싶어요",
    "{} 도와주세요",
)


def framed_check() -> None:
    """Round 10's check, again: each article keyword in a request frame is a real question.
    Of those the gate answers, how many does the shipped engine silence (the veto, the named
    services and provider accounts, the topics lexicon)? Aim: none."""
    from inbox.faq.classifier import FRAMES

    articles = default_articles()
    index = FaqIndex(articles)
    gate_only = FaqIndex(
        articles, no_answer=(), topics=TopicWords(frozenset(), {}), services=NO_SERVICES
    )
    for name, frames in (("taught frames", FRAMES), ("unseen frames", UNSEEN_FRAMES)):
        answered = silenced = 0
        lost: list[str] = []
        for article in articles:
            for text in article.texts.values():
                for keyword in text.keywords:
                    for frame in frames:
                        question = frame.format(keyword)
                        if not gate_only.answer(question):
                            continue
                        answered += 1
                        if not index.answer(question):
                            silenced += 1
                            lost.append(question)
        print(f"{name}: {silenced} of {answered} framed keywords the gate answers are silenced")
        for question in lost:
            print(f"  {question}")


# A story with a foreign thing told before a real question. The first twelve were tuned on
# (the topics gate reads a foreign word only with a request word close by, in its own clause,
# because of them); the last six were written after that choice and run once.
STORIES = (
    ("tuned", "강아지 산책 다녀왔는데 {}"),
    ("tuned", "헬스장 다녀오는 길인데요 {}"),
    ("tuned", "냉장고를 새로 바꿨는데 {}"),
    ("tuned", "아이 어린이집 보내고 나서 {}"),
    ("tuned", "치킨 시켜 먹다가 생각났는데 {}"),
    ("tuned", "이사 와서 관리비 내다가 보니 {}"),
    ("tuned", "주말에 캠핑 갔다 왔는데 {}"),
    ("tuned", "요즘 필라테스 다니느라 바빠서 {}"),
    ("tuned", "아들 학원 끝나고 오는 길에 {}"),
    ("tuned", "버스 타고 가면서 보니까 {}"),
    ("tuned", "호텔에 묵고 있는데 {}"),
    ("tuned", "피자 먹으면서 생각해보니 {}"),
    ("fresh", "오늘 아침에 요가 끝나고 왔는데 {}"),
    ("fresh", "회사 면접 보고 오는 중인데 {}"),
    ("fresh", "택시 안에서 급하게 쓰는데 {}"),
    ("fresh", "엄마가 보험 때문에 전화하셔서 {}"),
    ("fresh", "고양이 밥 주다가 생각났는데 {}"),
    ("fresh", "게임 한 판 하고 나서 보니 {}"),
)


def stories_check(questions: Sequence[Question]) -> None:
    """Labelled tuning questions told after a story: of those the engine without the topics
    lexicon answers, how many does the lexicon silence? Aim: none."""
    articles = default_articles()
    index = FaqIndex(articles)
    no_lexicon = FaqIndex(articles, topics=TopicWords(frozenset(), {}))
    print("| story | written | labelled answered without the lexicon | silenced by it |")
    print("|---|---|---|---|")
    for kind, story in STORIES:
        answered = silenced = 0
        for text, labels, _kind, _split in questions:
            question = story.format(text)
            if labels and no_lexicon.answer(question):
                answered += 1
                silenced += not index.answer(question)
        print(f"| `{story.format('…')}` | {kind} | {answered} | {silenced} |")


def unspace(text: str) -> str:
    """`text` as a customer who never presses space types it (Latin words keep theirs)."""
    return re.sub(r"(?<=[가-힣])\s+(?=[가-힣])", "", text)


def unspaced_check(questions: Sequence[Question], folds: Sequence[str]) -> None:
    """Every tuning question with a space between Hangul words, asked again without its
    spaces, leave-one-split-out (the engine's phrasings and veto from the other folds: the
    spacing of inbox.faq.spacing then knows none of the question's own words). Aim: the
    unspaced question gets what the spaced one gets (round 16)."""
    articles = default_articles()
    print("| fold set | spaced | labelled | top-1 | top-3 | no-answer silent |")
    print("|---|---|---|---|---|---|")
    rows: dict[str, list[tuple[Question, list[str]]]] = {"as written": [], "unspaced": []}
    lost: list[str] = []
    for fold in folds:
        test = [q for q in questions if q[3] == fold and unspace(q[0]) != q[0]]
        if not test:
            continue
        train = [q for q in questions if q[3] != fold]
        index = FaqIndex(
            articles,
            examples=examples_from([q for q in train if q[1]]),
            no_answer=[q[0] for q in train if not q[1] and q[3] in NONE_SPLITS],
        )
        for q in test:
            spaced = [h.slug for h in index.answer(q[0])]
            glued = [h.slug for h in index.answer(unspace(q[0]))]
            rows["as written"].append((q, spaced))
            rows["unspaced"].append((q, glued))
            if bool(spaced) != bool(glued):
                lost.append(f"{'labelled' if q[1] else 'no-answer'}: {unspace(q[0])} -> {glued}")
    for name, got in rows.items():
        n, t1, t3, neg, sil = tally(got)
        print(
            f"| all folds | {name} | {n} | {100 * t1 / n:.1f} | {100 * t3 / n:.1f} | {sil}/{neg} |"
        )
    print(f"\nanswered one way and not the other ({len(lost)}):")
    for line in lost:
        print(f"  {line}")


def gated(index: FaqIndex, text: str) -> Hits:
    return [(h.slug, h.score) for h in index.answer(text, limit=len(index.slugs))]


def tally(rows: Sequence[tuple[Question, list[str]]]) -> tuple[int, int, int, int, int]:
    n = top1 = top3 = neg = silent = 0
    for (_text, labels, _kind, _split), slugs in rows:
        if labels:
            n += 1
            top1 += bool(slugs) and slugs[0] in labels
            top3 += any(s in labels for s in slugs[:3])
        else:
            neg += 1
            silent += not slugs
    return n, top1, top3, neg, silent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", type=float, nargs="*", default=[0.3, 1.0, 3.0])
    parser.add_argument("--weight", type=float, nargs="*", default=[0.5, 1.0, 1.5])
    parser.add_argument(
        "--temperature", type=float, nargs="*", default=[1.0, 4.0, TEMPERATURE, 8.0]
    )
    parser.add_argument(
        "--whole-message",
        action="store_true",
        help="the classifier reads the whole message only, not also its request clauses",
    )
    parser.add_argument("--write-examples", action="store_true", help="rewrite examples.json")
    parser.add_argument("--write-no-answer", action="store_true", help="rewrite no_answer.json")
    parser.add_argument("--veto", type=float, nargs="*", help="cross-validate the veto")
    parser.add_argument("--domains", action="store_true", help="leave-one-domain-out, dev11")
    parser.add_argument("--framed", action="store_true", help="framed keywords silenced")
    parser.add_argument("--stories", action="store_true", help="questions after a story")
    parser.add_argument("--unspaced", action="store_true", help="questions without their spaces")
    parser.add_argument(
        "--trust",
        type=float,
        nargs="*",
        help="--veto/--domains: the gate's TRUST values to compare (negative: off; round 15)",
    )
    parser.add_argument(
        "--agreed",
        type=float,
        help="--veto/--domains/--framed: the trust check's TRUST_AGREED (negative: off; round 17)",
    )
    parser.add_argument(
        "--rescue",
        type=float,
        nargs="*",
        help="the gate's refusals: second signals for trusting the ranker, per P threshold",
    )
    parser.add_argument(
        "--no-lexicon", action="store_true", help="--veto: without the topics lexicon (round 10)"
    )
    parser.add_argument(
        "--none-from", nargs="*", help="--veto: splits whose no-answer questions train it"
    )
    parser.add_argument(
        "--veto-part",
        type=float,
        nargs="*",
        help=f"--veto: P(none) a message's most none-like part must read too (0: off; "
        f"default {VETO_PART}, round 19)",
    )
    args = parser.parse_args()
    articles = default_articles()
    if args.write_examples:
        write_examples([q for q in load() if q[3] in TAUGHT])
        return
    if args.write_no_answer:
        write_no_answer(
            [q for q in load() if q[3] in NONE_SPLITS],
            [q for q in load() if q[3] in HELD_OUT_SPLITS],
        )
        return
    if args.agreed is not None:
        search.TRUST_AGREED = None if args.agreed < 0 else args.agreed
    questions = [q for q in load() if q[3] in TAUGHT]
    folds = [s for s in TAUGHT if any(q[3] == s for q in questions)]
    if args.domains:
        for trust in args.trust or [search.TRUST]:
            search.TRUST = None if trust < 0 else trust
            print(f"\ngate refusals answered at the ranker's P(article) ≥ {search.TRUST}:")
            domain_cv(questions)
        return
    if args.framed:
        framed_check()
        return
    if args.stories:
        stories_check(questions)
        return
    if args.unspaced:
        unspaced_check(questions, folds)
        return
    if args.rescue is not None:
        rescue_table(
            refusals(questions, folds),
            args.rescue or [0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
            search.TRUST if search.TRUST is not None else 1.0,
            VETO,
        )
        return
    if args.veto is not None:
        for trust in args.trust or [search.TRUST]:
            search.TRUST = None if trust < 0 else trust
            print(
                f"\ngate refusals answered at the ranker's P(article) ≥ {search.TRUST}, or "
                f"≥ {search.TRUST_AGREED} with the index's first hit the same article:"
            )
            veto_cv(
                questions,
                folds,
                args.veto or [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999],
                NONE_SPLITS if args.none_from is None else args.none_from,
                TopicWords(frozenset(), {}) if args.no_lexicon else None,
                args.veto_part or [VETO_PART],
            )
        return
    plain = FaqIndex(articles, classify=False)  # the engine without the classifier
    analyze = plain.analyzer
    fixer = plain._fix  # the same typo fixing the index applies
    base_plain: dict[int, Hits] = {i: gated(plain, q[0]) for i, q in enumerate(questions)}
    base_learned: dict[int, Hits] = {}
    posts: dict[tuple[str, float, bool, float], dict[int, Mapping[str, float]]] = {}
    for fold in folds:
        train = [q for q in questions if q[3] != fold]
        test = [i for i, q in enumerate(questions) if q[3] == fold]
        learned = FaqIndex(articles, evidence=evidence_from(train), classify=False)
        for i in test:
            base_learned[i] = gated(learned, questions[i][0])
        for alpha in args.alpha:
            for with_articles in (False, True):
                model = PhrasingClassifier(
                    examples_from(train, articles if with_articles else ()),
                    lambda t: analyze(fixer(t)),
                    alpha=alpha,
                )
                for temperature in args.temperature:
                    bucket = posts.setdefault((fold, alpha, with_articles, temperature), {})
                    for i in test:
                        text = questions[i][0][:MAX_QUERY_CHARS]
                        bucket[i] = (
                            model.posterior(text, temperature=temperature)
                            if args.whole_message
                            else request_posterior(model, text, temperature)
                        )

    def rows_for(
        base: Mapping[int, Hits], alpha: float | None, weight: float, arts: bool, t: float = 1.0
    ) -> list[tuple[Question, list[str]]]:
        out = []
        for i, q in enumerate(questions):
            hits = base[i]
            if alpha is not None and hits:
                hits = blend(hits, posts[q[3], alpha, arts, t][i], weight)
            out.append((q, [slug for slug, _s in hits[:3]]))
        return out

    def line(name: str, rows: list[tuple[Question, list[str]]]) -> str:
        n, t1, t3, neg, sil = tally(rows)
        per_fold = []
        for fold in folds:
            fn, f1, _f3, _fneg, _fsil = tally([r for r in rows if r[0][3] == fold])
            per_fold.append(f"{100 * f1 / fn:.0f}" if fn else "-")
        return (
            f"| {name} | {n} + {neg} | {100 * t1 / n:.1f} | {100 * t3 / n:.1f} | {sil}/{neg} "
            f"| {' '.join(per_fold)} |"
        )

    print(f"folds (top-1 per fold, in this order): {', '.join(folds)}\n")
    print("| engine | questions | top-1 | top-3 | silent | top-1 per fold |")
    print("|---|---|---|---|---|---|")
    for base_name, base in (("plain", base_plain), ("learned", base_learned)):
        print(line(base_name, rows_for(base, None, 0.0, False)))
        for arts in (False, True):
            for alpha in args.alpha:
                for t in args.temperature:
                    for weight in args.weight:
                        name = (
                            f"{base_name} + NB(a={alpha}, T={t}, w={weight}"
                            f"{', +article keywords' if arts else ''})"
                        )
                        print(line(name, rows_for(base, alpha, weight, arts, t)))


if __name__ == "__main__":
    main()
