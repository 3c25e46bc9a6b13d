"""Measure FAQ search: top-1/top-3 accuracy on bench/faq_eval.jsonl and query latency.

    .venv/bin/python bench/faq_eval.py            # print the table
    .venv/bin/python bench/faq_eval.py --write    # also rewrite "## FAQ search" in BENCHMARKS.md
    .venv/bin/python bench/faq_eval.py --misses dev   # list the dev-split misses (for tuning)
    .venv/bin/python bench/faq_eval.py --database-url postgresql://.../empty_db  # time PG too

Every analyzer variant runs on the same articles and questions. Tuning looks at the dev split
only (`--misses dev`); the test split is the number we report. See BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inbox.faq.articles import Article, default_articles  # noqa: E402
from inbox.faq.search import FaqIndex  # noqa: E402
from inbox.faq.text import Analyzer, NgramAnalyzer, normalize  # noqa: E402

EVAL = ROOT / "bench" / "faq_eval.jsonl"
BENCHMARKS = ROOT / "BENCHMARKS.md"
HEADING = "## FAQ search"


KIWI_COST: dict[str, float] = {}


@functools.cache
def _kiwi() -> Any:
    """Load kiwipiepy once, recording what loading (and the first analysis) costs."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    kiwi.tokenize("배송 언제 와요")  # the model is lazily initialised on first use
    KIWI_COST["load_s"] = time.perf_counter() - start
    KIWI_COST["rss_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return kiwi


_KIWI_KEEP = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "MAG")


def kiwi_analyzer(text: str) -> list[str]:
    """Content morphemes (nouns, verb/adjective stems, roots, foreign words) from kiwipiepy."""
    tokens = _kiwi().tokenize(normalize(text))
    return [f"m:{t.form.lower()}" for t in tokens if t.tag.startswith(_KIWI_KEEP)]


def combined(first: Analyzer, second: Analyzer) -> Analyzer:
    return lambda text: first(text) + second(text)


def whitespace_analyzer(text: str) -> list[str]:
    """Baseline: whole words, roughly what SQL LIKE / a plain word index would match."""
    return [f"w:{w}" for w in re.findall(r"\w+", normalize(text))]


VARIANTS: dict[str, Callable[[], Analyzer]] = {
    "words (baseline)": lambda: whitespace_analyzer,
    "char 1-3 + skeleton + skip-2 (default)": NgramAnalyzer,
    "default without skip-bigrams": lambda: NgramAnalyzer(skip_bigrams=False),
    "default without skeleton": lambda: NgramAnalyzer(skeleton_orders=()),
    "default without stop phrases": lambda: NgramAnalyzer(stop_phrases=()),
    "default, char 2-3": lambda: NgramAnalyzer(hangul_orders=(2, 3)),
    "default, char 1-4": lambda: NgramAnalyzer(hangul_orders=(1, 2, 3, 4)),
    "kiwi morphemes": lambda: kiwi_analyzer,
    "kiwi + default": lambda: combined(kiwi_analyzer, NgramAnalyzer()),
}


@dataclass(frozen=True, slots=True)
class Case:
    q: str
    slug: str
    lang: str
    split: str


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    top1: dict[str, float]
    top3: dict[str, float]
    p50_ms: float
    p95_ms: float
    build_ms: float
    index_kib: float
    typo_top1: float
    misses: list[tuple[Case, list[str]]]


def load_cases() -> list[Case]:
    with EVAL.open(encoding="utf-8") as fh:
        return [Case(**json.loads(line)) for line in fh if line.strip()]


def _vowel_typo(text: str, rng: random.Random) -> str:
    """Shift one syllable's vowel (배송 -> 배숑): the commonest slip on a phone keyboard."""
    positions = [i for i, ch in enumerate(text) if "가" <= ch <= "힣"]
    i = rng.choice(positions)
    code = ord(text[i]) - 0xAC00
    cho, jung, jong = code // 588, (code % 588) // 28, code % 28
    jung = (jung + rng.choice((1, 2, -1, -2))) % 21
    return text[:i] + chr(0xAC00 + cho * 588 + jung * 28 + jong) + text[i + 1 :]


