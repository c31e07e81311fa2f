"""Learn the word associations (``referral/associations.json``) from the ``dev`` part of the
evaluation corpus, and only from it: the frozen ``test`` part is never read into them; and the
safety n-grams (``referral/safety_ngrams.json``) from the ``dev`` half of the safety notes, the
later blind sets s2 and s3 (never s4, held out) and neutral text (the corpus's dev neutral
excerpts and batch n4).

Usage: python scripts/train_associations.py [--check]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from referral.association import MAX_WEIGHT, MIN_SCORE, content_lemmas, train
from referral.morphology import analyse
from referral.safety_ngrams import train_safety_ngrams

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "data" / "corpus.tsv"
TARGET = ROOT / "referral" / "associations.json"
DATA = ROOT / "benchmarks" / "data"
SAFETY_TARGET = ROOT / "referral" / "safety_ngrams.json"
SAFETY_BATCHES = ("s2", "s3")
NEUTRAL_BATCHES = ("n4",)
SAFETY_CONCERNS = frozenset(
    {
        "child_abuse",
        "suicide_risk",
        "domestic_violence",
        "elder_abuse",
        "disability_abuse",
        "welfare_check",
    }
)


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def safety_examples() -> list[tuple[str, str]]:
    """(category, text) for the safety n-grams: never a test row, never batch s4 or n5."""
    out = [(r["category"], r["text"]) for r in _rows("safety_notes.tsv") if r["split"] == "dev"]
    out += [
        (r["category"], r["text"]) for r in _rows("safety_more.tsv") if r["batch"] in SAFETY_BATCHES
    ]
    out += [  # neutral excerpts, and cases of concerns that need no safety advice
        ("none", r["text"])
        for r in _rows("corpus.tsv")
        if r["split"] == "dev" and not set(r["concerns"].split(",")) & SAFETY_CONCERNS
    ]
    out += [("none", r["text"]) for r in _rows("neutral_more.tsv") if r["batch"] in NEUTRAL_BATCHES]
    return out


def safety_text() -> str:
    doc = {
        "about": "Character n-gram counts per safety category, learned by "
        "scripts/train_associations.py from blind safety notes (dev half, batches s2 and s3) "
        "and as 'none' neutral text and cases needing no safety advice (corpus dev, batch n4); "
        "never a test row: do not edit.",
        **train_safety_ngrams(safety_examples()),
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def examples() -> list[tuple[list[str], list[str]]]:
    with CORPUS.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["split"] == "dev"]
    return [
        (
            [t.lemma for t in content_lemmas(analyse(r["text"]))],
            [] if r["concerns"] == "none" else r["concerns"].split(","),
        )
        for r in rows
    ]


def trained_text() -> str:
    data = examples()
    weights = train(data)
    doc = {
        "about": "Word weights per concern learned by scripts/train_associations.py from the "
        "dev part of benchmarks/data/corpus.tsv (never the test part): do not edit.",
        "excerpts": len(data),
        "min_score": MIN_SCORE,
        "max_weight": MAX_WEIGHT,
        "weights": {w: weights[w] for w in sorted(weights)},
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    outputs = {TARGET: trained_text(), SAFETY_TARGET: safety_text()}
    if "--check" in argv:
        stale = [
            p.name
            for p, text in outputs.items()
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        if stale:
            print(f"{', '.join(stale)} out of date: run scripts/train_associations.py")
            return 1
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
