"""Does a classifier trained on labelled phrasings help the FAQ ranking? Cross-validated.

    .venv/bin/python bench/faq_cv.py            # leave-one-split-out over the tuning splits
    .venv/bin/python bench/faq_cv.py --write-examples
        # rewrite inbox/faq/examples.json: every tuning split's labelled questions, what ships

Training and scoring on the same questions means nothing, so each tuning split is one fold:
the classifier (inbox/faq/classifier.py) is trained on every other tuning split's labelled
questions and scored on the fold's, against the same engine without it on the same fold:
"plain" (`FaqIndex(articles)`, what ships) and "learned" (the other splits stored as
evidence, as agents' inserts would leave it). The held-out split (faq_learning.HELD_OUT) is
never used. The no-match gate decides silence before any re-ranking, so the silent column
must not move; it is printed to show that.
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

from faq_learning import TAUGHT, Question, evidence_from, load  # noqa: E402

from inbox.faq.articles import default_articles  # noqa: E402
from inbox.faq.classifier import FORMAT, PhrasingClassifier, blend  # noqa: E402
from inbox.faq.search import FaqIndex  # noqa: E402

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
    parser.add_argument("--alpha", type=float, nargs="*", default=[0.1, 0.3, 1.0, 3.0])
    parser.add_argument("--weight", type=float, nargs="*", default=[0.25, 0.5, 1.0])
    parser.add_argument("--write-examples", action="store_true", help="rewrite examples.json")
    args = parser.parse_args()
    articles = default_articles()
    if args.write_examples:
        write_examples([q for q in load() if q[3] in TAUGHT])
        return
    questions = [q for q in load() if q[3] in TAUGHT]
    folds = [s for s in TAUGHT if any(q[3] == s for q in questions)]
    plain = FaqIndex(articles, classify=False)  # the engine without the classifier
    analyze = plain.analyzer
    fixer = plain._fix  # the same typo fixing the index applies
    base_plain: dict[int, Hits] = {i: gated(plain, q[0]) for i, q in enumerate(questions)}
    base_learned: dict[int, Hits] = {}
    posts: dict[tuple[str, float, bool], dict[int, Mapping[str, float]]] = {}
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
                bucket = posts.setdefault((fold, alpha, with_articles), {})
                for i in test:
                    bucket[i] = model.posterior(questions[i][0])

    def rows_for(
        base: Mapping[int, Hits], alpha: float | None, weight: float, arts: bool
    ) -> list[tuple[Question, list[str]]]:
        out = []
        for i, q in enumerate(questions):
            hits = base[i]
            if alpha is not None and hits:
                hits = blend(hits, posts[q[3], alpha, arts][i], weight)
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
                for weight in args.weight:
                    name = (
                        f"{base_name} + NB(a={alpha}, w={weight}"
                        f"{', +article keywords' if arts else ''})"
                    )
                    print(line(name, rows_for(base, alpha, weight, arts)))


if __name__ == "__main__":
    main()