def typo_probes(articles: Sequence[Article]) -> list[tuple[str, str]]:
    """Every Korean keyword of 3+ syllables with one vowel typo (seeded), as "<typo> 문의"."""
    rng = random.Random(7)
    probes = []
    for article in articles:
        for keyword in article.texts["ko"].keywords:
            if len(keyword.replace(" ", "")) >= 3:
                probes.append((_vowel_typo(keyword, rng) + " 문의", article.slug))
    return probes


def _score(
    index: FaqIndex, cases: Sequence[Case]
) -> tuple[dict[str, float], dict[str, float], list[tuple[Case, list[str]]], list[float]]:
    """Top-1 and top-3 accuracy per group, the top-1 misses, and per-call timings (ms)."""
    groups = ("all", "dev", "test", "ko", "en", "mixed")
    hit1 = dict.fromkeys(groups, 0)
    hit3 = dict.fromkeys(groups, 0)
    total = dict.fromkeys(groups, 0)
    misses: list[tuple[Case, list[str]]] = []
    timings: list[float] = []
    for case in cases:
        for _ in range(5):
            t0 = time.perf_counter()
            hits = index.search(case.q, limit=3)
            timings.append((time.perf_counter() - t0) * 1000)
        slugs = [h.slug for h in hits]
        for group in ("all", case.split, case.lang):
            total[group] += 1
            hit1[group] += slugs[:1] == [case.slug]
            hit3[group] += case.slug in slugs
        if slugs[:1] != [case.slug]:
            misses.append((case, slugs))
    top1 = {g: hit1[g] / total[g] for g in groups if total[g]}
    top3 = {g: hit3[g] / total[g] for g in groups if total[g]}
    return top1, top3, misses, timings


def run_variant(
    name: str, make: Callable[[], Analyzer], articles: Sequence[Article], cases: Sequence[Case]
) -> Result:
    analyzer = make()
    analyzer("워밍업 warm up")  # load models outside the timings
    start = time.perf_counter()
    index = FaqIndex(articles, analyzer=analyzer)
    build_ms = (time.perf_counter() - start) * 1000
    tracemalloc.start()  # a second build, traced: tracing slows the timed one down
    traced = FaqIndex(articles, analyzer=analyzer)
    index_kib = tracemalloc.get_traced_memory()[0] / 1024
    tracemalloc.stop()
    del traced
    top1, top3, misses, timings = _score(index, cases)
    quantiles = statistics.quantiles(timings, n=100)
    probes = typo_probes(articles)
    typo_hits = sum([h.slug for h in index.search(q, limit=1)] == [slug] for q, slug in probes)
    return Result(
        name=name,
        top1=top1,
        top3=top3,
        p50_ms=statistics.median(timings),
        p95_ms=quantiles[94],
        build_ms=build_ms,
        index_kib=index_kib,
        typo_top1=typo_hits / len(probes),
        misses=misses,
    )


@dataclass(frozen=True, slots=True)
class ServiceTiming:
    backend: str
    cold_ms: float
    p50_ms: float
    p95_ms: float
    top3: float


def measure_service(cases: Sequence[Case], database_url: str | None) -> ServiceTiming:
    """`inbox.faq.service.suggest` as the API calls it: a fresh session per question."""
    from inbox.database import Database
    from inbox.faq import service
    from inbox.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/faq-bench.db"
        upgrade(url)
        db = Database(url)
        with db.session() as session:
            service.seed_default_articles(session)
        service.invalidate_cache()
        start = time.perf_counter()
        with db.session() as session:
            service.suggest(session, "배송 언제 와요")
        cold_ms = (time.perf_counter() - start) * 1000
        timings: list[float] = []
        hits3 = 0
        for case in cases:
            for _ in range(5):
                t0 = time.perf_counter()
                with db.session() as session:
                    found = service.suggest(session, case.q, locale="ko", limit=3)
                timings.append((time.perf_counter() - t0) * 1000)
            hits3 += case.slug in [s.slug for s in found]
        db.dispose()
    return ServiceTiming(
        backend=db.dialect,
        cold_ms=cold_ms,
        p50_ms=statistics.median(timings),
        p95_ms=statistics.quantiles(timings, n=100)[94],
        top3=hits3 / len(cases),
    )


