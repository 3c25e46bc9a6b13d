"""Measure what a customer-facing FAQ answer costs: right answers, and silence when none fits.

    .venv/bin/python bench/faq_learning.py            # print the table (tuning split only)
    .venv/bin/python bench/faq_learning.py --misses   # also list the tuning splits' misses
    .venv/bin/python bench/faq_learning.py --final --http --write
        # add the held-out split (aggregate only), the same questions through
        # GET /api/v1/faq/suggest, and rewrite "## FAQ answers" in BENCHMARKS.md

`FaqIndex.answer` is what the widget and `GET /api/v1/faq/suggest` use: the ranking plus the
no-match gate. A question counts as right at top-1 when the first answer is one of its
labels (multi-intent questions carry two), at top-3 when any label is among the answers;
a question with no label (nonsense, empty-meaning, off-topic) counts as right only when no
answer is given. "learned" columns build the index with evidence, as agents' inserts would
leave it: every tuning question (TAUGHT below) stored as a phrasing of its article; the
held-out split (HELD_OUT) never is.

"Probes" rewrap the tuning questions the way customers wrap theirs (a greeting, a thank-you, a
story told before the request) and check that the answer does not change and that wrapped
no-answer questions stay silent; they were used for tuning, like the splits they are built from.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inbox.faq.articles import default_articles  # noqa: E402
from inbox.faq.search import FaqIndex  # noqa: E402

HARD = ROOT / "bench" / "faq_hard.jsonl"
FIRST = ROOT / "bench" / "faq_eval.jsonl"
BENCHMARKS = ROOT / "BENCHMARKS.md"
HEADING = "## FAQ answers"

Question = tuple[str, tuple[str, ...], str, str]  # text, labels, kind, split


def load() -> list[Question]:
    out: list[Question] = []
    for line in HARD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        split = {
            "tune": "hard-tune",
            "heldout": "hard-tune-2",
            "final": "hard-final",
            "final2": "hard-final-2",
            "final3": "hard-final-3",
            "dev4": "hard-dev-4",
            "final4": "hard-final-4",
            "final5": "hard-final-5",
            "final6": "hard-final-6",
            "final7": "hard-final-7",
            "dev8": "hard-dev-8",
            "final8": "hard-final-8",
            "final9": "hard-final-9",
            "dev11": "hard-dev-11",
            "dev12a": "hard-dev-12a",
            "dev12b": "hard-dev-12b",
            "dev13": "hard-dev-13",
            "final10": "hard-final-10",
            "final11": "hard-final-11",
            "final12": "hard-final-12",
            "final13": "hard-final-13",
            "final13b": "hard-final-13b",
            "final14": "hard-final-14",
            "dev15a": "hard-dev-15a",
            "dev15b": "hard-dev-15b",
            "dev14a": "hard-dev-14a",
            "dev14b": "hard-dev-14b",
            "final15": "hard-final-15",
            "final15b": "hard-final-15b",
            "final16": "hard-final-16",
            "dev16a": "hard-dev-16a",
            "dev16b": "hard-dev-16b",
            "dev17": "hard-dev-17",
            "final17": "hard-final-17",
            "final17b": "hard-final-17b",
            "final18": "hard-final-18",
            "dev18a": "hard-dev-18a",
            "dev18b": "hard-dev-18b",
            "final19": "hard-final-19",
            "final19b": "hard-final-19b",
            "final20": "hard-final-20",
            "dev19a": "hard-dev-19a",
            "dev19b": "hard-dev-19b",
            "final21": "hard-final-21",
            "final21b": "hard-final-21b",
            "final22": "hard-final-22",
            "dev20a": "hard-dev-20a",
            "dev20b": "hard-dev-20b",
            "final23": "hard-final-23",
            "final23b": "hard-final-23b",
            "final24": "hard-final-24",
            "dev21a": "hard-dev-21a",
            "dev21b": "hard-dev-21b",
            "final25": "hard-final-25",
            "final25b": "hard-final-25b",
            "final26": "hard-final-26",
            "dev22a": "hard-dev-22a",
            "dev22b": "hard-dev-22b",
            "final27": "hard-final-27",
            "final27b": "hard-final-27b",
            "final28": "hard-final-28",
            "dev23a": "hard-dev-23a",
            "dev23b": "hard-dev-23b",
            "final29": "hard-final-29",
            "final29b": "hard-final-29b",
            "final30": "hard-final-30",
            "dev24a": "hard-dev-24a",
            "dev24b": "hard-dev-24b",
        }[row["split"]]
        out.append((row["q"], tuple(row["slugs"]), row["kind"], split))
    for line in FIRST.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.append((row["q"], (row["slug"],), "first", f"first-{row['split']}"))
    return out


Answerer = Callable[[str], list[str]]  # a question -> the slugs shown, best first


def by_index(index: FaqIndex) -> Answerer:
    return lambda text: [hit.slug for hit in index.answer(text)]


def score(index: FaqIndex | Answerer, questions: Sequence[Question]) -> dict[str, float | int]:
    answer = by_index(index) if isinstance(index, FaqIndex) else index
    labelled = [q for q in questions if q[1]]
    unlabelled = [q for q in questions if not q[1]]
    top1 = top3 = 0
    for text, labels, _kind, _split in labelled:
        slugs = answer(text)
        top1 += bool(slugs) and slugs[0] in labels
        top3 += any(slug in labels for slug in slugs)
    silent = sum(not answer(text) for text, *_ in unlabelled)
    return {
        "n": len(labelled),
        "top1": top1 / len(labelled) if labelled else 0.0,
        "top3": top3 / len(labelled) if labelled else 0.0,
        "neg": len(unlabelled),
        "silent": silent,
    }


@contextlib.contextmanager
def http_answerer() -> Iterator[Answerer]:
    """`GET /api/v1/faq/suggest` on the Flask app, with an agent's Bearer token: the path the
    independent set takes (a fresh SQLite database with the seed articles, no evidence)."""
    import tempfile

    from inbox.faq import service
    from inbox.migrate import upgrade
    from inbox.tokens import issue_token
    from inbox.users import create_user
    from switchboard.runner import EmbeddedRunner
    from switchboard.runtime import build_runtime
    from switchboard.settings import Settings
    from web import create_app

    with tempfile.TemporaryDirectory(prefix="sb-faq-") as tmp:
        url = f"sqlite:///{tmp}/faq.db"
        upgrade(url)
        settings = Settings.load(
            {
                "DATABASE_URL": url,
                "REDIS_URL": "",
                "SECRET_KEY": "bench-secret",
                "SWITCHBOARD_ENCRYPTION_KEY": "bench-key",
                "SWITCHBOARD_INSTANCE": tmp,
            }
        )
        rt = build_runtime(settings, jobs=EmbeddedRunner(threads=1))
        with rt.db.session() as session:
            service.seed_default_articles(session)
            user, _ = create_user(session, email="faq-bench@example.test", role="agent")
            session.flush()
            token = issue_token(session, user, "faq-bench")
        service.invalidate_cache()
        client = create_app(rt).test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def answer(text: str) -> list[str]:
            reply = client.get("/api/v1/faq/suggest", query_string={"q": text}, headers=headers)
            if reply.status_code != 200:
                raise RuntimeError(f"{text!r}: HTTP {reply.status_code} {reply.get_data()!r}")
            body = reply.get_json()
            slugs = [row["slug"] for row in body["data"]]
            assert body["no_match"] == (not slugs)
            return slugs

        try:
            yield answer
        finally:
            rt.close()


def evidence_from(questions: Sequence[Question]) -> Mapping[str, list[tuple[str, float]]]:
    learned: dict[str, list[tuple[str, float]]] = {}
    for text, labels, _kind, _split in questions:
        if labels:
            learned.setdefault(labels[0], []).append((text, 1.0))
    return learned


# (name, how a customer wraps the question, do no-answer questions take part). The story
# probes change what the question is about for a no-answer question, so only labelled ones.
PROBES: tuple[tuple[str, str, bool], ...] = (
    ("greeting first: `안녕하세요 수고 많으십니다. …`", "안녕하세요 수고 많으십니다. {}", True),
    (
        "thanks last: `… 빠른 답변 부탁드려요. 감사합니다!`",
        "{} 빠른 답변 부탁드려요. 감사합니다!",
        True,
    ),
    (
        "both: `안녕하세요~ 다름이 아니라 … 확인 부탁드립니다 ㅠㅠ 감사합니다`",
        "안녕하세요~ 다름이 아니라 {} 확인 부탁드립니다 ㅠㅠ 감사합니다",
        True,
    ),
    ("story first: `지난주에 오메가3 주문했는데 …`", "지난주에 오메가3 주문했는데 {}", False),
    ("story first: `어제 택배 받았는데요. …`", "어제 택배 받았는데요. {}", False),
    ("story first: `엄마 선물로 사려고 하는데 …`", "엄마 선물로 사려고 하는데 {}", False),
)


def misses(index: FaqIndex, questions: Sequence[Question]) -> list[str]:
    out = []
    for text, labels, kind, _split in questions:
        slugs = [hit.slug for hit in index.answer(text)]
        if labels and (not slugs or slugs[0] not in labels):
            out.append(f"  [{kind}] {text!r}: want {'/'.join(labels)}, got {slugs}")
        if not labels and slugs:
            out.append(f"  [{kind}] {text!r}: want nothing, got {slugs}")
    return out


def _pct(value: float | int) -> str:
    return f"{float(value) * 100:.1f}"


# Splits tuning may read (their misses, via --misses) and the index is taught as evidence.
# hard-final-3 to -7 were held out in rounds 4 to 8: all spent; hard-dev-4 was
# written in round 5 to tune on, hard-dev-8 in round 8 (after hard-final-7: named services);
# hard-final-8 and -9 were held out in rounds 9 and 10, spent too; hard-dev-11 was written in
# round 11 to tune the off-topic gate on (off-topic questions over everyday domains, each with a
# "domain", and labelled questions using the same words our way).
TAUGHT = (
    "hard-tune",
    "hard-tune-2",
    "hard-final",
    "hard-final-2",
    "hard-final-3",
    "hard-dev-4",
    "hard-final-4",
    "hard-final-5",
    "hard-final-6",
    "hard-final-7",
    "hard-dev-8",
    "hard-final-8",
    "hard-final-9",
    "hard-dev-11",
    "hard-dev-12a",
    "hard-dev-12b",
    "hard-dev-13",
    "hard-final-10",
    "hard-final-11",
    "hard-final-12",
    "hard-dev-14a",
    "hard-dev-14b",
    "hard-dev-15a",
    "hard-dev-15b",
    "hard-final-13",
    "hard-final-13b",
    "hard-final-14",
    "hard-dev-16a",
    "hard-dev-16b",
    "hard-dev-17",
    "hard-final-15",
    "hard-final-15b",
    "hard-final-16",
    "hard-dev-18a",
    "hard-dev-18b",
    "hard-final-17",
    "hard-final-17b",
    "hard-final-18",
    "hard-dev-19a",
    "hard-dev-19b",
    "hard-final-19",
    "hard-final-19b",
    "hard-final-20",
    "hard-dev-20a",
    "hard-dev-20b",
    "hard-final-21",
    "hard-final-21b",
    "hard-final-22",
    "hard-dev-21a",
    "hard-dev-21b",
    "hard-final-23",
    "hard-final-23b",
    "hard-final-24",
    "hard-final-25",
    "hard-final-25b",
    "hard-final-26",
    "hard-dev-22a",
    "hard-dev-22b",
    "hard-dev-23a",
    "hard-dev-23b",
    "hard-final-27",
    "hard-final-27b",
    "hard-final-28",
    "hard-dev-24a",
    "hard-dev-24b",
    "first-dev",
    "first-test",
)
# hard-final-10 was held out in rounds 11-13 and spent after them (its misses read in round 14).
# hard-final-11 was held out in round 14 and spent after it (its misses read in round 15).
# hard-final-12 was held out in round 15 and spent after it (its misses read after the round).
# hard-dev-14a (330 labelled, weighted to colloquial, typo and spacing) and hard-dev-14b (off-topic
# over 59 domains, named, nonsense, empty, and labelled contrast questions) were written for round
# 16 by two sessions that read only the articles, filtered against hard-final-13 with
# faq_near_duplicates.py --drop-near (0 and 5 lines dropped); hard-dev-15a (320 labelled: long,
# multi-intent, English, paraphrase) and hard-dev-15b (off-topic over 62 other domains, named,
# nonsense, empty; short, typo and spacing questions) by two more, filtered against both held-out
# splits (1 and 4 lines dropped).
# hard-dev-16a (321 labelled: colloquial, long stories, English paraphrase, short, vocabulary),
# hard-dev-16b (250 no-answer: thanks and praise to an agent, another company's own service,
# off-topic over 66 domains; 105 labelled: thanks before a real question, paying or signing in
# with another service, contrast) and hard-dev-17 (a general mix, 276) were written for round 17
# by three sessions that read only the articles, filtered against round 17's held-out splits
# with faq_near_duplicates.py --drop-near (9, 5 and 14 lines dropped).
# hard-dev-18a (314 labelled: long stories asking at the end, conjugated and irregular verb
# forms, English, colloquial, typo, spacing, short, contrast) and hard-dev-18b (241 no-answer:
# openers, "done" reports, bare order numbers, thanks without a thanks word, couriers' own apps,
# off-topic over 55 domains; 100 labelled contrasts) were written for round 18 by two sessions
# that read only the articles, filtered against round 18's held-out splits with
# faq_near_duplicates.py --drop-near (6 and 9 lines dropped).
# hard-dev-19a (317 labelled: vocabulary, short, dialect, contrasts, long stories, English) was
# written for round 19 by a session that read only the articles, filtered against round 19's
# held-out splits with faq_near_duplicates.py --drop-near (3 lines dropped); hard-dev-19b (247
# no-answer: other companies' services in the shop's words, 40+ everyday domains, empty,
# nonsense; 102 labelled contrasts paired with them) by another, filtered the same way (4).
# hard-dev-20a (labelled: vocabulary, long stories, colloquial, short, contrast, English, multi)
# and hard-dev-20b (no-answer: other companies' services in the shop's words, 40+ everyday
# domains incl. medicine doses, empty, nonsense; labelled contrasts paired with them) were
# written for round 20 by two sessions that read only the articles, filtered against round 20's
# held-out splits with faq_near_duplicates.py --drop-near.
# hard-dev-21a (295 labelled: dialect and casual chat, short lines, older and office words,
# English stories, long stories, multi, contrasts) and hard-dev-21b (252 no-answer: other
# companies' services in the shop's words, medicine, everyday life, praise and thanks in
# Korean and English, nonsense; 99 labelled contrasts paired with them) were written for round
# 21 by two sessions that read only the articles, filtered against round 21's held-out splits
# with faq_near_duplicates.py --drop-near (7 and 1 lines dropped).
# hard-dev-22a (296 labelled: short telegraphic lines, dialect and casual chat, long stories,
# English incl. another service set aside, vocabulary, multi, polite) and hard-dev-22b (242
# no-answer: everyday life over 40+ domains in the shop's words, other companies' own services,
# checks of the chat itself, code; 100 labelled contrasts paired with them) were written for
# round 22 by two sessions that read only the articles, filtered against round 22's held-out
# splits with faq_near_duplicates.py --drop-near (4 and 10 lines dropped).
# hard-dev-24a (319 labelled: rare, slang, loan and office words, ingredient questions, typos
# inside casual endings, English with idioms and stories naming a bank, carrier or gym) and
# hard-dev-24b (247 no-answer over 40+ everyday domains in the shop's words, other companies'
# own services, chat checks and openers; 100 labelled contrasts, asking for a person among them)
# were written for round 24 by two sessions that read only the writers' kit, filtered against
# round 24's held-out splits with faq_near_duplicates.py --drop-near (1 and 3 lines dropped).
# Round 16's held-out splits, three writers' (every earlier round had one: a split of ~100
# labelled questions moves a point per question), each run once before the round on the round-15
# engine (aggregate only) and once after it (--final --http --write); spent by that run, their
# misses read for the round's note; taught in round 17, which wrote its own three first.
# Round 17's held-out splits, three more writers' (see docs/decisions.md "FAQ round 17"): run
# once before the round (aggregate only) and once after it (--final --http --write); spent by
# that run, their misses read for the round's note; taught in round 18, which wrote its own
# three first (hard-final-17, -17b, -18; see docs/decisions.md "FAQ round 18").
# Round 18's held-out splits, the same way: spent by round 18's after-run, taught in round 19,
# which wrote its own three first (hard-final-19, -19b, -20; see docs/decisions.md "FAQ round 19").
# Round 19's held-out splits, the same way: spent by round 19's after-run, taught in round 20,
# which wrote its own three first (hard-final-21, -21b, -22; see docs/decisions.md "FAQ round 20").
# Round 20's held-out splits, the same way: spent by round 20's after-run, taught in round 21,
# which wrote its own three first (hard-final-23, -23b, -24; see docs/decisions.md "FAQ round 21").
# Round 21's held-out splits, the same way: spent by round 21's after-run, taught in round 22,
# which wrote its own three first (hard-final-25, -25b, -26; see docs/decisions.md "FAQ round 22").
# Round 22's held-out splits, the same way: spent by round 22's after-run, taught in round 23,
# which wrote its own three first (hard-final-27, -27b, -28; see docs/decisions.md "FAQ round 23").
# Round 23's held-out splits, the same way: spent by round 23's after-run, taught in round 24,
# which wrote its own three first (hard-final-29, -29b, -30; see docs/decisions.md "FAQ round 24").
HELD_OUT = "hard-final-29"
HELD_OUT_SPLITS = (HELD_OUT, "hard-final-29b", "hard-final-30")
# Round 13's check of transfer: a third writer's questions (labelled and no-answer), never
# read line by line, run with --check (aggregate only) before and after the round's changes
# (92.3 / 95.9 / 103 of 137 -> 92.0 / 95.3 / 105; "FAQ round 13" in docs/decisions.md); then
# taught. Round 12's was hard-dev-12b.
CHECK = "hard-dev-13"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--final", action="store_true", help=f"add the held-out {', '.join(HELD_OUT_SPLITS)}"
    )
    parser.add_argument("--write", action="store_true", help='rewrite "## FAQ answers"')
    parser.add_argument("--http", action="store_true", help="also via GET /api/v1/faq/suggest")
    parser.add_argument("--misses", action="store_true", help="list the tuning-split misses")
    parser.add_argument("--check", action="store_true", help=f"add {CHECK} (aggregate only)")
    args = parser.parse_args()
    articles = default_articles()
    questions = load()
    splits = [s for s in TAUGHT if any(q[3] == s for q in questions)]
    if args.final:
        splits += list(HELD_OUT_SPLITS)
    if args.check and CHECK not in TAUGHT:
        splits += [CHECK]
    plain = FaqIndex(articles)
    teach = [q for q in questions if q[3] in TAUGHT]
    learned = FaqIndex(articles, evidence=evidence_from(teach))
    http_cols = " | HTTP: top-1 | HTTP: top-3 | HTTP: silent" if args.http else ""
    rows = [
        "| split | questions | top-1 | top-3 | no-answer questions answered with nothing "
        f"| learned: top-1 | learned: top-3 | learned: silent{http_cols} |",
        "|---|---|---|---|---|---|---|---" + ("|---|---|---" if args.http else "") + "|",
    ]
    with contextlib.ExitStack() as stack:
        via_http = stack.enter_context(http_answerer()) if args.http else None
        for split in splits:
            part = [q for q in questions if q[3] == split]
            a, b = score(plain, part), score(learned, part)
            mark = " (tuning; taught)" if split in TAUGHT else " (held out)"
            row = (
                f"| {split}{mark} | {a['n']} + {a['neg']} | {_pct(a['top1'])} "
                f"| {_pct(a['top3'])} | {a['silent']}/{a['neg']} | {_pct(b['top1'])} "
                f"| {_pct(b['top3'])} | {b['silent']}/{b['neg']}"
            )
            if via_http is not None:
                c = score(via_http, part)
                row += f" | {_pct(c['top1'])} | {_pct(c['top3'])} | {c['silent']}/{c['neg']}"
            rows.append(row + " |")
    probe_rows = [
        "| probe (tuning questions, rewrapped) | questions | top-1 | top-3 "
        "| no-answer questions answered with nothing |",
        "|---|---|---|---|---|",
    ]
    for name, wrap, negatives in PROBES:
        part = [
            (wrap.format(text), labels, kind, split)
            for text, labels, kind, split in teach
            if labels or negatives
        ]
        a = score(plain, part)
        silent = f"{a['silent']}/{a['neg']}" if negatives else "-"
        probe_rows.append(
            f"| {name} | {a['n']} + {a['neg']} | {_pct(a['top1'])} | {_pct(a['top3'])} | {silent} |"
        )
    kinds = Counter(q[2] for q in questions if q[3].startswith("hard"))
    lines = [
        HEADING,
        "",
        "Written by `bench/faq_learning.py --final --http --write`; edit the prose in that "
        "script, not here.",
        "",
        f"- Machine: {platform.machine()}, Python {platform.python_version()}; the figures are "
        "counts, not timings (load average irrelevant; "
        f"{os.getloadavg()[0]:.1f} at the time).",
        f"- Data: {len(articles)} articles; `bench/faq_hard.jsonl` "
        f"({sum(kinds.values())} questions: "
        + ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds))
        + '), and the first set `bench/faq_eval.jsonl` (see "FAQ search").',
        "- Method: `FaqIndex.answer(q)` (ranking + no-match gate), as the widget and "
        '`GET /api/v1/faq/suggest` call it. "n + m" = labelled + no-answer questions.',
        "",
        *rows,
        "",
        *probe_rows,
        "",
        *PROSE,
    ]
    section = "\n".join(lines)
    print(section)
    if args.misses:
        print("\n### tuning-split misses")
        print("\n".join(misses(plain, [q for q in questions if q[3] in TAUGHT])))
    if args.write:
        write_section(section)


PROSE = """**Held-out figures, every round** (top-1 / top-3 / no-answer questions silent; each split
run once before its round's tuning where a figure is given, and once after; HTTP identical
wherever it was run, rounds 5 to 8):

