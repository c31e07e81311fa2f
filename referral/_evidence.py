"""How the matcher's hits become evidence, and evidence a confidence (private; the
:class:`~referral.matching.Matcher` is the way in).

An alias hit counts only on the note's word edges and when no longer span of another concern
holds it; a rule's cue or a learned word becomes :class:`~referral.models.Evidence` of its
own; pieces of evidence combine by noisy-OR, and concerns rank by the sum of their distinct
pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .models import Evidence, Match
from .morphology import Token
from .polarity import Polarity

__all__ = [
    "MAX_ENDING",
    "evidence_strength",
    "inside_another",
    "mass",
    "noisy_or",
    "on_word_edges",
    "word_evidence",
]


_KATAKANA = re.compile(r"[\u30a0-\u30ff\uff66-\uff9fー]+")


MAX_ENDING = 2
"""Characters of a verb's or adjective's ending an alias hit may stop short of."""


def on_word_edges(
    text: str, tokens: Sequence[Token], first: int, last: int, start: int, end: int
) -> bool:
    """Whether an alias hit starts where a word starts and ends where a word ends, or inside
    a verb's or an adjective's ending (子供を叩 in 子供を叩いた, not in 子供を叩き起こし).
    """
    if tokens[first].start != start and not tokens[first].english:
        return False
    t = tokens[last]
    if t.end <= end or t.english or _KATAKANA.fullmatch(t.surface):
        return True  # a run of katakana may be one token (ヤングケアラーヤングケアラー)
    stem = text[t.start : end]
    return (
        t.pos in ("verb", "vaux", "adj", "aux")
        and len(t.surface) - len(stem) <= MAX_ENDING
        and (t.lemma.startswith(stem) or t.surface.startswith(stem))
    )


def word_evidence(
    text: str,
    start: int,
    end: int,
    weight: float,
    rule: str,
    cue: str | None,
    polarity: Polarity,
    name: str | None = None,
) -> Evidence:
    """Evidence of a rule's cue (``rule:atom``) or of a learned word (``association:lemma``)."""
    return Evidence.model_construct(
        alias=f"{rule}:{name or cue}",
        text=text[start:end],
        start=start,
        end=end,
        score=100.0,
        weight=weight,
        negated=False,
        rule=rule,
        cue=cue,
        polarity=polarity,
    )


_SPAN_REACH = 48
"""The longest alias or cue (in characters) looked for around a shorter one."""


def inside_another(
    start: int, end: int, concern: str, by_start: dict[int, list[tuple[int, str]]]
) -> bool:
    """Whether a longer span of another concern holds ``start..end`` (checks only the spans
    starting up to :data:`_SPAN_REACH` characters before it: linear in the note).
    """
    for a in range(max(0, end - _SPAN_REACH), start + 1):
        for b, other in by_start.get(a, ()):
            if other != concern and b >= end and b - a > end - start:
                return True
    return False


def noisy_or(strengths: Iterable[float]) -> float:
    """The confidence of independent pieces of evidence together."""
    miss = 1.0
    for strength in strengths:
        miss *= 1.0 - strength
    return 1.0 - miss


def evidence_strength(ev: Evidence) -> float:
    """How much one hit says: its weight, scaled down for an approximate match (0.85 for
    one edit in a 7-character alias).
    """
    perfect = ev.score >= 100  # noqa: PLR2004 - rapidfuzz's scale: 100 is an exact hit
    fuzz_factor = 1.0 if perfect else max(0.5, 1.0 - (100.0 - ev.score) / 100.0)
    return max(0.0, min(1.0, ev.weight * fuzz_factor))


def mass(m: Match) -> float:
    """The sum of a match's distinct pieces of evidence (ranks concerns that saturate)."""
    best: dict[str, float] = {}
    for e in m.evidence:
        if not e.negated:
            key = e.rule or e.alias
            best[key] = max(best.get(key, 0.0), evidence_strength(e))
    return sum(best.values())
