"""A learned last look for danger: character n-grams of plain-worded safety notes.

The concept rules (:mod:`referral.rules`) read who did what to whom, but only in the words of
the lexicon, and people describe danger in endless other ways: 「ゴミ箱あさってる」,
「保険証と鍵は机の上」, "his lips are going blue". When the rules find no safety clue at all,
this model reads the note as a string of characters (two and three at a time, so it needs no
word list and copes with kana, dialect and typos) and asks which kind of danger — or none —
notes like it were about. It was trained by ``scripts/train_associations.py`` on safety notes
written blind by people who never saw the lexicon (the ``dev`` half of
``benchmarks/data/safety_notes.tsv`` and two later sets) against near-misses, community
newsletters and real case excerpts of concerns that need no safety advice (the corpus's
``dev`` part); never on a frozen ``test`` row.

A category that beats "none" by at least :data:`MIN_MARGIN` (in natural-log units) gives a
*weak* safety clue: its advice is shown, said to be weak, and named by the stretches of the
note that pointed to it. It never makes a concern match, and it is never consulted when the
rules already found a safety clue.

Examples
--------
>>> model = load_safety_ngrams()
>>> model.min_margin, len(model.categories)
(30.0, 7)
>>> model.guess("お天気がよいので公園で体操をしました。") is None
True
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "MIN_COUNT",
    "MIN_MARGIN",
    "SafetyGuess",
    "SafetyNgrams",
    "load_safety_ngrams",
    "ngrams",
    "train_safety_ngrams",
]

MIN_MARGIN = 30.0
"""How far (log-likelihood) a danger category must beat "none" to give a weak clue. Chosen on
the blind set s4, held out of training: with the rules, 0.63 of its danger notes get the right
advice first (0.54 with the rules alone), near-misses with advice 7 of 30 (6), the team's
non-safety notes with advice 7 of 231 (4). A lower margin finds more and alarms more (20:
0.66, 11 of 30, 7 of 231). See ``benchmarks/data/CORPUS.md``."""

MIN_COUNT = 2
"""N-grams seen in fewer training notes than this are not kept (they only add noise)."""

SMOOTHING = 0.5

NONE = "none"

_SPACE = re.compile(r"\s+")


def ngrams(text: str) -> list[str]:
    """The distinct two- and three-character strings of ``text`` (lower case, runs of space
    as one), in order of first appearance.

    >>> ngrams("Ab c")
    ['ab', 'b ', ' c', 'ab ', 'b c']
    """
    t = _SPACE.sub(" ", text.lower())
    seen: dict[str, None] = {}
    for n in (2, 3):
        for i in range(len(t) - n + 1):
            seen.setdefault(t[i : i + n], None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class SafetyGuess:
    """The danger a note's characters lean towards, by how much, and the stretches of the
    note (start, end) that lean most.
    """

    category: str
    margin: float
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SafetyNgrams:
    """Per-category log-probabilities of n-grams (multinomial naive Bayes over distinct
    n-grams), with a prior per category.
    """

    categories: tuple[str, ...]
    log_prior: tuple[float, ...]
    log_prob: dict[str, tuple[float, ...]]
    min_margin: float = MIN_MARGIN

    def scores(self, text: str) -> dict[str, float]:
        """Each category's log-likelihood for ``text`` (n-grams not in the model ignored)."""
        get = self.log_prob.get
        rows = [p for p in map(get, ngrams(text)) if p is not None]
        sums = map(sum, zip(*rows, strict=True)) if rows else (0.0 for _ in self.categories)
        totals = (prior + s for prior, s in zip(self.log_prior, sums, strict=True))
        return dict(zip(self.categories, totals, strict=True))

    def guess(self, text: str) -> SafetyGuess | None:
        """The danger category ``text`` leans towards by at least ``min_margin``, or None."""
        s = self.scores(text)
        best = max((c for c in self.categories if c != NONE), key=s.__getitem__)
        margin = s[best] - s[NONE]
        if margin < self.min_margin:
            return None
        return SafetyGuess(best, round(margin, 1), self._spans(text, best))

    def _spans(self, text: str, category: str) -> tuple[tuple[int, int], ...]:
        """The (at most three) runs of characters whose trigrams lean most to ``category``."""
        k, none = self.categories.index(category), self.categories.index(NONE)
        lower = text.lower()
        lean = [0.0] * len(text)
        for i in range(len(text) - 2):
            probs = self.log_prob.get(lower[i : i + 3])
            if probs is not None and probs[k] - probs[none] > 1.0:
                for j in range(i, i + 3):
                    lean[j] = max(lean[j], probs[k] - probs[none])
        runs: list[tuple[float, int, int]] = []
        i = 0
        while i < len(text):
            if lean[i] > 0 and not text[i].isspace():
                j = i
                while j < len(text) and lean[j] > 0:
                    j += 1
                runs.append((sum(lean[i:j]), i, j))
                i = j
            else:
                i += 1
        best = sorted(runs, reverse=True)[:3]
        return tuple(sorted((a, b) for _, a, b in best))

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SafetyNgrams:
        """The model from the counts written by :func:`train_safety_ngrams`."""
        categories = tuple(doc["categories"])
        notes = doc["notes"]
        counts: dict[str, list[int]] = doc["counts"]
        totals = [sum(c[k] for c in counts.values()) for k in range(len(categories))]
        vocab = len(counts)
        denom = [t + SMOOTHING * vocab for t in totals]
        all_notes = sum(notes)
        return cls(
            categories=categories,
            log_prior=tuple(math.log(n / all_notes) for n in notes),
            log_prob={
                g: tuple(math.log((c[k] + SMOOTHING) / denom[k]) for k in range(len(c)))
                for g, c in counts.items()
            },
            min_margin=float(doc.get("min_margin", MIN_MARGIN)),
        )


def train_safety_ngrams(examples: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Counts for :class:`SafetyNgrams` from (category, text) pairs ("none" for near-misses
    and neutral text), as a JSON-ready dict.
    """
    per: dict[str, Counter[str]] = {}
    notes: Counter[str] = Counter()
    for category, text in examples:
        notes[category] += 1
        per.setdefault(category, Counter()).update(ngrams(text))
    categories = sorted(per)
    if NONE not in per:
        raise ValueError("training needs neutral ('none') examples")
    seen: Counter[str] = Counter()
    for c in per.values():
        seen.update(c)
    kept = sorted(g for g, n in seen.items() if n >= MIN_COUNT)
    return {
        "categories": categories,
        "notes": [notes[c] for c in categories],
        "min_margin": MIN_MARGIN,
        "counts": {g: [per[c][g] for c in categories] for g in kept},
    }


@lru_cache(maxsize=1)
def load_safety_ngrams() -> SafetyNgrams:
    """The bundled model (``referral/safety_ngrams.json``), read once."""
    raw = resources.files("referral").joinpath("safety_ngrams.json").read_text(encoding="utf-8")
    return SafetyNgrams.from_json(json.loads(raw))