| held-out split | round | questions | before the round's tuning | after it |
|---|---|---|---|---|
| hard-tune-2 (then "heldout") | 1 | 59 + 16 | - | 79.7 / 86.4 / 15 of 16 |
| hard-final | 2 | 98 + 20 | - | 84.7 / 94.9 / 17 of 20 |
| hard-final-2 | 3 | 98 + 20 | - | 90.8 / 98.0 / 20 of 20 |
| hard-final-3 | 4 | 110 + 20 | 83.6 / 92.7 / 18 of 20 | 85.5 / 90.9 / 19 of 20 |
| hard-final-4 | 5 | 74 + 20 | 81.1 / 89.2 / 18 of 20 | 78.4 / 86.5 / 18 of 20 |
| hard-final-5 | 6 | 61 + 15 | 85.2 / 95.1 / 11 of 15 | 85.2 / 95.1 / 11 of 15 |
| hard-final-6 | 7 | 116 + 21 | 82.8 / 90.5 / 13 of 21 | 82.8 / 90.5 / 13 of 21 |
| hard-final-7 | 8 | 85 + 26 | 92.9 / 98.8 / 10 of 26 | 92.9 / 98.8 / 23 of 26 |
| hard-final-8 | 9 | 75 + 20 | 93.3 / 97.3 / 16 of 20 | 98.7 / 98.7 / 16 of 20 |
| hard-final-9 | 10 | 55 + 30 | 96.4 / 98.2 / 17 of 30 | 96.4 / 98.2 / 19 of 30 |
| hard-final-10 | 11-13 | 97 + 45 | 87.6 / 93.8 / 22 of 45 | 91.8 / 95.9 / 31 of 45 |
| hard-final-11 | 14 | 93 + 45 | 82.8 / 86.0 / 34 of 45 | 82.8 / 87.1 / 36 of 45 |
| hard-final-12 | 15 | 103 + 45 | 77.7 / 81.6 / 36 of 45 | 77.7 / 80.6 / 38 of 45 |
| hard-final-13 | 16 | 105 + 45 | 81.9 / 87.6 / 32 of 45 | 85.7 / 91.4 / 40 of 45 |
| hard-final-13b | 16 | 105 + 45 | 89.5 / 93.3 / 31 of 45 | 91.4 / 95.2 / 37 of 45 |
| hard-final-14 | 16 | 140 + 60 | 80.0 / 83.6 / 40 of 60 | 82.9 / 87.9 / 54 of 60 |
| hard-final-15 | 17 | 105 + 45 | 91.4 / 96.2 / 42 of 45 | 94.3 / 97.1 / 45 of 45 |
| hard-final-15b | 17 | 104 + 43 | 93.3 / 95.2 / 40 of 43 | 97.1 / 98.1 / 41 of 43 |
| hard-final-16 | 17 | 135 + 57 | 86.7 / 88.9 / 53 of 57 | 90.4 / 92.6 / 54 of 57 |
| hard-final-17 | 18 | 105 + 45 | 97.1 / 98.1 / 42 of 45 | 98.1 / 98.1 / 43 of 45 |
| hard-final-17b | 18 | 103 + 41 | 89.3 / 91.3 / 39 of 41 | 89.3 / 90.3 / 39 of 41 |
| hard-final-18 | 18 | 132 + 53 | 89.4 / 90.9 / 49 of 53 | 90.9 / 92.4 / 50 of 53 |
| hard-final-19 | 19 | 110 + 45 | 94.5 / 94.5 / 44 of 45 | 94.5 / 94.5 / 44 of 45 |
| hard-final-19b | 19 | 103 + 43 | 96.1 / 98.1 / 41 of 43 | 98.1 / 100.0 / 41 of 43 |
| hard-final-20 | 19 | 130 + 46 | 92.3 / 93.1 / 44 of 46 | 93.1 / 93.1 / 44 of 46 |
| hard-final-21 | 20 | 130 + 46 | 96.9 / 97.7 / 45 of 46 | 97.7 / 98.5 / 46 of 46 |
| hard-final-21b | 20 | 130 + 45 | 95.4 / 96.2 / 41 of 45 | 95.4 / 96.2 / 41 of 45 |
| hard-final-22 | 20 | 129 + 39 | 94.6 / 96.1 / 37 of 39 | 95.3 / 96.1 / 37 of 39 |
| hard-final-23 | 21 | 130 + 46 | 94.6 / 94.6 / 44 of 46 | 95.4 / 95.4 / 44 of 46 |
| hard-final-23b | 21 | 130 + 46 | 96.9 / 97.7 / 45 of 46 | 96.9 / 97.7 / 46 of 46 |
| hard-final-24 | 21 | 130 + 46 | 96.9 / 97.7 / 43 of 46 | 96.9 / 97.7 / 44 of 46 |
| hard-final-25 | 22 | 130 + 46 | 95.4 / 97.7 / 45 of 46 | 96.9 / 98.5 / 45 of 46 |
| hard-final-25b | 22 | 130 + 46 | 96.9 / 97.7 / 45 of 46 | 96.9 / 97.7 / 45 of 46 |
| hard-final-26 | 22 | 130 + 46 | 96.2 / 97.7 / 43 of 46 | 96.2 / 97.7 / 43 of 46 |
| hard-final-27 | 23 | 130 + 46 | 99.2 / 99.2 / 46 of 46 | 99.2 / 99.2 / 46 of 46 |
| hard-final-27b | 23 | 130 + 46 | 98.5 / 99.2 / 46 of 46 | 99.2 / 100.0 / 46 of 46 |
| hard-final-28 | 23 | 130 + 46 | 93.8 / 94.6 / 46 of 46 | 93.8 / 94.6 / 46 of 46 |
| hard-final-29 | 24 | 130 + 46 | 96.9 / 96.9 / 46 of 46 | 96.9 / 96.9 / 46 of 46 |
| hard-final-29b | 24 | 130 + 46 | 97.7 / 98.5 / 45 of 46 | 97.7 / 98.5 / 45 of 46 |
| hard-final-30 | 24 | 130 + 46 | 97.7 / 98.5 / 45 of 46 | 97.7 / 98.5 / 45 of 46 |

