"""Does a classifier trained on labelled phrasings help the FAQ ranking? Cross-validated.

    .venv/bin/python bench/faq_cv.py            # leave-one-split-out over the tuning splits
    .venv/bin/python bench/faq_cv.py --write-examples
        # rewrite inbox/faq/examples.json: every tuning split's labelled questions, what ships
    .venv/bin/python bench/faq_cv.py --veto       # the no-answer veto, per threshold
    .venv/bin/python bench/faq_cv.py --write-no-answer
        # rewrite inbox/faq/no_answer.json: every tuning split's no-answer questions

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
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from faq_learning import HELD_OUT, TAUGHT, Question, evidence_from, load  # noqa: E402

from inbox.faq.articles import default_articles  # noqa: E402
from inbox.faq.classifier import (  # noqa: E402
    BLEND_WEIGHT,
    FORMAT,
    NO_ANSWER_FORMAT,
    TEMPERATURE,
    PhrasingClassifier,
    blend,
)
from inbox.faq.search import (  # noqa: E402
    MAX_QUERY_CHARS,
    FaqIndex,
    _classifier,
    _veto_classifier,
    request_posterior,
)

Hits = list[tuple[str, float]]


def examples_from(questions: Sequence[Question], articles: Sequence = ()) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for text, labels, _kind, _split in questions:
        for slug in labels:
            out.setdefault(slug, []).append(text)
    for article in articles:
        for text in article.texts.values():
            out.setdefault(article.slug, []).extend([text.title, *text.keywords])
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


def veto_cv(
    questions: Sequence[Question], folds: Sequence[str], thresholds: Sequence[float]
) -> None:
    """Leave-one-split-out: the shipped engine (gate, then the re-ranking trained on the other
    folds) with and without a veto trained on the other folds' no-answer questions. Both
    directions are counted: no-answer questions silenced, labelled ones wrongly silenced."""
    articles = default_articles()
    plain = FaqIndex(articles, classify=False)
    analyze = lambda t: plain.analyzer(plain._fix(t[:MAX_QUERY_CHARS]))  # noqa: E731
    gated_hits = {i: gated(plain, q[0]) for i, q in enumerate(questions)}
    ranked: dict[int, list[str]] = {}
    p_none: dict[int, float] = {}
    for fold in folds:
        train = [q for q in questions if q[3] != fold]
        labelled = examples_from([q for q in train if q[1]])
        none = [q[0] for q in train if not q[1]]
        ranker = _classifier(articles, labelled, {}, analyze)
        veto = _veto_classifier(ranker, articles, none)
        assert ranker is not None and veto is not None
        for i, q in enumerate(questions):
            if q[3] != fold:
                continue
            hits = gated_hits[i]
            if hits:
                hits = blend(hits, request_posterior(ranker, q[0]), BLEND_WEIGHT)
            ranked[i] = [slug for slug, _s in hits[:3]]
            p_none[i] = veto.p_none(q[0])
    print(f"folds: {', '.join(folds)}\n")
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
            if t is not None and slugs and p_none[i] >= t:
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
    args = parser.parse_args()
    articles = default_articles()
    if args.write_examples:
        write_examples([q for q in load() if q[3] in TAUGHT])
        return
    if args.write_no_answer:
        write_no_answer(
            [q for q in load() if q[3] in TAUGHT], [q for q in load() if q[3] == HELD_OUT]
        )
        return
    questions = [q for q in load() if q[3] in TAUGHT]
    folds = [s for s in TAUGHT if any(q[3] == s for q in questions)]
    if args.veto is not None:
        veto_cv(questions, folds, args.veto or [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999])
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
