"""Word associations: which words of a note lean towards which concern, learned from text
others wrote.

Concept rules (:mod:`referral.rules`) are precise but only know the phrasings written into
the lexicon. Real notes say the same things in many other words. The associations fill that
gap: for every concern, each content word (a lemma) has a weight, its log-odds of appearing in
an excerpt labelled with that concern against the others, learned by ``scripts/
train_associations.py`` from the ``dev`` part of the evaluation corpus only (never the frozen
``test`` part). A note's score for a concern sums the weights of the distinct words it has;
a concern scoring at least :data:`MIN_SCORE`, and above the "no concern" class, gets one piece
of evidence whose weight grows with the score up to :data:`MAX_WEIGHT` (below the threshold a
concern needs alone, so words alone make a concern only with other evidence or many words).

Associations never bring safety advice on their own: a safety clue needs a cue or an alias.
Words in ruled-out, supposed, past or announced sentences do not count.

Examples
--------
>>> from referral.morphology import analyse
>>> a = load_associations()
>>> a.min_score, a.min_score_alone, a.max_weight
(5.0, 12.0, 0.75)
>>> words = [t.lemma for t in content_lemmas(analyse("ゴミが山積みで悪臭がする"))]
>>> sorted(a.evidence(words, named=["hoarding"]))
['hoarding']
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .morphology import Token

__all__ = [
    "MAX_WEIGHT",
    "MAX_WORD_WEIGHT",
    "MIN_SCORE",
    "MIN_SCORE_ALONE",
    "Associations",
    "content_lemmas",
    "load_associations",
    "train",
]

MIN_SCORE = 5.0
"""A concern's summed word weights from which the words count as evidence (validated on
excerpts from sources outside the training excerpts: see ``benchmarks/data/CORPUS.md``)."""

MAX_WEIGHT = 0.75
"""The most a concern's words can weigh as one piece of evidence."""

MIN_SCORE_ALONE = 12.0
"""The score from which words count for a concern that nothing else in the note names (a
higher bar: words alone are the weakest evidence)."""

CONTENT_POS = frozenset({"noun", "verb", "adj", "adv", "word"})
"""Parts of speech whose lemmas carry meaning (particles, auxiliaries and numbers do not)."""

STOPWORDS = frozenset(
    {
        "為る",
        "居る",
        "有る",
        "成る",
        "言う",
        "こと",
        "事",
        "物",
        "もの",
        "よう",
        "の",
        "方",
        "時",
        "今",
        "人",
        "さん",
        "the",
        "a",
        "be",
        "and",
        "to",
        "of",
        "in",
        "it",
        "that",
        "i",
        "she",
        "he",
        "they",
        "have",
        "with",
        "for",
        "on",
        "at",
        "this",
        "was",
        "my",
        "her",
        "his",
        "you",
        "we",
        "not",
        "but",
        "as",
        "so",
        "do",
        "me",
        "an",
        "or",
        "is",
    }
)
"""Frequent words that say nothing of any concern."""

NONE = "none"
"""The class of excerpts with no concern (community newsletters)."""


def content_lemmas(tokens: Iterable[Token]) -> list[Token]:
    """The tokens whose lemmas can carry a concern."""
    return [
        t
        for t in tokens
        if t.pos in CONTENT_POS
        and len(t.lemma) > 1
        and t.lemma not in STOPWORDS
        and not t.lemma.isdecimal()
    ]


@dataclass(frozen=True)
class Associations:
    """Word weights per concern (and for "no concern"), as learned."""

    weights: dict[str, dict[str, float]]  # lemma -> concern -> weight (> 0 only)
    min_score: float = MIN_SCORE
    max_weight: float = MAX_WEIGHT
    min_score_alone: float = MIN_SCORE_ALONE

    def scores(self, lemmas: Iterable[str]) -> dict[str, tuple[float, list[str]]]:
        """Each concern's score from the distinct ``lemmas`` and the words behind it, the
        heaviest first.
        """
        acc: dict[str, float] = defaultdict(float)
        words: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for lemma in dict.fromkeys(lemmas):
            for concern, w in self.weights.get(lemma, {}).items():
                acc[concern] += w
                words[concern].append((w, lemma))
        return {c: (v, [w for _, w in sorted(words[c], reverse=True)]) for c, v in acc.items()}

    def evidence(
        self, lemmas: Iterable[str], *, named: Iterable[str] = ()
    ) -> dict[str, tuple[float, list[str]]]:
        """The concerns the words point to strongly enough: their evidence weight and the
        words behind it. A concern in ``named`` (already read otherwise) needs
        :attr:`min_score`; any other :attr:`min_score_alone`.
        """
        scores = self.scores(lemmas)
        none = scores.get(NONE, (0.0, []))[0]
        named = set(named)
        out = {}
        for concern, (v, words) in scores.items():
            floor = max(self.min_score if concern in named else self.min_score_alone, none)
            if concern != NONE and v >= floor:
                weight = min(self.max_weight, self.max_weight * (v - self.min_score + 2) / 4)
                out[concern] = (round(weight, 3), words)
        return out


MAX_WORD_WEIGHT = 3.0
"""The most one word can weigh for a concern (a rare word seen twice cannot decide alone)."""


def train(
    examples: Sequence[tuple[Sequence[str], Iterable[str]]], *, min_df: int = 2
) -> dict[str, dict[str, float]]:
    """Word weights from ``examples`` (the lemmas of an excerpt, its concerns; no concern
    is "none"): for each concern, the log-odds of a word in its excerpts against the others,
    with a light prior; only words seen in ``min_df`` excerpts or more, only positive weights.

    >>> w = train([(["虐待", "子供"], ["child_abuse"]), (["虐待", "高齢者"], ["elder_abuse"]),
    ...            (["子供", "食堂"], ["child_poverty"]), (["虐待", "子供"], ["child_abuse"])])
    >>> sorted(w["子供"]), round(w["虐待"]["child_abuse"], 2), sorted(w["虐待"])
    (['child_abuse', 'child_poverty'], 0.65, ['child_abuse', 'elder_abuse'])
    """
    df: Counter[str] = Counter()
    per: dict[str, Counter[str]] = defaultdict(Counter)
    count: Counter[str] = Counter()
    for lemmas, concerns in examples:
        words = set(lemmas)
        df.update(words)
        for c in set(concerns) or {NONE}:
            count[c] += 1
            per[c].update(words)
    n = len(examples)
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for word, seen in df.items():
        if seen < min_df:
            continue
        for c, k in sorted(count.items()):  # the same file from every run
            hits = per[c][word]
            if not hits:
                continue
            inside = (hits + 0.1) / (k + 0.2)
            outside = (seen - hits + 0.1) / (n - k + 0.2)
            w = min(MAX_WORD_WEIGHT, math.log(inside) - math.log(outside))
            if w > 0:
                out[word][c] = round(w, 3)
    return dict(out)


@lru_cache(maxsize=1)
def load_associations() -> Associations:
    """The bundled associations (``referral/associations.json``), loaded once."""
    raw = resources.files("referral").joinpath("associations.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return Associations(
        weights=data["weights"],
        min_score=float(data.get("min_score", MIN_SCORE)),
        max_weight=float(data.get("max_weight", MAX_WEIGHT)),
        min_score_alone=float(data.get("min_score_alone", MIN_SCORE_ALONE)),
    )
