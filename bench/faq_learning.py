"""Measure what a customer-facing FAQ answer costs: right answers, and silence when none fits.

    .venv/bin/python bench/faq_learning.py            # print the table (tuning split only)
    .venv/bin/python bench/faq_learning.py --final    # add the held-out split and write
                                                      # "## FAQ answers" in BENCHMARKS.md

`FaqIndex.answer` is what the widget and `GET /api/v1/faq/suggest` use: the ranking plus the
no-match gate. A question counts as right at top-1 when the first answer is one of its
labels (multi-intent questions carry two), at top-3 when any label is among the answers;
a question with no label (nonsense, empty-meaning, off-topic) counts as right only when no
answer is given. "learned" columns build the index with evidence, as agents' inserts would
leave it: every tuning question (hard-tune, hard-tune-2, hard-final, hard-final-2, first-dev)
stored as a phrasing of its article; the held-out questions (hard-final-3, first-test) never are.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
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
        }[row["split"]]
        out.append((row["q"], tuple(row["slugs"]), row["kind"], split))
    for line in FIRST.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.append((row["q"], (row["slug"],), "first", f"first-{row['split']}"))
    return out


def score(index: FaqIndex, questions: Sequence[Question]) -> dict[str, float | int]:
    labelled = [q for q in questions if q[1]]
    unlabelled = [q for q in questions if not q[1]]
    top1 = top3 = 0
    for text, labels, _kind, _split in labelled:
        slugs = [hit.slug for hit in index.answer(text)]
        top1 += bool(slugs) and slugs[0] in labels
        top3 += any(slug in labels for slug in slugs)
    silent = sum(not index.answer(text) for text, *_ in unlabelled)
    return {
        "n": len(labelled),
        "top1": top1 / len(labelled) if labelled else 0.0,
        "top3": top3 / len(labelled) if labelled else 0.0,
        "neg": len(unlabelled),
        "silent": silent,
    }


def evidence_from(questions: Sequence[Question]) -> Mapping[str, list[tuple[str, float]]]:
    learned: dict[str, list[tuple[str, float]]] = {}
    for text, labels, _kind, _split in questions:
        if labels:
            learned.setdefault(labels[0], []).append((text, 1.0))
    return learned


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--final", action="store_true", help="held-out too; write BENCHMARKS.md")
    parser.add_argument("--misses", action="store_true", help="list the tuning-split misses")
    args = parser.parse_args()
    articles = default_articles()
    questions = load()
    taught = ("hard-tune", "hard-tune-2", "hard-final", "hard-final-2", "first-dev")
    splits = list(taught)
    if args.final:
        splits += ["hard-final-3", "first-test"]
    plain = FaqIndex(articles)
    teach = [q for q in questions if q[3] in taught]
    learned = FaqIndex(articles, evidence=evidence_from(teach))
    rows = [
        "| split | questions | top-1 | top-3 | no-answer questions answered with nothing "
        "| learned: top-1 | learned: top-3 | learned: silent |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for split in splits:
        part = [q for q in questions if q[3] == split]
        a, b = score(plain, part), score(learned, part)
        mark = " (tuning; taught)" if split in taught else " (held out)"
        rows.append(
            f"| {split}{mark} | {a['n']} + {a['neg']} | {_pct(a['top1'])} | {_pct(a['top3'])} "
            f"| {a['silent']}/{a['neg']} | {_pct(b['top1'])} | {_pct(b['top3'])} "
            f"| {b['silent']}/{b['neg']} |"
        )
    kinds = Counter(q[2] for q in questions if q[3].startswith("hard"))
    lines = [
        HEADING,
        "",
        "Written by `bench/faq_learning.py --final`; edit the prose in that script, not here.",
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
        *PROSE,
    ]
    section = "\n".join(lines)
    print(section)
    if args.misses:
        print("\n### tuning-split misses")
        print("\n".join(misses(plain, [q for q in questions if q[3] in taught])))
    if args.final:
        write_section(section)


PROSE = """**Held-out discipline, in three rounds.** `bench/faq_hard.jsonl` was written and
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
94.9, 17 of 20 silent. Round 3 (2026-12-05) wrote and committed a third held-out split
(`hard-final-2`, 118 questions, same kinds and counts, new wording; 985b08f) before reading
`hard-final`'s misses, tuned on all three earlier splits, and ran `hard-final-2` once, for
this table. `first-test` is the first set's test split (see "FAQ search"): not tuned on in
any round, but it has been reported before. Before this work (main at 91e5c6c, the engine of "FAQ
search"), the hard set scored top-1 84.7 / top-3 94.9 on `hard-tune` and 71.2 / 83.1 on its
other half, with 5 of 16 and 3 of 16 no-answer questions answered with nothing.

**What tuning changed**, all in `inbox/faq/`: (1) a no-match gate (`FaqIndex.answer`): a
best hit scoring under 8 must cover at least 35 % of the question's content (Hangul
syllables inside matching 2-/3-grams, English content words), nothing under 3 is ever shown
— both thresholds read off the tuning split's score/coverage table, where every no-answer
question sat below 8 and 0.35 and one labelled question did too; (2) greetings and
"I have a question" phrases (안녕하세요, 문의드립니다, 질문…) dropped like question
scaffolding; (3) `synonyms.py`, words customers use for the articles' words (환급→환불,
철회→취소, 해지→탈퇴, 암호→비밀번호, 오더→주문…), folded on both sides; (4) clause
splitting (`split_clauses`): each article scores its best clause plus half its whole-message
score; (5) keywords added for tuning misses (round 1: IU/mg content, 배송 현황,
도착하지 않았어요, 유통기한 지난 상품; round 2: 재입고/다시 들어와요, 당일 출고, 추가 요금,
새벽/상담 시간, 주문 확인 메일, wrong size...), the synonyms 수령인→받는 사람,
변경→수정, 돌려보낼→반품할, and 알겠습니다 as an empty phrase. Round 3: (6) a typo fixer
(`TypoFixer`): a Hangul syllable found nowhere in the articles is replaced by the syllable one
jamo away that completes a whole title/keyword word (반풍→반품, 변겅→변경, 췌소→취소,
고객샌터→고객센터), never a real word (부탁 stays; 부작용 is a keyword but 부작 is not a
word of it); because such a fix is a guess (숙제 is one jamo from 삭제), the gate judges the
question as written first and lets the corrected one vouch only when its article covers 30 %
of it; syllables of everyday words no article uses (코드, 숙제, 쿠폰…, `words.py`) are
never corrected — added after a unit test's "쿠폰 코드" turned into "쿠폰 카드", and
`hard-final-2` was run a second time after it, with the same figures; (7) a score band in
the gate: a score of 8-12 must also cover more than a quarter of
the question (one shared word such as 주말 or 시간 scored 8-11 against the one article using
it, while every labelled question with that little overlap scored 15 or more); (8) synonyms
배달→배송, 화물→택배, 수취→수령, 실종→분실, 갱신→수정, 구입→구매, and the English keywords
"capsules per day", "tablets a day".

