"""Matching quality on text we did not write: the corpus of real excerpts and the safety notes.

For each labelled excerpt the matcher's concerns are ranked (most sure first) and compared
with the labels: is the main concern at the top, among the first three, and which labelled
concerns are found at all (recall, per concern and overall). Neutral excerpts (community
newsletters) must give nothing. Figures are given for the ``dev`` part (tuned on) and the
``test`` part (frozen before tuning, never tuned on), for the matcher as it is and, beside it
in the same run, the matcher as it was before it read concepts (``baseline/matcher_v1.py``).

Safety notes (written blind): for each note of a category that needs safety advice, does the
right advisory come first (and is it there at all); for the neutral near-misses, is there
none. Speed: notes per second on 200-character notes cut from the corpus, one thread, beside
the old matcher in the same run.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline.matcher_v1 import old_matcher

from referral.matching import default_matcher

DATA = Path(__file__).resolve().parent / "data"

Reading = tuple[list[str], list[str]]  # concerns (most sure first), advisories (in order)
Detector = Callable[[str], Reading]

ADVISORY_OF = {
    "child_abuse": "child_abuse_189",
    "suicide_risk": "suicide_emergency",
    "domestic_violence": "dv_confidential",
    "emergency": "emergency_check",
    "elder_abuse": "elder_abuse_report",
    "disability_abuse": "disability_abuse_report",
}
"""The advisory each safety-note category must bring first."""


@dataclass(frozen=True)
class Excerpt:
    id: str
    split: str
    lang: str
    gold: frozenset[str]
    main: str | None
    kind: str
    text: str


@dataclass(frozen=True)
class SafetyNote:
    id: str
    split: str
    category: str
    lang: str
    text: str


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def load_corpus() -> list[Excerpt]:
    return [
        Excerpt(
            r["id"],
            r["split"],
            r["lang"],
            frozenset() if r["concerns"] == "none" else frozenset(r["concerns"].split(",")),
            None if r["main"] == "none" else r["main"],
            r["kind"],
            r["text"],
        )
        for r in _rows("corpus.tsv")
    ]


def load_safety_notes() -> list[SafetyNote]:
    return [
        SafetyNote(r["id"], r["split"], r["category"], r["lang"], r["text"])
        for r in _rows("safety_notes.tsv")
    ]


def load_more_safety_notes() -> list[SafetyNote]:
    """Later blind safety notes (``safety_more.tsv``), their batch as their split."""
    return [
        SafetyNote(f"{r['batch']}-{i}", r["batch"], r["category"], r["lang"], r["text"])
        for i, r in enumerate(_rows("safety_more.tsv"))
    ]


def load_more_neutral() -> list[Excerpt]:
    """Later neutral excerpts from community pages (``neutral_more.tsv``)."""
    return [
        Excerpt(f"{r['batch']}-{i}", r["batch"], r["lang"], frozenset(), None, "neutral", r["text"])
        for i, r in enumerate(_rows("neutral_more.tsv"))
    ]


BATCHES = {
    "s2": "s2 safety notes (tuned on)",
    "s3": "s3 safety notes (read once, then tuned on)",
    "s4": "s4 safety notes (held out)",
    "n4": "n4 neutral (tuned on)",
    "n5": "n5 neutral (read, not tuned on)",
}


# -- the detectors -------------------------------------------------------------------------
def old() -> Detector:
    """The matcher before concepts: its concerns, and its route's advisories (safety
    concerns first, in the order of the match).
    """
    matcher = old_matcher()

    def detect(text: str) -> Reading:
        found = [m.concern for m in matcher.match(text)]
        safety = [c for c in found if matcher.concerns[c].safety]
        return found, [matcher.concerns[c].safety[0] for c in safety]

    return detect


def new() -> Detector:
    """The matcher as it is: its concerns and its advisories (weak clues included)."""
    matcher = default_matcher()
    read = getattr(matcher, "read", None)
    if read is None:  # before concepts: the same as the old one
        return old()

    def detect(text: str) -> Reading:
        reading = read(text)
        return [m.concern for m in reading.matches], [a.rule for a in reading.advisories]

    return detect


# -- the measures --------------------------------------------------------------------------
def quality(excerpts: Iterable[Excerpt], detect: Detector) -> dict[str, Any]:
    """Top-1 and top-3 of the main concern, label recall and precision, per-concern recall,
    false positives on neutral excerpts.
    """
    n = top1 = top3 = 0
    found_labels = gold_labels = reported = 0
    per_found: Counter[str] = Counter()
    per_gold: Counter[str] = Counter()
    neutral = neutral_fp = 0
    misses: list[str] = []
    for e in excerpts:
        ranked, _ = detect(e.text)
        if e.main is None:
            neutral += 1
            neutral_fp += bool(ranked)
            continue
        n += 1
        top1 += ranked[:1] == [e.main]
        top3 += e.main in ranked[:3]
        hit = e.gold & set(ranked)
        found_labels += len(hit)
        gold_labels += len(e.gold)
        reported += len(ranked)
        per_gold.update(e.gold)
        per_found.update(hit)
        if e.main not in ranked[:3]:
            misses.append(e.id)
    return {
        "excerpts": n,
        "top1": top1 / n if n else 0.0,
        "top3": top3 / n if n else 0.0,
        "label_recall": found_labels / gold_labels if gold_labels else 0.0,
        "label_precision": found_labels / reported if reported else 1.0,
        "per_concern_recall": {c: (per_found[c] / per_gold[c], per_gold[c]) for c in per_gold},
        "neutral": neutral,
        "neutral_fp_rate": neutral_fp / neutral if neutral else 0.0,
        "misses": misses,
    }


def safety(notes: Iterable[SafetyNote], detect: Detector) -> dict[str, Any]:
    """Share of danger notes whose advisory comes first (and is there at all); neutral
    notes with any advisory.
    """
    danger = first = present = neutral = neutral_any = 0
    per: Counter[tuple[str, bool]] = Counter()
    failed: list[str] = []
    for note in notes:
        _, advisories = detect(note.text)
        if note.category == "none":
            neutral += 1
            neutral_any += bool(advisories)
            if advisories:
                failed.append(note.id)
            continue
        want = ADVISORY_OF[note.category]
        danger += 1
        ok = advisories[:1] == [want]
        first += ok
        present += want in advisories
        per[note.category, ok] += 1
        if not ok:
            failed.append(note.id)
    return {
        "danger": danger,
        "first": first / danger if danger else 0.0,
        "present": present / danger if danger else 0.0,
        "per_category": {
            c: per[c, True] / (per[c, True] + per[c, False]) for c in sorted({c for c, _ in per})
        },
        "neutral": neutral,
        "neutral_with_advisory": neutral_any / neutral if neutral else 0.0,
        "failed": failed,
    }


NOTE_CHARS = 200
"""Characters of each note the speed is measured on."""


def two_hundred_char_notes(texts: Sequence[str], n: int = 400) -> list[str]:
    """Notes of exactly 200 characters, made by joining excerpts in turn."""
    out: list[str] = []
    i = 0
    while len(out) < n:
        text = ""
        while len(text) < NOTE_CHARS:
            text += texts[i % len(texts)]
            i += 1
        out.append(text[:NOTE_CHARS])
    return out


def throughput(detect: Detector, texts: list[str], *, min_seconds: float = 1.0) -> float:
    """Notes per second (one thread), repeating until ``min_seconds`` have passed."""
    for t in texts[:20]:
        detect(t)  # warm up: dictionaries opened, lexicon compiled
    done, start = 0, time.perf_counter()
    while True:
        for t in texts:
            detect(t)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def run(*, quick: bool = False) -> dict[str, Any]:
    corpus = load_corpus()
    notes = load_safety_notes()
    detectors = {"referral": new(), "old matcher": old()}
    result: dict[str, Any] = {"excerpts": len(corpus), "safety_notes": len(notes)}
    for name, detect in detectors.items():
        result[name] = {
            split: {
                "corpus": quality([e for e in corpus if e.split == split], detect),
                "safety": safety([s for s in notes if s.split == split], detect),
            }
            for split in ("dev", "test")
        }
    more_notes, more_neutral = load_more_safety_notes(), load_more_neutral()
    for name, detect in detectors.items():
        result[name]["later"] = {
            batch: (
                safety([s for s in more_notes if s.split == batch], detect)
                if batch.startswith("s")
                else quality([e for e in more_neutral if e.split == batch], detect)
            )
            for batch in BATCHES
        }
    texts = two_hundred_char_notes([e.text for e in corpus], 100 if quick else 400)
    secs = 0.3 if quick else 2.0
    speed = {name: throughput(d, texts, min_seconds=secs) for name, d in detectors.items()}
    speed["the analyser alone (floor)"] = throughput(_analyser_only(), texts, min_seconds=secs)
    result["notes_per_second"] = speed
    result["speed_ratio"] = speed["referral"] / speed["old matcher"]
    return result


def _analyser_only() -> Detector:
    """Only the morphological analysis every reading starts with: the most any matcher built
    on it could do.
    """
    from referral.morphology import analyse  # noqa: PLC0415

    def detect(text: str) -> Reading:
        analyse(text)
        return [], []

    return detect


def report(result: dict[str, Any]) -> str:
    ours, base = result["referral"], result["old matcher"]
    lines = [
        f"Quality on text we did not write: {result['excerpts']} excerpts, "
        f"{result['safety_notes']} safety notes (test = frozen before tuning)",
        "",
        f"{'':<28}{'test':>8}{'old':>8}{'dev':>8}{'old':>8}",
    ]

    def row(label: str, get: Callable[[dict[str, Any]], float]) -> None:
        vals = [get(ours["test"]), get(base["test"]), get(ours["dev"]), get(base["dev"])]
        lines.append(f"{label:<28}" + "".join(f"{v:8.3f}" for v in vals))

    row("main concern at the top", lambda s: s["corpus"]["top1"])
    row("main concern in the top 3", lambda s: s["corpus"]["top3"])
    row("labelled concerns found", lambda s: s["corpus"]["label_recall"])
    row("reported that are labelled", lambda s: s["corpus"]["label_precision"])
    row("neutral with a concern", lambda s: s["corpus"]["neutral_fp_rate"])
    row("safety advisory first", lambda s: s["safety"]["first"])
    row("safety advisory shown", lambda s: s["safety"]["present"])
    row("near-miss with an advisory", lambda s: s["safety"]["neutral_with_advisory"])
    lines += ["", "Per-concern recall on the test part (labelled excerpts):", ""]
    lines.append(f"{'concern':<22}{'n':>4}{'referral':>10}{'old':>8}")
    per_new = ours["test"]["corpus"]["per_concern_recall"]
    per_old = base["test"]["corpus"]["per_concern_recall"]
    for c in sorted(per_new):
        r, n = per_new[c]
        lines.append(f"{c:<22}{n:>4}{r:>10.2f}{per_old.get(c, (0.0, n))[0]:>8.2f}")
    lines += ["", "Safety advisory first, per category (test):", ""]
    for c, share in ours["test"]["safety"]["per_category"].items():
        old_share = base["test"]["safety"]["per_category"].get(c, 0.0)
        lines.append(f"{c:<22}{share:>10.2f}{old_share:>8.2f}")
    lines += ["", "Later blind sets (see CORPUS.md):", ""]
    lines.append(f"{'':<72}{'referral':>9}{'old':>8}")
    for batch, about in BATCHES.items():
        a, b = ours["later"][batch], base["later"][batch]
        if batch.startswith("s"):
            pairs = [
                ("advisory first", a["first"], b["first"]),
                (
                    "near-miss with an advisory",
                    a["neutral_with_advisory"],
                    b["neutral_with_advisory"],
                ),
            ]
        else:
            pairs = [("with a concern", a["neutral_fp_rate"], b["neutral_fp_rate"])]
        for what, x, y in pairs:
            lines.append(f"{about + ': ' + what:<72}{x:>9.3f}{y:>8.3f}")
    lines.append("")
    for name, nps in result["notes_per_second"].items():
        lines.append(f"{name:<28} {nps:10,.0f} notes/s (200-char notes, one thread)")
    lines.append(f"speed ratio referral / old matcher: {result['speed_ratio']:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