**Held-out discipline, in seven rounds.** `bench/faq_hard.jsonl` was written and
committed (9e1dc41) before any change to the engine it measures: long, colloquial, vocabulary the
articles lack, typos, no spacing, multi-intent questions (two labels each), and questions
that must get no answer (nonsense such as `'; DROP TABLE users; --`, empty-meaning such as
`안녕하세요`, `ㅇㅇ`, off-topic such as the weather, another shop's phone prices, walking a
dog). Every other line was held out. Round 1 tuned on `hard-tune` (its misses only) and then
read the held-out split's aggregate once: top-1 79.7, top-3 86.4, 15 of 16 no-answer
questions silent — short of the aim. That split was then spent: a second held-out split
(`hard-final`, 118 questions, same kinds, new wording) was written and committed (ada1ed9)
before the first held-out split's misses were read, and round 2 tuned on both old splits
(`hard-tune-2` is the former held-out half). `hard-final` was run once: top-1 84.7, top-3
94.9, 17 of 20 silent. Round 3 wrote and committed a third held-out split (`hard-final-2`,
985b08f) before reading `hard-final`'s misses, tuned on all earlier splits, and ran
`hard-final-2` once: top-1 90.8, top-3 98.0, 20 of 20 silent.

Round 4 (2026-12-05) first wrote a fourth held-out split, `hard-final-3` (130 questions: 110
labelled, 20 that must get no answer), harder than the others and written from the customer
center's reality (the seed articles and the center's description), not from any split's
misses: long questions of 2-4 sentences, colloquial and abbreviated (`교환ㄱㄴ?`, `환불됨?`,
`무배 기준 얼마임?`), typos, no spacing, English and mixed, and multi-intent questions that
carry ONE label, the article answering the main request (earlier splits accepted either of
two). It was committed alone (dacf944) before any change, and run once untuned, aggregate
only: top-1 83.6, top-3 92.7, 18 of 20 silent. Tuning then read only the older splits'
misses (`hard-tune`, `hard-tune-2`, `hard-final`, `hard-final-2`, the first set's dev and,
from this round on, test) and the probes below, which rewrap those same questions;
`hard-final-3` was run once more at the end, for the table above. Its misses were not read
before that run. Before this round the tuning splits scored (top-1 / top-3, all of them
together) 93.9 / 98.5 with 71 of 72 no-answer questions silent; the probes 72.8 (story
`지난주에 … 주문했는데`), 86.6 (`어제 택배 받았는데요.`) and 92.3 (`엄마 선물로…`) top-1,
and a greeting or a thank-you around a no-answer question let 8 and 15 of 72 through (65
of 72 with both).