def _pct(value: float) -> str:
    return f"{value * 100:.1f}"


def render(
    results: Sequence[Result],
    cases: Sequence[Case],
    articles: Sequence[Article],
    services: Sequence[ServiceTiming],
) -> str:
    langs = {lang: sum(c.lang == lang for c in cases) for lang in ("ko", "en", "mixed")}
    splits = {s: sum(c.split == s for c in cases) for s in ("dev", "test")}
    versions = ", ".join(
        f"{pkg} {metadata.version(pkg)}" for pkg in ("kiwipiepy", "kiwipiepy_model")
    )
    lines = [
        HEADING,
        "",
        "Written by `bench/faq_eval.py --write`; edit the prose in that script, not here.",
        "",
        f"- Machine: {platform.machine()}, {_cpu()} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {versions}; 1-minute load average "
        f"{os.getloadavg()[0]:.2f} at the end (the machine is shared: p95 is noisy).",
        f"- Data: {len(articles)} articles (ko + en), {len(cases)} labelled questions in "
        f"`bench/faq_eval.jsonl` ({langs['ko']} Korean, {langs['en']} English, "
        f"{langs['mixed']} mixed; dev {splits['dev']} / test {splits['test']}).",
        "- Latency: one `FaqIndex.search(q, limit=3)` call on a built index, each question "
        "5 times; build = indexing all articles once per process.",
        "",
        "| analyzer | top-1 test | top-3 test | top-1 dev | top-3 dev | top-1 all | top-3 all "
        "| top-1 ko / en / mixed | typo probe top-1 | p50 ms | p95 ms | build ms | index KiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        per_lang = " / ".join(_pct(r.top1.get(g, 0.0)) for g in ("ko", "en", "mixed"))
        lines.append(
            f"| {r.name} | {_pct(r.top1['test'])} | {_pct(r.top3['test'])} "
            f"| {_pct(r.top1['dev'])} | {_pct(r.top3['dev'])} "
            f"| {_pct(r.top1['all'])} | {_pct(r.top3['all'])} | {per_lang} "
            f"| {_pct(r.typo_top1)} | {r.p50_ms:.3f} | {r.p95_ms:.3f} "
            f"| {r.build_ms:.0f} | {r.index_kib:.0f} |"
        )
    lines += _extra_tables(services)
    lines += ["", *PROSE, ""]
    return "\n".join(lines)


def _extra_tables(services: Sequence[ServiceTiming]) -> list[str]:
    """The kiwipiepy load cost (if it was loaded) and the suggest()-through-the-DB timings."""
    lines: list[str] = []
    if KIWI_COST:
        lines += [
            "",
            f"Loading kiwipiepy (model + first analysis) took {KIWI_COST['load_s']:.1f} s and "
            f"raised peak RSS by {KIWI_COST['rss_mib']:.0f} MiB; the default analyzer needs "
            "no model.",
        ]
    if services:
        lines += [
            "",
            "`suggest()` through the database, as `GET /api/v1/faq/suggest` calls it (fresh "
            "session per question: fingerprint query + cached index + answers; cold = first "
            "call, which builds the index from the database):",
            "",
            "| database | cold ms | p50 ms | p95 ms | top-3 all |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {t.backend} | {t.cold_ms:.1f} | {t.p50_ms:.3f} | {t.p95_ms:.3f} | {_pct(t.top3)} |"
            for t in services
        ]
    return lines


PROSE = """\
Columns: accuracy in % (top-1 = the expected article ranked first, top-3 = among the first
three); "typo probe" = every Korean keyword of 3+ syllables with one vowel shifted (seeded,
e.g. 배송비 -> 배숑비) plus " 문의", top-1 over those probes (synthetic, not the eval set).
The PostgreSQL row needs `--database-url` pointing at an empty throwaway database.

**Choice: the default row** (hand-written BM25F over Hangul character 1-3-grams with spaces
removed, consonant-skeleton bigrams, skip-bigrams, English stems and trigrams, question
scaffolding stripped, plus a keyword-coverage bonus). kiwipiepy + default was one question
better on each split until FAQ round 5 and is level with the default since (rescuing fewer
typos), and the kiwipiepy 0.24
model (`cong`, the only one kiwipiepy_model 0.24 ships) adds about 490 MB of RSS to every
process that searches and 2-4 s of start-up (measured above), and makes queries 2-3
times slower. For 15 articles that is not worth
it; revisit when the knowledge base reaches hundreds of articles or real logs show typo
misses. kiwipiepy alone loses to character n-grams (typos and unspaced slang break its
segmentation). bm25s was not used: with 15 documents BM25 is a few lines, and bm25s computes
the same formula without BM25F fields or the coverage bonus.

**Held-out discipline.** The questions in `bench/faq_eval.jsonl` were written and committed
(8a3278a) before the search engine and before any tuning; every third line is `dev` (48), the
rest `test` (94). Tuning read only the dev misses (`--misses dev`); test misses were never
listed. What tuning changed: (1) stripping question scaffolding (dev top-1 85.4 -> 87.5,
top-3 91.7 -> 97.9); (2) the keyword-coverage bonus (weight grid on dev: flat from 6 to 30,
10 chosen from the middle of the plateau); (3) 16 keywords added to 5 articles for dev
misses ("재고 있나요", "비밀번호 바꾸기", "gluten free", ...); (4) skip-bigrams, chosen on
the synthetic typo probe (equal on dev). A grid over field weights, k1 and b gave no dev
top-1 gain, so defaults stayed. The first, untuned run scored test 91.5 / 97.9 (top-1 /
top-3) with char 1-3 + skeleton, 93.6 / 98.9 with kiwipiepy + char, 68.1 / 77.7 for whole
words; test moved with dev, which suggests general gains, but one test question is 1.1
points. Since round 4 of "FAQ answers" (2026-12-05) the test split is a tuning split too:
its misses were read and some of its vocabulary went into the articles, so the table's test
columns are no longer a held-out figure; the held-out splits of "FAQ answers" are.

**Limits.** One engineer wrote both the articles and the questions, so the set is friendlier
than real traffic; replace it with labelled customer messages when the center has them.
This set has no "nothing matches" questions; "FAQ answers" below measures the no-match
gate and the harder set (`bench/faq_learning.py`).""".splitlines()


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def write_section(section: str) -> None:
    """Replace (or append) our section, leaving every other section of BENCHMARKS.md alone."""
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section.rstrip() + "\n\n", text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    BENCHMARKS.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--misses", choices=("dev", "test", "all"), help="list top-1 misses")
    parser.add_argument("--only", help="run only variants whose name contains this")
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        help="also time suggest() on this (empty, throwaway) database; SQLite is always timed",
    )
    args = parser.parse_args()
    articles = default_articles()
    cases = load_cases()
    results = []
    for name, make in VARIANTS.items():
        if args.only and args.only not in name:
            continue
        results.append(run_variant(name, make, articles, cases))
    services = [measure_service(cases, None)]
    services += [measure_service(cases, url) for url in args.database_url]
    section = render(results, cases, articles, services)
    print(section)
    if args.misses:
        for r in results:
            print(f"\n### misses: {r.name}")
            for case, slugs in r.misses:
                if args.misses in ("all", case.split):
                    print(f"  {case.q!r}: want {case.slug}, got {slugs}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {rss:.0f} MiB")
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