**Learning.** The "learned" columns show the same questions after the index took the
tuning/dev questions as evidence (what agents' inserts and visitors' "solved it" clicks
store, `inbox/faq/evidence.py`). The taught rows are not a result (those very questions were
taught); the held-out rows are: phrasings taught by other customers carrying over. Evidence
weights (0.3 of a keyword in the ranking and in the coverage bonus) were chosen by teaching
one half of the tuning split and measuring the other, both ways: at weight 1 learning cost a
top-1 answer and let one no-answer question through in each half; at 0.3 it cost neither.
Its value is vocabulary no article has (tests/inbox/faq/test_learning.py); where keywords
already answer, learned phrasings must not outvote them. Learning first let 2-3 no-answer
questions through ("로또 번호 알려줘" met a taught "고객샌터 번호 알려주세요"), so the gate
judges the curated article only; a learned phrasing vouches just for a near-repeat of itself
(60 % of content n-grams shared both ways). With that, no no-answer question is answered in
any learned column.

**Result on the newest held-out split: top-3 and silence meet the aim, top-1 is two
questions short** (aim: top-1 ≥ 92, top-3 ≥ 98, every no-answer question silent;
`hard-final-2`: 90.8 / 98.0 / 20 of 20). Its nine misses, read after its one run: long
questions whose first rank goes to the article of a side detail (a gift for a mother → the
shipping-time article; 적립금 in a signup question → account deletion; a product name in an
order-history question → product info), vocabulary still missing (정정, 미도착, 열람/이력),
감감무소식 folded to "안 와요" pulling order-status questions to shipping-missing, and
"이메일주소변경" meeting the address-change article's 주소 변경. Learning costs one top-3
answer on this split (96.9): a taught phrasing outvoted a keyword once. What would close the
gap generalises the same way as before: vocabulary from real traffic (the gaps report and
evidence collect it) and clause weighting that lets the question's main clause outrank side
details. `first-test` meets the aim (94.7 / 98.9).

**Limits.** One engineer wrote articles, synonyms and all the question sets; real traffic will
be rougher. The gate trades recall for silence: a labelled question scoring under 8 with
little overlap gets no answer (the visitor is offered a person instead, which is the safe
failure). A generic keyword tail still lets an off-topic question through when the one word
that matters is missing: "적립금 언제 들어와요" (points) matches the refund article's
"환불 언제 들어와요"; the FAQ gaps report (Admin → FAQ → FAQ gaps) is where such questions
surface.""".splitlines()


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
