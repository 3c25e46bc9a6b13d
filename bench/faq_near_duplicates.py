"""Is a new FAQ question set really new? Near-duplicates against every question we have.

    .venv/bin/python bench/faq_near_duplicates.py NEW.jsonl
        # print every line of NEW that is near a question already in bench/faq_hard.jsonl,
        # bench/faq_eval.jsonl or the shipped inbox/faq/examples.json / no_answer.json;
        # exit 1 if there is one
    .venv/bin/python bench/faq_near_duplicates.py NEW.jsonl --known ALL.jsonl
        # the same against another reference (a writer's kit holds every known question in one
        # JSON Lines file, since the writer reads nothing of the repository)
    .venv/bin/python bench/faq_near_duplicates.py TRAINING.jsonl --drop-near HELD_OUT.jsonl \
        --out KEPT.jsonl
        # keep only the training lines that are near no held-out line; print counts only

Every check also compares each line of NEW with its earlier lines: round 22's writers were asked
to, since a split that repeats itself weighs one question twice.

A held-out split means something only if nothing tuned on resembles it, and exact matching
misses the usual copies: the same question re-spaced, one word swapped, a greeting changed.
Rounds 11-15 (docs/decisions.md) checked every held-out split this way before committing it,
and filtered every training set written alongside a held-out split against it. A pair is
near when, on the text lower-cased with spaces, punctuation and symbols removed, character
bigrams overlap by Jaccard >= 0.5 or difflib's SequenceMatcher ratio is >= 0.7. The --drop-near
mode prints no held-out text: whoever runs it must not read the split it protects.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JACCARD = 0.5
RATIO = 0.7
KNOWN = (
    ROOT / "bench" / "faq_hard.jsonl",
    ROOT / "bench" / "faq_eval.jsonl",
    ROOT / "inbox" / "faq" / "examples.json",
    ROOT / "inbox" / "faq" / "no_answer.json",
)


def normalized(text: str) -> str:
    """Lower-cased without spaces, punctuation and symbols; a question made only of those
    (🙏🙏, ?!?!) is kept as written without its spaces, so an exact repeat is still caught
    (round 17's writers both wrote 🙏🙏 and 👍👍, which normalised to nothing and passed)."""
    text = unicodedata.normalize("NFC", text).lower()
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZ")
    return kept or "".join(text.split())


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset({text})


def questions(path: Path) -> Iterator[str]:
    """The question texts of a JSON Lines split (field "q") or a shipped JSON file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        for line in text.splitlines():
            if line.strip():
                yield json.loads(line)["q"]
        return
    body = json.loads(text)
    if "examples" in body:
        for phrasings in body["examples"].values():
            yield from phrasings
    yield from body.get("questions", ())


class Reference:
    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = sorted({normalized(t) for t in texts} - {""})
        self._grams = [bigrams(t) for t in self.texts]

    def nearest(self, text: str) -> str | None:
        mine = normalized(text)
        grams = bigrams(mine)
        for other, theirs in zip(self.texts, self._grams, strict=True):
            if len(grams & theirs) / len(grams | theirs) >= JACCARD:
                return other
            if difflib.SequenceMatcher(None, mine, other).ratio() >= RATIO:
                return other
        return None


def check(new: Path, known: tuple[Path, ...] = KNOWN) -> int:
    reference = Reference(t for path in known if path.exists() for t in questions(path))
    found = 0
    earlier: list[str] = []
    for text in questions(new):
        other = reference.nearest(text)
        if other is None:
            own = Reference(earlier).nearest(text)
            other = None if own is None else f"{own} (an earlier line of this file)"
        if other is not None:
            found += 1
            print(f"{text!r}\n    near {other!r}")
        earlier.append(text)
    print(f"# {found} near-duplicate line(s) against {len(reference.texts)} known questions")
    return 1 if found else 0


def drop_near(training: Path, held_out: Path, out: Path) -> int:
    reference = Reference(questions(held_out))
    kept = dropped = 0
    with out.open("w", encoding="utf-8") as sink:
        for line in training.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            if reference.nearest(json.loads(line)["q"]) is None:
                sink.write(line + "\n")
                kept += 1
            else:
                dropped += 1
    print(f"kept {kept}, dropped {dropped} near a held-out line")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("new", type=Path, help="a JSON Lines question set")
    parser.add_argument("--drop-near", type=Path, help="a held-out split to filter against")
    parser.add_argument("--out", type=Path, help="where --drop-near writes the kept lines")
    parser.add_argument(
        "--known", type=Path, nargs="+", help="compare with these files instead of the bench's"
    )
    args = parser.parse_args()
    if args.drop_near is not None:
        if args.out is None:
            parser.error("--drop-near needs --out")
        sys.exit(drop_near(args.new, args.drop_near, args.out))
    sys.exit(check(args.new, tuple(args.known) if args.known else KNOWN))


if __name__ == "__main__":
    main()