Round 5 (2026-12-05, later the same day) spent `hard-final-3` (its misses had been read for
round 4's report; it is a tuning split now) and first wrote a fifth held-out split,
`hard-final-4` (94 questions: 74 labelled, 20 that must get no answer), committed alone
(a8cba6a) before any change: short colloquial one-liners (16), English (15), vocabulary the
articles lack (11), colloquial (11), long (7), multi-intent (5; one label unless both
requests weigh the same), typos, no spacing, mixed, and 5 nonsense, 6 empty-meaning and 9
off-topic questions, some of them sharing a word with an article. It was written from the
articles, not from any split's misses, and run once untuned, aggregate only (d9a9254): top-1
81.1, top-3 89.2, 18 of 20 silent, identical through `GET /api/v1/faq/suggest`. Tuning then
read only the tuning splits: the older ones, the spent `hard-final-3`, and a new dev split
`hard-dev-4` (134 labelled + 30 no-answer, written after `hard-final-4` in two batches, each
committed before its misses were read: short colloquial one-liners, verbs, vocabulary
paraphrases, English, off-topic questions sharing one word). No vocabulary was taken from
`hard-final-4`'s wording; one dev miss's word that `hard-final-4` also uses (영수증) was left
out rather than risk it. `hard-final-4` was run once more at the end of round 5 (70f89b5,
with `--http`): top-1 78.4, top-3 86.5, 18 of 20 silent, HTTP identical.

Round 6 (same day) followed because round 5 made the held-out split worse. `hard-final-4` was
spent by that run; a sixth held-out split, `hard-final-5` (76 questions: 61 labelled, 15 that
must get no answer: short colloquial 17, colloquial 16, English 14, vocabulary, spacing,
typos, multi-intent, mixed, and 3 nonsense, 4 empty-meaning, 8 off-topic), was written and
committed alone (784180e) after that run and before `hard-final-4`'s misses were read. It was
run once before any round-6 change, aggregate only: the round-5 engine 85.2 / 95.1 / 11 of 15
silent, the engine before round 5 (d9a9254) 86.9 / 95.1 / 11 of 15 — round 5 did not help on
fresh questions either. Round 6 then tuned on every earlier split, `hard-final-4` included,
and ran `hard-final-5` once more at the end, for the table above (with `--http`: the HTTP
columns are what the independent set sees).

Round 7 (same day) wrote `hard-final-6` first (137 questions: 116 labelled, 21 that must get no
answer: vocabulary 19, long 15, colloquial 15, typos 15, English 15, spacing 14, mixed 9,
short 6, multi-intent 6, abbreviations 2, and 4 nonsense, 5 empty-meaning, 12 off-topic, 8 of
those another shop's or service's order, refund, password or subscription), from the articles
and without reading any earlier split's questions; 14 lines came out word for word like
earlier splits' questions and were reworded before the commit (b2f3a12). It was run once
untuned, aggregate only: 82.8 / 90.5 / 13 of 21. The round's lever did not come from misses:
synonyms proposed offline by kiwipiepy's CoNg model (`scripts/faq_vocabulary.py`, reviewed on
meaning, written to `inbox/faq/vocabulary.json`; no kiwipiepy at run time) and the missing
inflections of the hand-written verb synonyms. `hard-final-6` was then run once more, for the
table above, and its misses were read only after that run (this prose was added afterwards
and the section re-rendered: same engine, same figures).

