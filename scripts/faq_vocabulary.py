"""Propose, offline, the words customers use for the FAQ articles' words, from a language model
rather than from the evaluation questions' misses; write the reviewed ones for run time.

    .venv/bin/python scripts/faq_vocabulary.py            # list proposals and their review state
    .venv/bin/python scripts/faq_vocabulary.py --write    # rewrite inbox/faq/vocabulary.json

Why: rounds 5 and 6 (docs/decisions.md) showed that synonyms one engineer writes for the misses
of questions the same engineer wrote do not carry over to the next questions. kiwipiepy's CoNg
model (`Kiwi(model_type="cong")`, kiwipiepy 0.24) embeds morphemes learnt from a large corpus;
its `most_similar_morphemes` proposes, for every content morpheme of the Korean titles,
keywords and answers, words other writers use in the same contexts. Most neighbours are
noise (배송비 → 득템, 교촌), so a proposal must pass mechanical filters first and a human
review second:

- the neighbour is a common noun or a verb/adjective (no proper nouns, adverbs, interjections),
  of two syllables or more (folding is by substring; one syllable is inside too many words);
- the similarity is at least MIN_SCORE and the pair is mutual: the article's morpheme is among
  the neighbour's own TOP_N neighbours (one-way neighbours are mostly frequent filler);
- the neighbour is not already a word of any article, nor a hand-written synonym
  (`inbox/faq/synonyms.py` wins), nor question scaffolding.

The review (`scripts/faq_vocabulary_review.json`) says, for every proposal, "accept" or why it
is rejected, judged on meaning alone (would a customer of this shop use the word for the
article's word?), never on the evaluation splits. A proposal without a decision is listed and
not written. Verbs are written as the surface forms kiwipiepy's `join` generates (바꾸 → 바꿔,
바꿨, 바꾼…), because the run time folds substrings and has no analyzer: a verb for a noun
(없애다 → 삭제) becomes 없앴 → 삭제했, 없앨 → 삭제할….

**Paradigms**: the hand-written verb synonyms (시킨 → 주문, 지워 → 삭제해) list the forms tuning
questions happened to use; kiwipiepy's analysis of each entry and `join` add the rest of the
paradigm (시키고, 시킴, 지웠, 고쳐…), no review needed beyond the hand entry's own.

**Lemma folding** (`--lemmas`; measured in FAQ round 7 and not kept: alone it cost top-3
answers and a silence on the tuning splits, BENCHMARKS.md) needs no review: every verb or
adjective of the Korean titles and keywords whose stem is not a prefix of its inflected forms
(걸리 → 걸려, 걸렸; 바뀌 → 바뀌어 keeps it, 바꾸 → 바꿔 does not) has those forms folded back to
the stem, so "며칠 걸려요" shares 걸리 with "배송은 얼마나 걸리나요?".

kiwipiepy is a dev extra (pyproject.toml) and is never imported at run time: the model costs
~490 MB of RSS per process (BENCHMARKS.md, "FAQ search"). `inbox/faq/vocabulary.json` is the
only product of this script, and it is committed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inbox.faq.articles import default_articles  # noqa: E402
from inbox.faq.synonyms import HAND_KO_SYNONYMS  # noqa: E402
from inbox.faq.text import KO_STOP_PHRASES, normalize  # noqa: E402

OUT = ROOT / "inbox" / "faq" / "vocabulary.json"
REVIEW = ROOT / "scripts" / "faq_vocabulary_review.json"

TOP_N = 20  # neighbours asked for, both ways
MIN_SCORE = 0.6  # cosine similarity; below it the neighbours are mostly topical, not synonyms
TARGET_TAGS = ("NNG", "VV", "VA")
VARIANT_TAGS = ("NNG", "VV", "VA")
# Endings whose fused forms customers type; kiwipiepy's join contracts them (바꾸+었 → 바꿨).
ENDINGS: tuple[tuple[str, str], ...] = (
    ("어", "EC"),
    ("었", "EP"),
    ("ᆫ", "ETM"),
    ("ᆯ", "ETM"),
    ("는", "ETM"),
    ("고", "EC"),
    ("면", "EC"),
    ("기", "ETN"),
    ("ᆷ", "ETN"),
    ("려고", "EC"),
    ("지", "EC"),
    ("어서", "EC"),
    ("어요", "EF"),
    ("나요", "EF"),
)


def _is_verb(tag: str) -> bool:
    return tag.startswith(("VV", "VA"))


def _hangul(text: str) -> bool:
    return bool(text) and all("가" <= c <= "힣" for c in text)


def article_text() -> str:
    """Every Korean title, keyword and answer, spaces removed: what 'already a word' means."""
    chunks = []
    for article in default_articles():
        text = article.texts["ko"]
        chunks.extend((text.title, text.answer, *text.keywords))
    return "".join(normalize(c).replace(" ", "") for c in chunks)


def target_morphemes(kiwi: Any, answers: bool = False) -> dict[tuple[str, str], set[str]]:
    """(form, tag) of every content morpheme of the Korean titles and keywords (and answers)
    -> its slugs."""
    out: dict[tuple[str, str], set[str]] = {}
    for article in default_articles():
        text = article.texts["ko"]
        for phrase in (text.title, *text.keywords, *([text.answer] if answers else [])):
            for token in kiwi.tokenize(phrase):
                if token.tag.startswith(TARGET_TAGS):
                    out.setdefault((token.form, token.tag), set()).add(article.slug)
    return out


def proposals(
    kiwi: Any, min_score: float = MIN_SCORE, answers: bool = False
) -> Iterator[dict[str, Any]]:
    """Every neighbour that passes the mechanical filters, best score first per variant."""
    known = article_text()
    hand = set(HAND_KO_SYNONYMS) | set(HAND_KO_SYNONYMS.values())
    targets = target_morphemes(kiwi, answers)
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for (form, tag), slugs in sorted(targets.items()):
        try:
            neighbours = kiwi.most_similar_morphemes((form, tag), top_n=TOP_N)
        except (ValueError, KeyError):
            continue
        for n in neighbours:
            variant = (n.form, n.tag)
            if not n.tag.startswith(VARIANT_TAGS) or n.score < min_score:
                continue
            if len(n.form) < 2 or not _hangul(n.form) or n.form in known or n.form in hand:
                continue
            if any(n.form in p or p in n.form for p in KO_STOP_PHRASES if len(p) >= 2):
                continue
            if variant in targets:
                continue
            back = kiwi.most_similar_morphemes(n.id, top_n=TOP_N)
            if not any((b.form, b.tag) == (form, tag) for b in back):
                continue
            row = {
                "variant": n.form,
                "variant_tag": n.tag,
                "target": form,
                "target_tag": tag,
                "score": round(float(n.score), 3),
                "slugs": sorted(slugs),
            }
            if variant not in best or row["score"] > best[variant]["score"]:
                best[variant] = row
    yield from sorted(best.values(), key=lambda r: (-r["score"], r["variant"]))


def _forms(kiwi: Any, morphemes: list[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    """(ending, surface) for the morphemes followed by every ending in ENDINGS."""
    for ending, tag in ENDINGS:
        yield ending, kiwi.join([*morphemes, (ending, tag)])


def surface_pairs(kiwi: Any, row: dict[str, Any]) -> dict[str, str]:
    """The substrings to fold for one accepted proposal: customer's form -> the article's."""
    variant, target = (row["variant"], row["variant_tag"]), (row["target"], row["target_tag"])
    if not _is_verb(variant[1]):
        # A noun for a noun; a noun for a verb has no single surface to fold to.
        return {variant[0]: target[0]} if not _is_verb(target[1]) else {}
    target_morphemes_ = [target] if _is_verb(target[1]) else [target, ("하", "XSV")]
    pairs = {variant[0]: target[0]} if len(variant[0]) >= 2 and _is_verb(target[1]) else {}
    targets = dict(_forms(kiwi, target_morphemes_))
    for ending, surface in _forms(kiwi, [variant]):
        if len(surface) >= 2 and _hangul(surface):
            pairs[surface] = targets[ending]
    return pairs


# The paradigm folds also take the honorific (부치시다, 부치셨어요: 아직 안 부치셨으면) and
# the promise (무를게요) a customer writes to the shop.
PARADIGM_ENDINGS: tuple[tuple[tuple[str, str], ...], ...] = (
    *(((ending, tag),) for ending, tag in ENDINGS),
    (("ᆯ게", "EF"),),
    (("시", "EP"),),
    (("시", "EP"), ("었", "EP")),
)


# Verbs whose every form is also another word's (a homograph: the same stem, another
# meaning). Their hand entries stay as written, request-shaped (무르고 싶, 물러 주세요, 부치는
# 값); generating the rest of the paradigm would fold the other meaning too. Reviewed by hand,
# like scripts/faq_vocabulary_review.json.
HOMOGRAPHS: dict[tuple[str, str], str] = {
    ("무르", "VV"): "무르다 is also soft: 변이 물러요, 캡슐이 물러졌어요",
    ("부치", "VV"): "부치다 is also frying and fanning: 전 부치는 법, 부채 부치다",
    ("씹히", "VV"): "씹히다 is also being chewed: 츄어블이 잘 씹혀요",
}


def _paradigm(kiwi: Any, morphemes: list[tuple[str, str]]) -> list[str]:
    return [kiwi.join([*morphemes, *ending]) for ending in PARADIGM_ENDINGS]


def reads_as(kiwi: Any, surface: str, stem: tuple[str, str]) -> bool:
    """Whether kiwipiepy, reading `surface` alone, finds the verb `stem` and its endings only.
    A form it reads as another word is a false friend of the family and is not folded: 부친
    (a father), 부칠 (a name), 무른 (a noun), 무를 (무 + 를), 물러서 (물러서다, to step back).
    A compound it splits (돌려보낸 = 돌리 + 어 + 보내) counts when its parts join to `stem`."""
    tokens = kiwi.tokenize(surface)
    verbs = [i for i, t in enumerate(tokens) if _is_verb(t.tag)]
    if not verbs or any(t.tag.startswith("N") for t in tokens):
        return False
    head = [(t.form, t.tag) for t in tokens[: verbs[-1] + 1]]
    return head == [stem] or (len(head) > 1 and kiwi.join(head).replace(" ", "") == stem[0])


def paradigm_pairs(kiwi: Any, known: str) -> dict[str, str]:
    """The missing inflections of the hand-written verb synonyms (시켰/시킨/시켜 → 주문…).

    The hand list has the forms that tuning questions happened to use; kiwipiepy's analysis
    of each entry gives the verb and what it folds to, and `join` the rest of the paradigm
    (시키고, 시키는, 시킴…; 지웠, 지운; 고쳐, 고쳤; 갈아탔, 갈아탄; honorific 지우셨). Only
    verbs of two syllables or more and no homograph (HOMOGRAPHS), only forms no hand entry
    already covers as a prefix or whole, and only forms kiwipiepy reads back as the same
    verb (`reads_as`). The run time
    folds them only where a word starts (`synonyms.word_start_keys`): 머물러 is not 물러.
    """
    hand = HAND_KO_SYNONYMS
    out: dict[str, str] = {}
    for key, value in hand.items():
        if " " in key:
            continue
        tokens = kiwi.tokenize(key)
        if not tokens or not _is_verb(tokens[0].tag) or len(tokens[0].form) < 2:
            continue
        if any(not t.tag.startswith(("E", "Z")) for t in tokens[1:]):
            continue  # 돌려드리 = 돌리 + 어 + 드리: not one verb
        stem = (tokens[0].form, tokens[0].tag)
        if stem in HOMOGRAPHS:
            continue
        target = [(t.form, t.tag) for t in kiwi.tokenize(value) if not t.tag.startswith("E")]
        if not target or any(not (t[1] in ("NNG", "XSV") or _is_verb(t[1])) for t in target):
            continue
        if target[-1][1] == "NNG":
            target.append(("하", "XSV"))
        targets = _paradigm(kiwi, target)
        for surface, folded in zip(_paradigm(kiwi, [stem]), targets, strict=True):
            if len(surface) < 2 or not _hangul(surface) or surface in known:
                continue
            if surface == folded or not reads_as(kiwi, surface, stem):
                continue
            if any(surface.startswith(k) for k in hand if " " not in k):
                continue
            out.setdefault(surface, folded)
    return out


def lemma_pairs(kiwi: Any) -> dict[str, str]:
    """Inflected forms of the titles' and keywords' verbs that hide the stem -> the stem."""
    known_synonyms = set(HAND_KO_SYNONYMS)
    out: dict[str, str] = {}
    for form, tag in sorted(target_morphemes(kiwi)):
        if not _is_verb(tag) or len(form) < 2 or any(form in p for p in KO_STOP_PHRASES):
            continue  # 어떻 (어떻게): scaffolding, removed before anything is compared
        for _ending, surface in _forms(kiwi, [(form, tag)]):
            if surface.startswith(form) or not _hangul(surface) or len(surface) < 2:
                continue
            if surface in known_synonyms:
                continue
            out[surface] = form
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {OUT.relative_to(ROOT)}")
    parser.add_argument(
        "--min-score", type=float, default=MIN_SCORE, help="a stricter similarity, for trials"
    )
    parser.add_argument(
        "--no-paradigms", action="store_true", help="leave the paradigm folds out, for trials"
    )
    parser.add_argument(
        "--lemmas", action="store_true", help="also write the lemma folds (measured, not kept)"
    )
    args = parser.parse_args()
    import kiwipiepy
    from kiwipiepy import Kiwi

    kiwi = Kiwi(model_type="cong")
    review = json.loads(REVIEW.read_text(encoding="utf-8")) if REVIEW.exists() else {}
    synonyms: dict[str, str] = {}
    known = article_text()
    unreviewed = 0
    for row in proposals(kiwi, args.min_score, answers=True):
        key = f"{row['variant']}/{row['variant_tag']} -> {row['target']}/{row['target_tag']}"
        decision = review.get(key)
        print(f"{row['score']:.3f}  {key:40s} {','.join(row['slugs']):40s} {decision or '?'}")
        if decision is None:
            unreviewed += 1
        elif decision == "accept":
            for variant, target in surface_pairs(kiwi, row).items():
                if variant not in known:  # 달라질 is in an answer: folding it re-indexes it
                    synonyms.setdefault(variant, target)
    paradigms = {k: v for k, v in paradigm_pairs(kiwi, known).items() if k not in synonyms}
    lemmas = {k: v for k, v in lemma_pairs(kiwi).items() if k not in synonyms}
    print(
        f"{len(paradigms)} paradigm folds: " + ", ".join(f"{k}→{v}" for k, v in paradigms.items())
    )
    print(f"\n{len(synonyms)} folds from accepted proposals, {unreviewed} unreviewed proposals")
    print(f"{len(lemmas)} lemma folds: " + ", ".join(f"{k}→{v}" for k, v in lemmas.items()))
    if args.write:
        data = {
            "generated_by": "scripts/faq_vocabulary.py",
            "model": f"kiwipiepy {kiwipiepy.__version__}, model_type=cong",
            "min_score": args.min_score,
            "top_n": TOP_N,
            "synonyms": dict(sorted(synonyms.items())),
            "paradigms": dict(sorted(paradigms.items())) if not args.no_paradigms else {},
            "lemmas": dict(sorted(lemmas.items())) if args.lemmas else {},
        }
        OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
