"""What a change to the FAQ engine moved, question by question, never showing a held-out line.

    .venv/bin/python bench/faq_compare.py dump BEFORE.json     # every bench answer but held-out
    ... change the engine ...
    .venv/bin/python bench/faq_compare.py dump AFTER.json
    .venv/bin/python bench/faq_compare.py compare BEFORE.json AFTER.json
        # each question whose answer moved, marked + (gained), - (lost) or ~, then the counts
    .venv/bin/python bench/faq_compare.py misses hard-dev-22a hard-dev-22b    # or: misses all

The tuners of rounds 19 to 22 worked this way (docs/decisions.md): a fix counts when it gains on
a tuning split the examples were not yet taught and loses nothing over every other question.
`faq_learning.py` gives the aggregate; this gives the questions behind it. The held-out splits
(`faq_learning.HELD_OUT_SPLITS`) are left out of the dump and refused by `misses`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from faq_learning import HELD_OUT_SPLITS, TAUGHT, Question, load  # noqa: E402

from inbox.faq.articles import default_articles  # noqa: E402
from inbox.faq.search import FaqIndex  # noqa: E402


def _answers(questions: list[Question]) -> dict[str, dict[str, object]]:
    index = FaqIndex(default_articles())
    return {
        f"{split}\t{text}": {
            "labels": list(labels),
            "kind": kind,
            "got": [hit.slug for hit in index.answer(text)],
        }
        for text, labels, kind, split in questions
    }


def dump(out: Path) -> None:
    rows = _answers([q for q in load() if q[3] not in HELD_OUT_SPLITS])
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(rows)} questions dumped to {out}")


def _first(got: list[str], labels: list[str]) -> bool:
    return bool(got) and got[0] in labels


def _top3(got: list[str], labels: list[str]) -> bool:
    return bool(set(got[:3]) & set(labels))


def compare(before: Path, after: Path) -> None:
    a = json.loads(before.read_text(encoding="utf-8"))
    b = json.loads(after.read_text(encoding="utf-8"))
    moved: Counter[str] = Counter()
    common = sorted(set(a) & set(b))
    for key in common:
        old, new, labels = a[key]["got"], b[key]["got"], a[key]["labels"]
        if old == new:
            continue
        if labels:
            gains = [
                (name, test(new, labels) - test(old, labels))
                for name, test in (("top1", _first), ("top3", _top3))
            ]
        else:
            gains = [("silent", (not new) - (not old))]
        for name, delta in gains:
            if delta:
                moved[f"{name}{'+' if delta > 0 else '-'}"] += 1
        signs = {delta for _name, delta in gains if delta}
        mark = "-" if -1 in signs else "+" if 1 in signs else "~"
        print(f"{mark} {key}  want={labels} before={old} after={new}")
    print(dict(moved), f"of {len(common)} common questions")


def misses(splits: list[str]) -> None:
    wanted = list(TAUGHT) if splits == ["all"] else splits
    if held := set(wanted) & set(HELD_OUT_SPLITS):
        sys.exit(f"held-out splits are not to be read: {', '.join(sorted(held))}")
    rows = _answers([q for q in load() if q[3] in wanted])
    kinds: Counter[str] = Counter()
    for key, row in rows.items():
        got, labels = row["got"], row["labels"]
        assert isinstance(got, list) and isinstance(labels, list)
        if labels:
            if _first(got, labels):
                continue
            why = "SILENT" if not got else "top3" if _top3(got, labels) else "WRONG"
        elif got:
            why = "ANSWERED"
        else:
            continue
        kinds[why] += 1
        split, text = key.split("\t", 1)
        print(f"{why:8} {split} [{row['kind']}] want={labels} got={got}  {text}")
    print(dict(kinds), f"of {len(rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("out", type=Path)
    pair = sub.add_parser("compare")
    pair.add_argument("before", type=Path)
    pair.add_argument("after", type=Path)
    sub.add_parser("misses").add_argument("splits", nargs="+")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out)
    elif args.command == "compare":
        compare(args.before, args.after)
    else:
        misses(args.splits)


if __name__ == "__main__":
    main()