**What tuning changed**, all in `inbox/faq/`: (1) a no-match gate (`FaqIndex.answer`): a
best hit scoring under 8 must cover at least 35 % of the question's content (Hangul
syllables inside matching 2-/3-grams, English content words), nothing under 3 is ever shown
— both thresholds read off the tuning split's score/coverage table; (2) greetings and
"I have a question" phrases (안녕하세요, 문의드립니다, 질문…) dropped like question
scaffolding; (3) `synonyms.py`, words customers use for the articles' words (환급→환불,
철회→취소, 해지→탈퇴, 암호→비밀번호, 오더→주문…), folded on both sides; (4) clause
splitting (`split_clauses`): each article scores its best clause plus half its whole-message
score; (5) keywords added for tuning misses (IU/mg content, 배송 현황, 재입고, 당일 출고,
추가 요금, 새벽/상담 시간, wrong size...). Round 3: (6) a typo fixer (`TypoFixer`): a Hangul
syllable found nowhere in the articles is replaced by the syllable one jamo away that
completes a whole title/keyword word (반풍→반품, 췌소→취소, 고객샌터→고객센터), never a real
word; the gate lets a corrected question vouch only when its article covers 30 % of it; (7) a
score band in the gate: a score of 8-12 must also cover more than a quarter of the question;
(8) more synonyms (배달→배송, 화물→택배, 수취→수령, 실종→분실, 구입→구매).
Round 4: (9) **main-intent weighting** (`clause_weights`): in a message of several clauses,
a clause that sounds like a request (…주세요, …싶어요, 어떻게, …나요/까요, 가능, ㄱㄴ, ?,
how/can/please…) counts fully and background clauses count 0.3; when none sounds like a
request the last clause is taken for it (Korean asks last), and a request that reaches no
article by itself (score under 8: "이거 맘에 안 드는데 어떻게 해야 하나요?") leaves the story
at full weight. Flat on the tuning splits between 1.0 and 0.3; on the story probes it took
`지난주에 … 주문했는데 …` from 72.8 to 92.3 top-1 (that story fully covers the
order-history keyword 지난 주문). (10) **Greetings and thanks are not clauses**: a clause with
no content left after scaffolding is dropped, and a multi-clause score is divided by 1.5, back
on the one-clause scale the gate's thresholds were read on (any second clause lifted a score
by half, past the gate). Politeness is scaffolding (빠른 답변, 확인 부탁, 부탁드려요, 수고
많으십니다, and the answers' honorific …해 드려요, whose n-grams matched 부탁드려요). With
these, no wrapped no-answer question is answered. (11) **Words split by the customer's space**
(`FaqIndex._query_terms`): spaces are removed so misspaced questions match, but a Hangul 2-/3-
gram that straddles a space the customer typed and that the articles use inside one word counts
0.3 ("고양이 사료" → 이사, the moving keyword: an off-topic question scored 15 with the
address article); n-grams across a phrase's own space (주문 상태 → 문상) keep their weight.
(12) "수 있" ("할 수 있나요") is scaffolding. (13) Vocabulary from the tuning splits' misses:
keywords 결제 내역/목록/이력, 뭐 샀는지, 접수 여부, 환불 며칠/얼마나 걸려요, 구매 취소, 이메일
주소 변경 (the compound 이메일주소변경 read as address change: 주소 변경 covered it fully),
재고 언제 들어와요; synonyms 정정/업데이트→수정, 미도착→도착 안 함, 과거/저번→지난,
돌려드리→반품하, 돈 다시 받→환불 받, 물러주→환불해주, 회원이 되→회원가입하. Tried and
dropped: analysing keywords word by word for the coverage bonus (three more no-answer
questions answered, two fewer top-1), splitting at every polite sentence end …요 (two fewer
top-1), and letting the gate judge the best clause's coverage (a few story-probe answers
gained at 50 % coverage, but wrapped no-answer questions answered at 35 %: too close).
Round 5: (14) **verbs customers use** for the articles' nouns, in `synonyms.py`: 바꾸다 →
변경 (folded to 수정 like 변경), 시키다 and 주문(을) 넣다 → 주문, 반납/리턴 → 반품, "get
here"/"get to me" → arrive; (15) **주문한 is folded to 주문**: the missing-parcel title "주문한
상품이 아직 안 왔어요" was the only text with 주문한, so every "주문한 거 …" question leaned
to it; (16) **everyday endings are not typos**: the typo fixer had been "correcting" 봐요 to
와요 (the delivery keyword 언제 와요) in 7 tuning questions, 완전히 to 완전화, 갔는지 to
샀는지; common verb endings and adverbs joined `words.py`; (17) **"…할 수 있나요" is removed
whole**: removing 있나요 first left 수, and 수정+수 matched the address title "배송지를 바꿀 수
있나요" in every "…바꿀 수 있나요"; (18) **acknowledgements are scaffolding** (좋아요, 그렇군요,
알았어요): "좋아요" matched the missing-parcel answer's "확인해 보시면 좋아요" in full; (19)
keywords for `hard-dev-4`'s misses (하루 권장량, 몇 개 먹어요, 유통기한 얼마나 남았나요, 닉네임
변경, 환불 진행 상황/처리, 카드 취소, 수량 늘리기/줄이기, 구매 기록, stuck in transit, send it
to a different address) and 폰번 → 휴대폰 번호. Over the same tuning questions (all tuning
splits together, before → after round 5): top-1 94.3 → 97.6, top-3 97.3 → 99.0, no-answer
questions silent 115 → 116 of 122; `hard-dev-4` alone 88.1 / 94.8 / 24 of 30 → 97.8 / 98.5 /
25 of 30; `hard-final-3` 85.5 / 90.9 → 91.8 / 96.4. Tried and dropped: judging coverage on
keywords and titles only (answers left out): more labelled questions refused than no-answer
ones silenced, at every threshold tried; leaving word-final particles (을/를/로/에서…) out of
coverage: no change; removing scaffolding longest first: no top-1 change, but 14 more
politeness-wrapped no-answer questions answered (부탁드립니다 went before 확인 부탁, leaving
확인); "알려 주세요"/"궁금해요" as scaffolding: no change on the tuning splits, so not kept; a
higher floor score (4-5.5): one labelled question lost per no-answer question silenced.
Round 6, from `hard-final-4`'s misses (read after its last run; most were silences on plain
everyday verbs): (20) 어떻케/어떠케/어뜨케/어캐 are 어떻게, i.e. scaffolding ("반퓸 접수
어떻케 해요" was refused: 어떻케 counted as content nobody covers); (21) verbs: 돌려받다 →
환불받다, 돌려보내다 → 반품하다, 지우다 → 삭제하다, 샀던/샀는데 → 구매, 두 번 주문 → 중복 주문,
금이 가다 → 깨지다; (22) acknowledgements 확인했어요, 네네; (23) keywords 동물성, 식물성 캡슐,
옆집, soy, shellfish, nuts, does it contain. All tuning splits together (`hard-final-4`
included): 95.7 / 97.8, 134 of 142 silent → 96.8 / 99.0, 135 of 142; `hard-final-4` alone 78.4 /
86.5 / 18 of 20 → 89.2 / 97.3 / 19 of 20. Tried and dropped: -어 버리다 as scaffolding, or
folded to the plain past ("주소를 … 적어버렸어요" meets the password title "잊어버렸어요" on
어버렸어요): it fixed that question and broke "비밀번호도 잊어버렸고…"; 샀 → 구매했 everywhere
(the `지난주에 … 주문했는데` probe lost 4 points; 샀던/샀는데 kept); numbers left out of
coverage (two more no-answer questions answered, nothing gained).

Round 7: (24) **vocabulary from a language model, not from misses**
(`inbox/faq/vocabulary.json`, written by `scripts/faq_vocabulary.py`): for every content
morpheme of the Korean titles, keywords and answers, kiwipiepy 0.24's CoNg model proposes its
nearest morphemes; a proposal needs similarity ≥ 0.6, a mutual neighbourhood (top 20 both
ways), two syllables or more, a noun or verb, and a word no article has; then a review on
meaning alone (`scripts/faq_vocabulary_review.json`): 37 of 215 accepted (까먹다 → 잊어버리다,
핸드폰/스마트폰 → 휴대폰, 상담사 → 상담원, 후유증 → 부작용, 마시다 → 먹다, 리스트 → 목록, 지체 →
지연, 세관 → 통관, 추석 → 명절…), the rest rejected as different things (아침 → 새벽),
opposites (판매 → 구매), homonyms in this shop (당도 sweetness → 도착, 지방 fat → 지역) or
words already containing the target. Verbs are written as the surface forms kiwipiepy's
`join` generates (까먹었 → 잊어버렸). Below 0.6 about one proposal in 70 would pass review.
(25) **Paradigms**: the hand-written verb synonyms' missing inflections, generated the same
way (시키고/시킴 → 주문하고/주문함, 지웠 → 삭제했, 고쳐 → 수정해; 21 folds). (26) Fold targets are
settled through the table (a target that is itself a variant is folded once more), so chained
entries meet. Tuning splits together: 95.9 / 98.7 / 146 of 157 → 95.9 / 98.8 / 145 of 157
(one off-topic question, "파이썬 리스트 정렬하는 법", now meets 목록). Tried and dropped:
lemma folding of the articles' own verbs (걸려/걸렸 → 걸리, 들어간 → 들어가; `--lemmas`): alone
95.9 / 98.4 / 145, with the rest 96.0 / 98.6 / 144 — it strengthens everyday verbs
(들어가, 보내) that off-topic questions share.

**Learning.** The "learned" columns show the same questions after the index took the
tuning/dev questions as evidence (what agents' inserts and visitors' "solved it" clicks
store, `inbox/faq/evidence.py`). The taught rows are not a result (those very questions were
taught); the held-out row is: phrasings taught by other customers carrying over. Evidence
weights (0.3 of a keyword in the ranking and in the coverage bonus) were chosen by teaching
one half of the tuning split and measuring the other, both ways. Its value is vocabulary no
article has (tests/inbox/faq/test_learning.py); where keywords already answer, learned
phrasings must not outvote them. The gate judges the curated article only; a learned phrasing
vouches just for a near-repeat of itself (60 % of content n-grams shared both ways).

**Result of round 24: nothing moved on the held-out splits.** Round 24 taught round 23's spent
splits, then had three more article-only sessions write held-out splits (`hard-final-29`, `-29b`,
`-30`: 390 labelled and 138 no-answer questions, round 23's kinds and counts, each checked against
every earlier question and its own lines until 0 were near) and two more write tuning splits
(`hard-dev-24a`: 319 labelled, weighted to rare, slang, loan and office words, ingredient
questions, typos inside casual endings and English idioms; `hard-dev-24b`: 247 no-answer
questions and 100 labelled contrasts; 1 and 3 lines near a held-out line dropped). Each held-out
split was run once, aggregate only, before any change (together 97.4 / 97.9 / 136 of 138). Three
tuners worked on the tuning splits only: Korean openers, connection checks and everyday errands;
Korean rare words (락토프리, 할랄 인증, 리스톡, 정회원 전환, 마일리지 of our membership, 결제 후
무소식); English idioms, ingredients and other parties' errands (back out of, ditch one, dig up,
bovine gelatin; a laptop's BIOS, a visa, a LINE account). The lead lowered the trust given to the
ranker when the index agrees from P 0.85 to 0.75 (on 65 folds: 13 more labelled questions answered,
all at first rank, no silence lost; in sample it answers two taught chat checks, see the docs).
Out of sample on the tuning splits before they were taught,
34 of 666 questions missed → 2. The lead re-taught the ranker and the veto (10,647 phrasings,
3,938 no-answer questions). One run after, identical through HTTP: **`hard-final-29` 96.9 / 96.9 /
46 of 46, `hard-final-29b` 97.7 / 98.5 / 45 of 46 and `hard-final-30` 97.7 / 98.5 / 45 of 46,
before and after.** Together: first rank 97.4 % (aim ≥ 92: met), top 3 97.9 % (aim ≥ 98: not
met, 382 of 390 where 383 is needed), silent 136 of 138 (aim: all; not met). The misses, read
after the run, are in docs/decisions.md ("FAQ round 24: the lead's part").

**Result of round 23: every no-answer question silent; top 3 again one question short.** Round 23
taught round 22's spent splits, then had three more article-only sessions write held-out splits
(`hard-final-27`, `-27b`, `-28`: 390 labelled and 138 no-answer questions, round 22's kinds and
counts, each checked against every earlier question and its own lines until 0 were near) and two
more write tuning splits (`hard-dev-23a`: 311 labelled, weighted to office words, contrasts with
weather, banks and couriers, short lines and English; `hard-dev-23b`: 250 no-answer questions,
chat checks and openers among them, and 98 labelled contrasts; 6 and 3 lines near a held-out line
dropped). Each held-out split was run once, aggregate only, before any change (together 97.2 /
97.7 / 138 of 138). Three tuners worked on the tuning splits only: English both ways (checks
whether anyone reads the chat, foreigners' errands such as ATMs, SIM top-ups and EMS, a payment
app's or messenger's own workings, another store named only to compare); Korean chat checks,
openers and other parties' errands (연결된 상태 맞죠, 제 글 보이시나요, 찾아보고 다시 말씀드릴게요,
a delivery rider's mistake, 공동인증서, 소액결제; a greeting to the agent before the question is
no word of it); Korean office words folded as families (탈회, ID 신규 발급, 멤버십 신청, 번지수,
오기재, 용법·용량, a change in the number of tubs, 민원 창구). The lead made a question that is
exactly one article's keyword or title rank that article first. Out of sample on the tuning
splits before they were taught, 48 of 659 questions missed → 11. The lead re-taught the ranker and
the veto (9,786 phrasings, 3,553 no-answer questions). One run after, identical through HTTP:
**`hard-final-27` 99.2 / 99.2 / 46 of 46 → 99.2 / 99.2 / 46; `hard-final-27b` 98.5 / 99.2 / 46
of 46 → 99.2 / 100.0 / 46; `hard-final-28` 93.8 / 94.6 / 46 of 46 → 93.8 / 94.6 / 46.** Together:
first rank 97.2 → 97.4 % (aim ≥ 92: met), top 3 97.7 → 97.9 % (aim ≥ 98: not met, 382 of 390
where 383 is needed), silent 138 → 138 of 138 (aim: all; met on this round's splits, before and
after). The misses, read after the run, are in docs/decisions.md ("FAQ round 23: the lead's
part").

**Result of round 22: top 3 one question short of the aim.** Round 22 taught round 21's spent
splits, then had three more article-only sessions write held-out splits (`hard-final-25`,
`-25b`, `-26`: 390 labelled and 138 no-answer questions, with round 21's kinds and counts; each
writer ran the near-duplicate check against every earlier question and its own lines until 0
were near) and two more write tuning splits (`hard-dev-22a`: 296 labelled, weighted to short
telegraphic lines, dialect, long stories and English that sets another service aside;
`hard-dev-22b`: 242 no-answer questions and 100 labelled contrasts; 4 and 10 lines near a
held-out line dropped). Each held-out split was run once, aggregate only, before any change
(together 96.2 / 97.7 / 133 of 138). Three tuners worked on the tuning splits only: Korean word
families the gate and the veto silenced (맹글다, 먹힌 주문, N째 감감, 프리 배송, 트래킹 코드,
회원 등재, 매입 이력, 제형); English both ways (withdraw, void, amend, ring somebody; "instead
of", "rather than" and "not asking about" set a name aside; a switch away and a name inside an
email address are stories; bare English requests take the story's foreign thing; chat checks);
Korean silence rules both ways (a change asked of our account after a story about another
company is ours; tax refunds, symptoms, a courier's status told alone, checks of the chat
itself and C code get no answer). Out of sample on the tuning splits before they were taught:
90.9 / 92.7 / 231 of 242 → 99.0 / 99.7 / 242 of 242. The lead re-taught the ranker and the veto
(8,932 phrasings, 3,165 no-answer questions). One run after, identical through HTTP:
**`hard-final-25` 95.4 / 97.7 / 45 of 46 → 96.9 / 98.5 / 45; `hard-final-25b` 96.9 / 97.7 / 45
of 46 → 96.9 / 97.7 / 45; `hard-final-26` 96.2 / 97.7 / 43 of 46 → 96.2 / 97.7 / 43.**
Together: first rank 96.2 → 96.7 % (aim ≥ 92: met), top 3 97.7 → 97.9 % (aim ≥ 98: not met,
382 of 390 where 383 is needed), silent 133 → 133 of 138 (aim: all; not met). The misses, read
after the run, are in docs/decisions.md ("FAQ round 22: the lead's part").

**Result of round 21: the same picture on three more fresh splits.** Round 21 taught round 20's
spent splits, then had three more article-only sessions write held-out splits (`hard-final-23`,
`-23b`, `-24`: 390 labelled and 138 no-answer questions; each writer ran the near-duplicate check
against every earlier question and its own lines until 0 were near) and two more write tuning
splits (`hard-dev-21a`: 295 labelled, weighted to dialect, short lines, older and office words
and English stories; `hard-dev-21b`: 252 no-answer questions, other companies' services in the
shop's words, medicine, praise in Korean and English, code, and 99 labelled contrasts; 7 and 1
lines near a held-out line dropped). Each held-out split was run once, aggregate only, before
any change (together 96.2 / 96.7 / 132 of 138). Three tuners worked on the tuning splits only:
English closings, English names of other companies and English everyday topics, "you" as the
shop (`inbox/faq/english.py`); Gyeongsang and Jeolla question endings and older and office words
folded as families (있노, 있당가, 부치는 삯, 오리무중, 대표번호); Korean messages sent by
mistake, holiday wishes, code, a courier's own site used to track our parcel, device locks,
injections, legality and posting abroad. The lead re-taught the ranker and the veto (8,092
phrasings, 2,785 no-answer questions). One run after, identical through HTTP: **`hard-final-23`
94.6 / 94.6 / 44 of 46 → 95.4 / 95.4 / 44; `hard-final-23b` 96.9 / 97.7 / 45 of 46 → 96.9 /
97.7 / 46; `hard-final-24` 96.9 / 97.7 / 43 of 46 → 96.9 / 97.7 / 44.** Together: first rank
96.2 → 96.4 % (aim ≥ 92: met), top 3 96.7 → 96.9 % (aim ≥ 98: not met), silent 132 → 134 of
138 (aim: all; not met). Read after the run: 14 labelled questions miss first rank, 12 of them
silences — 5 by the topics lexicon (모니터 read inside 모니터링 three times, a story's 지하철에서
and 캠핑 전에), 1 by the services rule (an English "instead of naver one"), 1 by the owners rule
(알레르기 유발), 5 by the score gate (3년 전 결제건 열람, 돈 언제 돌아옴, 보름째 감감, an
unspaced 어제결 제한, an English old flat); 2 are ranked second or third. 4 no-answer questions are
answered: a check that the chat opens, a line of Python, an alien registration card, Jeju's
weather.

**Result of round 20: first rank above the aim, top 3 and silence still short.** Round 20
taught round 19's spent splits, then had three more article-only sessions write held-out splits
(`hard-final-21`, `-21b`, `-22`: 389 labelled and 130 no-answer questions; each writer ran the
near-duplicate check against every earlier question and its own lines until 0 were near; lines
near another new split were dropped: 1 and 8) and two more write tuning splits (`hard-dev-20a`:
303 labelled, weighted to vocabulary and long stories; `hard-dev-20b`: 252 no-answer questions
over other companies' services and everyday domains incl. medicine doses, and 102 labelled
contrasts; filtered against the held-out ones). Each held-out split was run once, aggregate
only, before any change (together 95.6 / 96.7 / 123 of 130). Three tuners worked on the tuning
splits only: the veto reads only the asking parts of a message that names one of the shop's
products; a named medicine's dose, a courier's own app login, a work VPN, customs and pasted
shell commands silenced, and more messages that ask nothing (greetings alone, praise, testing
the line); words the articles never saw (무를 수, 틀다, 식구 되다, 박살, 송장 뜨다, 수령처) and
misspellings the typo fixer cannot correct. The lead re-taught the ranker and the veto (7,249
phrasings, 2,403 no-answer questions). One run after, identical through HTTP: **`hard-final-21`
96.9 / 97.7 / 45 of 46 → 97.7 / 98.5 / 46; `hard-final-21b` 95.4 / 96.2 / 41 of 45 → 95.4 /
96.2 / 41; `hard-final-22` 94.6 / 96.1 / 37 of 39 → 95.3 / 96.1 / 37.** Together: first rank
95.6 → 96.1 % (aim ≥ 92: met), top 3 96.7 → 96.9 % (aim ≥ 98: not met), silent 123 → 124 of
130 (aim: all; not met). Read after the run: 15 labelled questions miss first rank, 12 of them
silences — 9 by the score gate (the index and the classifier disagree, or agree just under the
trust bar: 밤 11시 통화 가능?, kids 유산균 with milk), one each by the veto (주문 엎을 수), the
topics rule (민원 응대 창구) and the owners rule (무배임); 3 are ranked second or third. 6
no-answer questions are answered: two "is this chat on?" checks, a greeting, English praise,
우체국 EMS to the US, a company messenger's password.

**Result of round 19: first rank above the aim again, top 3 and silence still short.** Round 19
taught round 18's spent splits, then had three more article-only sessions write held-out splits
(`hard-final-19`, `-19b`, `-20`: 343 labelled and 134 no-answer questions; each writer ran the
near-duplicate check against every earlier question and its own lines until 0 were near; lines
near another new split were dropped: 4 and 11) and two more write tuning splits (`hard-dev-19a`:
317 labelled, weighted to office and short vocabulary, dialect and contrasts; `hard-dev-19b`:
247 no-answer questions, other companies' services in the shop's words and everyday domains,
and 102 labelled contrasts; filtered against the held-out ones). Each held-out split was run
once, aggregate only, before any change (together 94.2 / 95.0 / 129 of 134: easier than round
18's). Three tuners worked on the tuning splits only: the veto silences a message of several
parts only if one part that asks reads as no-answer alone too (thanks and openers beside a
request, and another company named to compare with "여기는 …", are left out of that reading);
words that silenced labelled questions (집하장, 소비기한, 내력, 밤샘, 발주, Gyeongsang 우예/…라믄);
more other companies' own requests, chat-waiting messages, plant fertiliser and code shapes
silenced. The lead re-taught the ranker and the veto (6,447 phrasings, 2,019 no-answer
questions). One run after, identical through HTTP: **`hard-final-19` 94.5 / 94.5 / 44 of 45 →
94.5 / 94.5 / 44; `hard-final-19b` 96.1 / 98.1 / 41 of 43 → 98.1 / 100.0 / 41; `hard-final-20`
92.3 / 93.1 / 44 of 46 → 93.1 / 93.1 / 44.** Together: first rank 94.2 → 95.0 % (aim ≥ 92:
met), top 3 95.0 → 95.6 % (aim ≥ 98: not met), silent 129 → 129 of 134 (aim: all; not met).
Read after the run: 17 labelled questions miss first rank, 14 of them silences — vocabulary the
engine lacks (무를, 틀어도, 식구 되려면, 돈 반환, 작년 주문 찾기, 맞바꿔, 하자품, 박살나서), a
long story told around the request (a company mail room, a studio flat's old address), a
contrast with a card company or a delivery app, an English ingredient question; 4 of the 14 by
the veto. 2 are ranked second, 1 answered with other articles only. 5 no-answer questions are
answered: two medicine doses (타이레놀, 감기약), a work VPN's password, a courier's own app login,
a Korean word salad.

**Result of round 18: a little better on three fresh splits; top 3 and silence still short.**
Round 18 taught round 17's spent splits, then had three more article-only sessions write
held-out splits (`hard-final-17`, `-17b`, `-18`: 340 labelled and 139 no-answer questions; each
writer ran the near-duplicate check against every earlier question, and against its own lines,
until 0 were near; lines near another new split were dropped: 6 and 7) and two more write tuning
splits (`hard-dev-18a`: 314 labelled, weighted to long stories that ask last, conjugated verbs
and English; `hard-dev-18b`: 241 no-answer questions with nothing asked or about another
company's own service, and 100 labelled contrasts; filtered against the held-out ones). Each
held-out split was run once, aggregate only, before any change (on main with round 17's splits
taught: together 91.8 / 93.2 / 130 of 139). Three tuners then worked on the tuning splits only:
verb families that reach their conjugations (generated, kept only where a morphological analyser
reads the form back as the verb, homographs left out) and spaces made optional in keys; messages
with nothing asked (openers, "done" reports, a pasted order number) read as no question, a
courier's own app settings as the courier's; the ranking reading the whole message rather than
favouring its request clause. The lead re-taught the ranker and the veto (5,658 phrasings, 1,633
no-answer questions) and kept the veto from reading an order number's digits. One run after,
identical through HTTP: **`hard-final-17` 97.1 / 98.1 / 42 of 45 → 98.1 / 98.1 / 43;
`hard-final-17b` 89.3 / 91.3 / 39 of 41 → 89.3 / 90.3 / 39; `hard-final-18` 89.4 / 90.9 / 49 of
53 → 90.9 / 92.4 / 50.** Together: first rank 91.8 → 92.6 % (aim ≥ 92: met), top 3 93.2 → 93.5 %
(aim ≥ 98: not met), silent 130 → 132 of 139 (aim: all; not met). Read after the run: 25
labelled questions miss first rank, 20 of them silences — short and office wording the
vocabulary lacks (밤샘 상담원, 민원 넣을 창구, 신입 회원으로 이름 올리려면, 집하장을 거쳤는지,
부쳐 주신 소포 행방, 내력 좀 뽑아볼), colloquial dialect (그만둘라믄 우예 하는기요), contrasts
with a hotel, a mart or a delivery app that the veto reads as theirs, a multi-intent question;
3 ranked second or third, 2 answered with other articles only. 7 no-answer questions are
answered: SQL and an English word salad, another courier's driver for a parcel from elsewhere,
a work mail's password policy, a baby's milk, Instagram deactivation, a customs threshold.

**Result of round 17: first rank above the aim on three fresh splits; top 3 and silence still
short.** Round 17 taught round 16's spent splits, then had three more article-only sessions
write held-out splits (`hard-final-15`, `-15b`, `-16`: 344 labelled and 145 no-answer questions;
each writer ran the near-duplicate check against every earlier question until 0 lines were near,
and lines near another new split were dropped: 3 and 8) and three more write tuning splits
(`hard-dev-16a`, `-16b`, `-17`: 952 questions, filtered against the held-out ones). Each
held-out split was run once, aggregate only, before any change (together 90.1 / 93.0 / 135 of
145 on main with round 16's splits taught; 89.8 / 92.2 / 134 on the round-16 engine). Three
tuners then worked on the tuning splits only: the re-ranker trusted at a lower P when the
index's own first hit agrees, thanks and praise with no request left read as no question
(`inbox/faq/thanks.py`), another company's own parts (토스 계좌, 카카오톡 프로필, … 본사) read
as that company's request, and vocabulary families for colloquial, office and English wording.
The lead re-taught the ranker and the veto with the new splits and, on the folds, moved the
ranker's smoothing to alpha 0.3 (TRUST 0.95, TRUST_AGREED 0.85, the veto at 1.0). One run after,
identical through HTTP: **`hard-final-15` 91.4 / 96.2 / 42 of 45 → 94.3 / 97.1 / 45;
`hard-final-15b` 93.3 / 95.2 / 40 of 43 → 97.1 / 98.1 / 41; `hard-final-16` 86.7 / 88.9 / 53
of 57 → 90.4 / 92.6 / 54.** Together: first rank 90.1 → 93.6 % (aim ≥ 92: met), top 3 93.0 →
95.6 % (aim ≥ 98: not met), silent 135 → 140 of 145 (aim: all; not met). Read after the run: 22
labelled questions miss first rank, 15 of them silences (물러 주세요 and 물러도 되나요 three
times: the 무르다 family added this round does not reach its conjugated form; a parcel marked
delivered at a hotel front desk; English questions about accounts and tracking numbers; 꾸러미,
흔적을 지우고), 7 ranked second or third (long stories whose last sentence asks). 5 no-answer
questions are answered: a courier's own app setting (CJ대한통운 앱 알림), a pasted order number
alone, "ㅇㅋ 해결됨", a thank-you without a thanks word (잘 먹고 있어요 그냥 그 말 하고
싶었어요), and a used-car question.

**Result of round 16: three fresh splits, more data from independent writers, better on all
three, still short of the aim.** Round 16 first had three sessions that read only the articles
write held-out splits (`hard-final-13`, `-13b`, `-14`: 350 labelled and 150 no-answer questions
in all, each line checked against every earlier question and shipped training string with
`bench/faq_near_duplicates.py` and rewritten by its writer until 0 were near), and four more
write tuning splits (`hard-dev-14a/b`, `hard-dev-15a/b`: 1,273 questions), filtered against the
held-out ones. Each held-out split was run once on the round-15 engine, aggregate only, before
any change. Round 16 then taught the new tuning splits and `hard-final-12` (3,842 labelled
phrasings, 767 no-answer questions for the veto), read a foreign thing in the request clause as
its owner, widened the off-topic lexicon (1,513 words over 47 domains, one regex trie), silenced
word salads and code, answered corrected typos and colloquial endings on strong scores, and
read unspaced runs against the index's words for the lists. One run after, identical through
HTTP: **`hard-final-13` 81.9 / 87.6 / 32 of 45 → 85.7 / 91.4 / 40; `hard-final-13b` 89.5 /
93.3 / 31 of 45 → 91.4 / 95.2 / 37; `hard-final-14` 80.0 / 83.6 / 40 of 60 → 82.9 / 87.9 / 54.**
Together: first rank 83.4 → 86.3 %, top 3 87.7 → 91.1 %, silent 103 → 131 of 150. Most of the
silence came from the new no-answer data in the veto and the request-clause reading; the
recall changes moved no fresh split by themselves (their helper's aggregate-first check on the
four new tuning splits read identical). Read after the run: 48 labelled questions miss first
rank, 27 of them silences — colloquial (…냐, …거임?, 질러두면, 몇 밤 자고), long stories of a
parcel marked delivered, English paraphrases ranked second (reset email, reroute, recipient);
19 no-answer questions are answered: thanks and compliments to an agent (4), another
company's own service (8: 네이버페이, CU 반값택배, 애플 아이디, 토스 계좌, Amazon, 카카오톡
프로필, 정관장, GS25 택배), and off-topic on unlisted topics (7: 전입신고, 분리수거, 단톡방,
이력서, 불법주차 신고, 그룹웨어 비밀번호, 동호회 가입비).

**Result of round 15: the last fresh split says the same, a little lower.** `hard-final-12`
(148 questions: 103 labelled, 45 that must get no answer) was written by another session under
the same rules (0 near-duplicates against every earlier question and shipped training string)
and run once before round 15, aggregate only: 77.7 / 81.6 / 36 of 45 on the round-14 engine,
73.8 / 78.6 / 27 of 45 on the round-10 engine. Round 15 (`hard-final-11` taught, its no-answer
lines in the veto; a question the gate refuses is answered when the re-ranker gives one article
P >= 0.9, chosen by cross-validation to lose no silence) ran it once more: 77.7 / 80.6 / 38 of
45, identical through HTTP — two more silences, one labelled question fewer in the top 3. Read
after that run: 23 labelled questions miss first rank and 13 of them are silences, the same
kind as `hard-final-11`'s (내꺼 주문 들어간거 맞음?, 몇 마넌 채워야 택배값 공짜됨?, 여기 멤버
되려면 뭐 해야됨, 가잎 버튼 … 화멘, 직언분이랑 통와, 개봉하면 냉장고에 넣어야돼요?, 물건
행방불명); the rest are English paraphrases and colloquial ones ranked second or worse; 7
no-answer questions are answered (car insurance's address, concert tickets, an electricity
bill's address, a rental car's late fee, a KakaoTalk backup password, a Daangn review, Amazon's
support line). Across the three splits other sessions wrote, rounds 11-15 lifted silence from
22-28 to 31-38 of 45 and first rank by 4-6.5 points on each, but first rank stays at 78-92 and top
3 at 81-96: the aim is not met. The gap is recall on wording no writer of the training sets
used, and a gate that must stay strict for the off-topic questions that share the articles'
words.

**Result of round 14: the next fresh split is harder still, and recall is now the gap.**
`hard-final-11` (138 questions: 93 labelled, 45 that must get no answer) was written at 00:46
by another session under the same rules as `hard-final-10` (articles only; 0 near-duplicates
against every earlier question and every shipped training string). Run once before round 14,
aggregate only: 82.8 / 86.0 / 34 of 45 on the round-13 engine, and 76.3 / 84.9 / 28 of 45 on
the round-10 engine (e3acd42) — rounds 11-13 carried over to it (+6.5 first rank, +6
silences). Round 14 (`hard-final-10` taught, its no-answer lines in the veto; closings such as
해결됐어요 are scaffolding; an order placed through another shop or delivery app is that shop's)
ran it once more: 82.8 / 87.1 / 36 of 45, identical through HTTP. Read after that run: 16
labelled questions miss first rank and 12 of them are silences — the score/coverage gate
refusing customer wording (주문 넣은거 들어가긴 한거임?, 처음와봤는데여기멤버되려면…, 계정 영영
정리, 셩분표, 내졍보, "I swapped the digits … correct where it goes", 로그인할때 쓰는 그거 생각
안나); 9 no-answer questions are answered: 7 off-topic on topics no list has (a used car's
refund, a Pilates pass, a moving company's quote, a router's admin password, car insurance's
address, a florist's same-day delivery, returning a rental car) and 2 named (송금 in Toss, a
Yogiyo coupon). **Reading:** on the last two fresh splits, written by sessions that never saw the
engine, first rank is 91.8 and 82.8, top 3 95.9 and 87.1, silence 31 and 36 of 45 — the aim
(92 / 98 / every one) is met on neither. Rounds 11-14 moved silence up on both, but the gate that
silences off-topic questions also refuses real ones written in words it has not seen: what is
left is recall on unseen customer wording, traded against silence on unseen topics, and
labelled real traffic (the gaps report, agents' inserts, visitors' "solved it") is what would
move both at once.

**Result of rounds 11-13: a split nobody tuning had seen, written by another session; better,
still short of the aim.** `hard-final-10` (142 questions: 97 labelled over all 15 articles, 45
that must get no answer: 22 off-topic on 22 everyday topics, 12 another company's request, 6
empty, 5 nonsense) was written by a session that read only the articles, never the engine's
code or the tuners' work, and checked against every earlier question for near-duplicates
(character-bigram Jaccard >= 0.5 or SequenceMatcher >= 0.7: 0 pairs). Its writer worked at
23:26 and the lead ran it once on the round-10 engine (e3acd42), aggregate only: 87.6 / 93.8 /
22 of 45. No tuner saw it; the training sets written in the same hours by two more writers
(`hard-dev-12a/b`, `hard-dev-13`) were filtered against it with the same measures before they
were used (7 lines dropped). After round 11 (a topics gate, `inbox/faq/topics.py`; a
provider's own account is the provider's), round 12 (word families from another writer's
misses, a flattened re-ranker) and round 13 (a service the customer only uses does not own the
request; an unknown noun owning the request silences it, `inbox/faq/owners.py`), one run,
through HTTP too: 91.8 / 95.9 / 31 of 45. Read after that run: 8 labelled questions miss first
rank, 4 of them silences (a courier's photo of the wrong front door, 소비기한 넉넉해요?, a
KakaoTalk channel the contact article does not list, a three-year-old order plus a phone
number); 14 no-answer questions are answered: 10 off-topic on topics the lists lack (food
delivery, an airline ticket's fee, sending a parcel from a convenience store, kimchi by
international post, a moving-in report, a driving licence's address, an academy's fee, a
mistaken bank transfer, a landlord's deposit, a petrol station's points card), one named
(쿠팡 로켓배송으로 시킨 거), two word salads made of article words (배송 배송 바나나 하늘색
월요일) and an acknowledgement (ㅇㅋ 해결됐어요 수고하세요).

**Result of round 9: a classifier trained on the labelled questions, first rank 93.3 → 98.7 on
the held-out split; silence unchanged.** `hard-final-8` (95 questions, committed alone in
09fb001 before any change, written from the articles without reading earlier splits' questions:
75 labelled over all 15 articles, 20 that must get no answer) untuned 93.3 / 97.3 / 16 of 20;
after round 9 98.7 / 98.7 / 16 of 20, identical through HTTP. The lever
(`inbox/faq/classifier.py`): multinomial naive Bayes over the analyzer's syllable 1-3-grams and
English words/trigrams, trained on the 1,102 labelled tuning questions shipped as
`inbox/faq/examples.json` plus each article's titles and keywords (and, at run time, agents'
and visitors' evidence), uniform prior; `FaqIndex.answer` adds half its posterior (scaled to
the best hit) to the ranking's score, only after the gate has let the question through.
Chosen by leave-one-split-out cross-validation over the 13 tuning splits (`bench/faq_cv.py`):
the engine without it 94.4 / 97.9 / 204 of 221, with it 96.3 / 98.1 / 204 of 221; the weakest
folds gained most (hard-final-4 89 → 93, hard-final-5 85 → 93, hard-final-6 83 → 88). Read
after the final run: the one labelled miss is a silence (어느단계인지, the gate), as without the
classifier; the four no-answer questions answered (`<svg onload=confirm(9)>`, a courier job
ad, sending a parcel by post, a cat that will not eat) are the gate's, answered without it
too. Without the classifier the same run misses four more labelled questions at first rank
(설 연휴, 잃어버린거, 2개에서 3개로, 등록해둔 카드). The "learned" columns (tuning questions
also stored as evidence, a field of the article) are now lower than the plain ones on the
held-out split (96.0): in cross-validation, evidence as an index field plus the classifier is
no better than evidence alone (95.5 vs 95.5).

**Result of round 8: another named service's request is now silent; the aim is still not
met.** `hard-final-7` (111 questions, committed alone in 4cf46f6 before any change and before
`hard-final-6`'s questions were read: 85 labelled, 31 of them naming a payment method, a
courier, one of our channels, a sign-in provider or a rival legitimately; 26 that must get no
answer, 15 of them another service's request) untuned 92.9 / 98.8 / 10 of 26; after round 8
92.9 / 98.8 / 23 of 26, identical through HTTP. The gate (`inbox/faq/services.py`, names in
`inbox/faq/services.json`) changed 13 of its answers, all no-answer questions that had been
answered, and none of the labelled ones: no customer of ours naming 네이버페이, CJ대한통운,
카카오톡, 쿠팡보다, 네이버 아이디로 or 지메일로 was silenced. Read after that run, the three
no-answer questions still answered: two name a service the store itself uses and ask about
that service's own account (토스 앱 비밀번호, 인스타그램 계정 비밀번호; the tuning splits held
two more of that shape, an Instagram password and a hacked Instagram account), which the rule
"the store's names are never other" lets through by design; and one general question whose one
word is an article's (로또 번호 → 번호). The 6 first-rank misses are ranking, unchanged by the
gate: 바꾸다 pulls three change-my-X questions to the order-change article (account email,
payment card, the address of a shipped parcel), 네이버페이로 … 들어오나요 and "다른 제품이에요"
rank product information first, and "reach you on KakaoTalk or only by email" ranks order
change. The labelled figures met the aim on this split (92.9 / 98.8) for the first time, but
they did not move in the round: this split's labelled questions are easier than round 7's,
which says more about the writer than the engine. `hard-dev-8` (44 questions) was written after
`hard-final-7` to tune the gate's reading of names; the same writer wrote both, so the held-out
figure for named questions is less independent than the count suggests.

**Result of round 7: the aim is not met, and the model's vocabulary did not move the held-out
split.** `hard-final-6` untuned 82.8 / 90.5 / 13 of 21; after round 7 the same, through HTTP
too; with the tuning questions taught as evidence 85.3 / 88.8 / 13 of 21. Of its 137 answers
the round changed one, below first rank. Read after that run: 11 labelled questions are
outside the top 3, 10 of them silences, mostly on concepts rather than synonyms — when to take it
(식후/식전), storage (냉장보관), a locked account (틀렸다고 나와요, 잠겼어요), a tax receipt of
the year's payments (연말정산), mercury in fish oil, misdelivery told as a story (다른 동에 잘못
놓고 간), becoming a member (회원 되려면, become a member), swapping a bottle size (swap), a
refund verb form (물러줄수: the hand entry 물러주 is not a prefix of 물러줄, and kiwipiepy reads
it as a noun, so no paradigm was generated); and one English deletion wish (everything …
wiped) ranked the edit article. 9 more have the right article second or third: a side word
wins (주말 in a shipping-time story → contact hours; 늦어서요 about a slow chat → the late
parcel's 너무 늦어요; 젤라틴 들어간 → the order-status keyword 주문 들어간 거; 시킨거 … 진행 →
tracking; 보내주세요 → address change). The model could not have supplied most of these: the
shop's words are not in it (비건, 오배송: no such morpheme), rare words have noise neighbours
(택배비 → 식기세척기, 0.94), and what customers say instead is usually an associated word (식후
~ 섭취 0.67, 냉장 ~ 보관 0.65), which cannot be folded into the article's word without changing
its meaning. The gate let 8 of 12 off-topic questions through, every one another service's
version of an article's request (쿠팡 택배, 넷플릭스 구독 해지, 은행 앱 비밀번호, 당근마켓 환불,
배달의민족 취소, 인스타그램 계정, 우체국 택배, 이사 업체); all 9 nonsense and empty-meaning
questions stayed silent. These questions share the article's whole request and differ only
in a name the articles never use; a gate would have to know that a named other service is
not this shop, which is a list of names or labelled traffic, not vocabulary.

**Result of rounds 5 and 6: the aim is not met on held-out questions.** Aim: top-1 ≥ 92,
top-3 ≥ 98, every no-answer question silent. `hard-final-4`: untuned 81.1 / 89.2 / 18 of 20;
after round 5 78.4 / 86.5 / 18 of 20 — two fewer first ranks and two fewer top-3 answers,
while the tuning splits went from 94.3 / 97.3 to 97.6 / 99.0 over the same changes. Read after
that run, round 5 changed two of its answers, both for the worse (a long order-status
question now ranked the order-history article first on "주문 내역에 … 떠요"; "옆집으로 배달이 간
것 같아요" lost its answer), and its other misses were vocabulary round 5 had not seen: 9
silences on everyday verbs and product words (돌려받다, 지우다, 샀던, 금이 가다, 동물성,
shellfish, 어떻케), 7 wrong first ranks, and 2 no-answer questions answered (an acknowledgement,
and cancelling another company's subscription, which meets the cancel article on "cancel").
`hard-final-5`: before round 6 85.2 / 95.1 / 11 of 15; after round 6 85.2 / 95.1 / 11 of
15, identical through HTTP. Read after that run, round 6 changed none of its answers: its
vocabulary, like round 5's, fixed the split it was read from (`hard-final-4` 78.4 → 89.2)
and nothing else. Its misses: 2 silences ("결제하고 나서 아무 변동이 없는데 정상인가요", "이거
글루텐 들어있어요?"); 7 wrong first ranks, 5 of them with the right article second (a story's
재고/준비중 → product information; "젤리가 다 녹아서 붙어 왔어요" → missing parcel on 왔어요;
a misspelt 걸리져 → tracking; "주문 잘못 넣었어요 취소요" → refund; "하나 더 추가" → shipping
fee; "탈퇴한 이메일로 다시 가입" → deletion; "hasn't moved since monday" → address change, on
the synonym moved → new address); and 4 off-topic questions answered because one strong word
is most of the question (수능 언제예요 → 언제; an Instagram password; 엔진오일 교환 주기;
"what time is it in london" → time). With the tuning questions taught as evidence (learned
columns) the held-out splits gain 4-7 points of top-1: 82.4 (`hard-final-4`, round 5) and
91.8 (`hard-final-5`). **Reading:** over rounds 4-6, held-out top-1 stayed at 78-87 % and
top-3 at 86-95 %, and the gate silenced 18 of 20 and 11 of 15, whatever the tuning splits
said (now 96.8 / 99.0, 135 of 142). Per-miss vocabulary does not generalise to the next
questions, and the off-topic leaks are questions whose one shared word is strong; a gate that
knows words no article uses (수능, Instagram, 엔진오일) would need real off-topic traffic to
calibrate. What would move the figures is labelled real questions: the FAQ gaps report and
the evidence (agents' inserts, visitors' "solved it") collect exactly those.

**Round 4's result** (kept for the record): the aim was not met and tuning barely moved it.
Aim: top-1 ≥ 92, top-3 ≥ 98, every no-answer question silent. `hard-final-3` untuned 83.6 /
92.7 / 18 of 20; tuned 85.5 / 90.9 / 19 of 20 (two more first ranks, two fewer top-3 answers,
one more silence); with the tuning questions taught as evidence 90.9 / 96.4 / 20 of 20. The
tuning splits went from 93.9 / 98.5 to 98.2 / 99.6 over the same changes, so most of that gain
was vocabulary for their own misses, not a general one. Its 17 misses (16 labelled, one
off-topic), read after its one run (the section was then re-rendered with this prose: same
engine, same figures): 10 are outside the top 3, and 7 of those are silences — short colloquial
questions the gate refuses ("방금 시킨거 취소 좀요", "이거 하루에 몇 개 먹으면 됨?", "주문한거
처리 된거임?"), a long order-status question, a question in words no article has ("받는 곳을
회사로 돌려도 되나요", "send this order to my office", "등록된카드를다른카드로바꾸려면요"). The
rest are ranking: 바꾸다 is not folded to 변경/수정 ("60정 말고 120정짜리로 바꿀 수 있어요?"),
an English order-timing question meets the order articles' words, "다른 집에 잘못 간" is not
오배송, and a story still wins first rank twice (배송비 무료인 줄 알고 주문했는데 → shipping
fee; 예상 도착일이 … 조회해보면 → order status). The off-topic miss is "우체국 택배 영업시간":
its words are the tracking and contact articles' words. What would close the gap is the same as
after round 3, now with the evidence that it is recall more than ranking: the gate's thresholds
need labelled real traffic (the gaps report lists exactly these refusals), and verbs and
customer vocabulary (바꾸다, 시키다, 회사로 돌리다) belong in `synonyms.py` once real questions
show them. The tuning splits' rows are not a result: they were tuned on.

**Limits.** Until round 10 one engineer wrote articles, synonyms and all the question sets,
including the held-out ones (and `hard-dev-4` after `hard-final-4`: its wording was avoided, but
a writer cannot unsee it); `hard-final-10` and `hard-final-11`, and the tuning sets `hard-dev-12a/b`
and `hard-dev-13`, were written by separate sessions, which is why their figures are lower and
the ones to believe. Those writers are still language models, not customers: real traffic will
be rougher, and the independent set is the figure that
counts. Vocabulary (13, 19) is a patch per miss; general customer vocabulary comes from real
traffic (the gaps report and the evidence collect it). The gate trades recall for silence: a
labelled question scoring under 8 with little overlap gets no answer (the visitor is offered
a person, the safe failure), and a story told before a short request dilutes its coverage
(the `엄마 선물로…` probe loses top-3 answers to silence). One shared word still carries an
off-topic question when it is most of the question ("주말에 뭐 하세요?" → the contact
article's 주말 상담), and a generic keyword tail lets "적립금 언제 들어와요" (points) match
the refund article's "환불 언제 들어와요"; the FAQ gaps report (Admin → FAQ → FAQ gaps) is
where such questions surface.""".splitlines()


def write_section(section: str) -> None:
    """Replace (or append) our section, leaving every other section of BENCHMARKS.md alone."""
    text = BENCHMARKS.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section.rstrip() + "\n\n", text, count=1)
    else:
        anchor = "\n## Email ingest"
        at = text.find(anchor)
        text = (
            text[:at] + "\n" + section.rstrip() + "\n" + text[at:]
            if at >= 0
            else text.rstrip() + "\n\n" + section.rstrip() + "\n"
        )
    BENCHMARKS.write_text(text.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
