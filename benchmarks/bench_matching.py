"""Matching quality and speed on the team's labelled notes, beside a naive baseline.

Quality: precision, recall and F1 per concern and overall (micro), on the whole set and on
its held-out quarter (notes written before the alias lists and never tuned against), plus
the false-positive rate on neutral notes. The baseline is the naive one the issue names:
substring search for each concern's Japanese label; a second, fairer baseline also searches
the label's parts (split at brackets and ・).

Speed: notes per second on 200-character notes, on one core, as a ratio to the baseline
measured in the same run.
"""

from __future__ import annotations

import csv
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from referral.matching import default_matcher, load_concerns

NOTES = Path(__file__).resolve().parent / "data" / "notes.tsv"

Detector = Callable[[str], set[str]]


@dataclass(frozen=True)
class Note:
    id: str
    split: str
    gold: frozenset[str]
    text: str


def load_notes(path: Path = NOTES) -> list[Note]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        Note(
            r["id"],
            r["split"],
            frozenset() if r["concerns"] == "none" else frozenset(r["concerns"].split(",")),
            r["text"],
        )
        for r in rows
    ]


def ours() -> Detector:
    matcher = default_matcher()
    return lambda text: {m.concern for m in matcher.match(text)}


def label_substring() -> Detector:
    """The naive baseline: whether the concern's Japanese label is a substring of the note."""
    labels = [(c.id, c.name.ja) for c in load_concerns()]
    return lambda text: {cid for cid, label in labels if label in text}


NOTE_CHARS = 200
"""Characters of each note the speed is measured on."""


def label_parts() -> Detector:
    """A fairer baseline: any part of the label (split at brackets, ・ and 、) is a substring."""
    parts = [
        (c.id, p)
        for c in load_concerns()
        for p in re.split(r"[（）()「」・、/]|いわゆる", c.name.ja)
        if len(p) >= 2  # noqa: PLR2004 - one character finds anything
    ]
    return lambda text: {cid for cid, p in parts if p in text}


def scores(notes: Iterable[Note], detect: Detector) -> dict[str, Any]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    neutral = neutral_fp = 0
    for note in notes:
        got = detect(note.text)
        for c in got & note.gold:
            tp[c] += 1
        for c in got - note.gold:
            fp[c] += 1
        for c in note.gold - got:
            fn[c] += 1
        if not note.gold:
            neutral += 1
            neutral_fp += bool(got)
    per: dict[str, tuple[float, float, float, int]] = {}
    for c in sorted(set(tp) | set(fn) | set(fp)):
        per[c] = (*_prf(tp[c], fp[c], fn[c]), tp[c] + fn[c])
    return {
        "overall": _prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
        "per_concern": per,
        "neutral": neutral,
        "neutral_fp_rate": neutral_fp / neutral if neutral else 0.0,
    }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0 if not fn else 0.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def two_hundred_char_notes(notes: list[Note], n: int = 400) -> list[str]:
    """Notes of exactly 200 characters, made by joining labelled notes in turn."""
    out: list[str] = []
    i = 0
    while len(out) < n:
        text = ""
        while len(text) < NOTE_CHARS:
            text += notes[i % len(notes)].text
            i += 1
        out.append(text[:NOTE_CHARS])
    return out


def throughput(detect: Detector, texts: list[str], *, min_seconds: float = 1.0) -> float:
    """Notes per second (single thread), repeating until ``min_seconds`` have passed."""
    done, start = 0, time.perf_counter()
    while True:
        for t in texts:
            detect(t)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def run(*, quick: bool = False) -> dict[str, Any]:
    notes = load_notes()
    detectors = {
        "referral": ours(),
        "baseline (label substring)": label_substring(),
        "baseline (label parts)": label_parts(),
    }
    quality = {
        name: {
            "all": scores(notes, d),
            "holdout": scores([n for n in notes if n.split == "holdout"], d),
        }
        for name, d in detectors.items()
    }
    texts = two_hundred_char_notes(notes, 100 if quick else 400)
    secs = 0.3 if quick else 1.5
    speed = {name: throughput(d, texts, min_seconds=secs) for name, d in detectors.items()}
    return {
        "notes": len(notes),
        "holdout": sum(n.split == "holdout" for n in notes),
        "quality": quality,
        "notes_per_second": speed,
        "speed_ratio": speed["referral"] / speed["baseline (label substring)"],
    }


def report(result: dict[str, Any]) -> str:
    q = result["quality"]
    ours_all, base_all = q["referral"]["all"], q["baseline (label substring)"]["all"]
    parts_all = q["baseline (label parts)"]["all"]
    lines = [
        f"Matching quality on {result['notes']} labelled notes "
        f"({result['holdout']} held out; {ours_all['neutral']} neutral)",
        "",
    ]
    head = f"{'concern':<20} {'n':>3}  {'P':>5} {'R':>5} {'F1':>5}   baseline F1  parts F1"
    lines += [head, "-" * len(head)]
    for c, (p, r, f, n) in ours_all["per_concern"].items():
        bf = base_all["per_concern"].get(c, (0, 0, 0.0, 0))[2]
        pf = parts_all["per_concern"].get(c, (0, 0, 0.0, 0))[2]
        lines.append(f"{c:<20} {n:>3}  {p:5.2f} {r:5.2f} {f:5.2f}   {bf:11.2f}  {pf:8.2f}")
    lines.append("")
    for name, res in q.items():
        for split in ("all", "holdout"):
            p, r, f = res[split]["overall"]
            fpr = res[split]["neutral_fp_rate"]
            lines.append(
                f"{name:<28} {split:<8} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  "
                f"neutral false positives {fpr:.1%}"
            )
    lines.append("")
    for name, nps in result["notes_per_second"].items():
        lines.append(f"{name:<28} {nps:12,.0f} notes/s (200-char notes, one thread)")
    lines.append(f"speed ratio referral / label-substring baseline: {result['speed_ratio']:.4f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
