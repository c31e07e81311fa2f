"""Recognise the concerns in a free-text note, in Japanese or English, and its safety clues.

A note is read in three layers:

1. **Morphology** (:mod:`referral.morphology`): sentences, clauses and tokens with their
   lemmas (SudachiPy for Japanese, simplemma for English), each token pointing back into the
   note.
2. **Cues** (:mod:`referral.cues`, :mod:`referral.rules`): concept atoms (who: an aged parent,
   a child, a spouse; what: hitting, not feeding, staying in one's room, rubbish, wishing to
   die; numbers: 80代, 中学2年生, 猫が53匹), how each is said (stated, suspected, ruled out,
   supposed, named as a topic), who does what to whom, and the concern rules they satisfy.
3. **Aliases** (:mod:`referral._aliases`): each concern's own phrases from
   ``referral/concerns.json``, found exactly or with one typo (rapidfuzz), and ruled out or
   supposed by the same morphology as the cues.

A concern's confidence combines its evidence (noisy-OR: an alias group or a rule counts once),
so weak evidence needs company. Concerns are ranked by the sum of their evidence. Any clue of a
concern or a rule that carries a safety rule, however weak, becomes a :class:`SafetyClue`.

The note is never logged, cached or stored; errors quote at most its length.

Examples
--------
>>> from referral.matching import default_matcher
>>> [m.concern for m in default_matcher().match("隣の家がゴミ屋敷で臭い")]
['hoarding']
>>> [m.concern for m in default_matcher().match("虐待ではない。")]
[]
>>> reading = default_matcher().read("父親が子どもを殴っている")
>>> [m.concern for m in reading.matches], [s.rule for s in reading.safety]
(['child_abuse'], ['child_abuse_189'])
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ._aliases import AliasIndex, normalize, normalize_with_map
from ._evidence import (
    evidence_strength,
    inside_another,
    mass,
    noisy_or,
    on_word_edges,
    word_evidence,
)
from ._suggest import suggest
from .association import Associations, content_lemmas, load_associations
from .cues import Cue, Lexicon, Polarity, event_sentences, find_cues, load_lexicon, polarity
from .errors import (
    ArgumentError,
    ArgumentTypeError,
    NoteTooLongError,
    UnknownVocabularyError,
    ValidationError,
    expect_instance,
    expect_path,
    expect_str,
)
from .models import Concern, ConcernSet, Evidence, Match, NoteReading, SafetyClue
from .morphology import Token, analyse
from .rules import apply_rules, compile_rules
from .safety_ngrams import SafetyNgrams, load_safety_ngrams

__all__ = [
    "MAX_NOTE_CHARS",
    "MIN_CONFIDENCE",
    "SAFETY_PRIORITY",
    "TOPIC_WEIGHT",
    "WEAK_CONFIDENCE",
    "Matcher",
    "default_matcher",
    "load_concerns",
    "normalize",
    "normalize_with_map",
    "use_default_matcher",
]

MAX_NOTE_CHARS = 10_000
"""Longest note accepted (characters); a longer one raises :class:`NoteTooLongError`."""

MIN_CONFIDENCE = 0.7
"""Default confidence a concern needs to be reported."""

WEAK_CONFIDENCE = 0.3
"""Confidence from which a concern is a weak clue: reported apart, and enough for its safety
rule's advice."""

MAX_ASSOCIATION_WORDS = 3
"""How many of the words behind an association a match shows as its evidence."""

TOPIC_WEIGHT = 0.2
"""What an alias named only as a topic (自殺予防の講演会) weighs, as a share of its weight."""

SAFETY_PRIORITY: tuple[str, ...] = (
    "suicide_emergency",
    "emergency_check",
    "child_abuse_189",
    "dv_confidential",
    "disability_abuse_report",
    "elder_abuse_report",
)
"""How safety advice is ordered when a note gives several clues of equal strength: a life in
danger now first (wishing to die, which also asks for immediate contact; someone collapsed),
then a child (189 covers a disabled child at home too), then the others. Clear clues come
before weak ones, and among clear clues the better-evidenced one first (a note that says
高齢者虐待 and also mentions a son puts elder-abuse advice before 189)."""

_SAFETY_ORDER = {rule: i for i, rule in enumerate(SAFETY_PRIORITY)}

LEARNED_ADVICE: dict[str, tuple[str, str]] = {
    "child_abuse": ("child_abuse", "child_abuse_189"),
    "suicide_risk": ("suicide_risk", "suicide_emergency"),
    "domestic_violence": ("domestic_violence", "dv_confidential"),
    "emergency": ("welfare_check", "emergency_check"),
    "elder_abuse": ("elder_abuse", "elder_abuse_report"),
    "disability_abuse": ("disability_abuse", "disability_abuse_report"),
}
"""The concern and safety rule of each category of :mod:`referral.safety_ngrams`."""


@dataclass(slots=True)
class _Found:
    """The evidence of one concern while a note is read."""

    evidence: list[Evidence] = field(default_factory=list)
    groups: dict[str, float] = field(default_factory=dict)
    safety: list[str] = field(default_factory=list)
    seen: set[tuple[str, str, int, int]] = field(default_factory=set)


class Matcher:
    """Recognises concerns in notes; build once, use from many threads.

    Parameters
    ----------
    concerns
        The concern vocabulary (see :func:`load_concerns`).
    min_confidence
        Default threshold for :meth:`match` and :meth:`read`.
    lexicon
        The concept lexicon (default: the bundled ``referral/concepts.json``).
    associations
        The learned word associations (default: the bundled ``referral/associations.json``).
    safety_ngrams
        The learned last look for danger (default: the bundled
        ``referral/safety_ngrams.json``), consulted only when the rules find no safety clue.
    learned_safety
        ``False`` turns that look off (safety clues then come from rules and aliases only).
    """

    def __init__(
        self,
        concerns: Sequence[Concern],
        *,
        min_confidence: float = MIN_CONFIDENCE,
        lexicon: Lexicon | None = None,
        associations: Associations | None = None,
        safety_ngrams: SafetyNgrams | None = None,
        learned_safety: bool = True,
    ):
        if isinstance(concerns, str | bytes) or not isinstance(concerns, Sequence | tuple):
            raise ArgumentTypeError(
                f"concerns must be a sequence of Concern (see load_concerns()), "
                f"not {type(concerns).__name__}"
            )
        for c in concerns:
            expect_instance(c, Concern, "each concern")
        self.concerns = {c.id: c for c in concerns}
        self.min_confidence = check_confidence(min_confidence)
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self._rules = compile_rules(self.lexicon.rules)
        self._widen = frozenset(c.id for c in concerns if c.safety) | {
            r.concern for r in self._rules if r.safety
        }
        self.associations = associations if associations is not None else load_associations()
        self._aliases = AliasIndex(concerns)
        self.learned_safety = learned_safety
        self._safety_ngrams = safety_ngrams  # the bundled one is read when first needed

    # -- public API ------------------------------------------------------------------------
    def match(
        self,
        text: str,
        *,
        min_confidence: float | None = None,
        include_negated: bool = False,
    ) -> list[Match]:
        """Return every concern recognised in ``text``, most strongly evidenced first.

        Parameters
        ----------
        text
            The note. Empty or blank gives an empty list.
        min_confidence
            Report concerns at least this sure (default :data:`MIN_CONFIDENCE`).
        include_negated
            Also report concerns whose every hit was ruled out (with ``negated=True``).

        Raises
        ------
        TypeError
            ``text`` is not a str.
        NoteTooLongError
            ``text`` is longer than :data:`MAX_NOTE_CHARS`.

        Notes
        -----
        Work is linear in the note's length.
        """
        threshold = self._threshold(min_confidence)
        return [
            m
            for m in self._evaluate(text, floor=threshold, negated=include_negated)
            if m.confidence >= threshold and (include_negated or not m.negated)
        ]

    def read(self, text: str, *, min_confidence: float | None = None) -> NoteReading:
        """Read ``text``: its concerns, the weaker ones, and its safety clues (strongest
        first), in one pass. Raises as :meth:`match` does.

        >>> r = default_matcher().read("年金を息子に取り上げられている")
        >>> [m.concern for m in r.matches], [(s.rule, s.weak) for s in r.safety]
        (['elder_abuse'], [('elder_abuse_report', False)])
        """
        threshold = self._threshold(min_confidence)
        floor = min(threshold, WEAK_CONFIDENCE)
        every = self._evaluate(text, floor=floor, negated=True)
        found = [m for m in every if not m.negated]
        matches = tuple(m for m in found if m.confidence >= threshold)
        weak = tuple(m for m in found if WEAK_CONFIDENCE <= m.confidence < threshold)
        clues: dict[str, SafetyClue] = {}
        for m in (*matches, *weak):
            live = [
                e
                for e in m.evidence
                if not e.negated and e.polarity != "topic" and e.rule != "association"
            ]
            if not live:
                continue  # only named as a topic (児童虐待防止推進月間), or only words: no clue
            words = tuple(dict.fromkeys(e.text for e in live))
            for rule in m.safety:
                clue = SafetyClue(
                    rule=rule,
                    concern=m.concern,
                    confidence=m.confidence,
                    weak=m.confidence < threshold,
                    words=words,
                )
                if rule not in clues or clue.confidence > clues[rule].confidence:
                    clues[rule] = clue
        if not clues and self.learned_safety:
            ruled_out = {m.concern for m in every if m.negated}
            learned = self._learned_clue(text, ruled_out)
            if learned is not None:
                clues[learned.rule] = learned
        safety = sorted(
            clues.values(),
            key=lambda c: (c.weak, -round(c.confidence, 1), _SAFETY_ORDER.get(c.rule, 99)),
        )
        return NoteReading(matches=matches, weak=weak, safety=tuple(safety))

    @property
    def safety_ngrams(self) -> SafetyNgrams:
        """The learned last look for danger (the bundled one unless another was given)."""
        if self._safety_ngrams is None:
            self._safety_ngrams = load_safety_ngrams()
        return self._safety_ngrams

    def _learned_clue(self, text: str, ruled_out: set[str]) -> SafetyClue | None:
        """A weak clue from the learned n-gram look, when the rules found none: not for a
        concern the note rules out (死にたいとは言っていない), nor one this vocabulary lacks.
        """
        guess = self.safety_ngrams.guess(text)
        if guess is None:
            return None
        concern, rule = LEARNED_ADVICE[guess.category]
        if concern in ruled_out or concern not in self.concerns:
            return None
        return SafetyClue(
            rule=rule,
            concern=concern,
            confidence=WEAK_CONFIDENCE,
            weak=True,
            words=tuple(text[a:b] for a, b in guess.spans),
            learned=True,
        )

    def concern(self, concern_id: str) -> Concern:
        """The concern with this id (did-you-mean on a typo)."""
        found = self.concerns.get(expect_str(concern_id, "concern id"))
        if found is not None:
            return found
        near = suggest(concern_id, self.concerns, limit=2)
        raise UnknownVocabularyError("concern", concern_id, suggestions=near)

    # -- internals -------------------------------------------------------------------------
    def _threshold(self, min_confidence: float | None) -> float:
        if min_confidence is None:
            return self.min_confidence
        return check_confidence(min_confidence)

    def _evaluate(self, text: str, *, floor: float = 0.0, negated: bool = True) -> list[Match]:
        """Every concern with evidence in ``text`` at least ``floor`` sure (and, when
        ``negated``, those whose every hit was ruled out), ranked.
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(f"note must be a str, not {type(text).__name__}")
        if len(text) > MAX_NOTE_CHARS:
            raise NoteTooLongError(len(text), MAX_NOTE_CHARS)
        if not text.strip():
            return []
        tokens = analyse(text)
        found: dict[str, _Found] = defaultdict(_Found)
        cues = find_cues(tokens, self.lexicon) if tokens else []
        self._cue_evidence(text, cues, found)
        self._alias_evidence(text, tokens, cues, frozenset(found), found)
        self._association_evidence(text, tokens, cues, found)
        out = [
            self._combine(cid, f)
            for cid, f in found.items()
            if (negated and not f.groups) or noisy_or(f.groups.values()) >= floor
        ]
        out.sort(key=lambda m: (m.negated, -mass(m), m.start, m.concern))
        return out

    def _alias_evidence(
        self,
        text: str,
        tokens: Sequence[Token],
        cues: Sequence[Cue],
        known: frozenset[str],
        found: dict[str, _Found],
    ) -> None:
        """The aliases' hits, read in context like cues: ruled out, supposed, over, or named
        only as a topic (in an announcement).
        """
        events = event_sentences(cues, self.lexicon)
        pasts = frozenset(c.sentence for c in cues if c.polarity == "past")
        starts = [t.start for t in tokens]
        ends = [t.end for t in tokens]
        hits = list(self._aliases.hits(text, skip=known))
        by_start: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for h in hits:
            by_start[h.start].append((h.end, h.concern))
        for cid, f in found.items():
            for e in f.evidence:
                by_start[e.start].append((e.end, cid))
        for hit in hits:
            if inside_another(hit.start, hit.end, hit.concern, by_start):
                continue  # 虐待 inside another concern's 高齢者虐待 is that concern's word
            pol: Polarity = "plain"
            if tokens:
                first = min(bisect_right(ends, hit.start), len(tokens) - 1)
                last = max(first, bisect_left(starts, hit.end) - 1)
                if not on_word_edges(text, tokens, first, last, hit.start, hit.end):
                    continue  # 子供を叩 is not in 子供を叩き起こし
                pol = polarity(tokens, first, last)
                sentence = tokens[first].sentence
                if pol in ("plain", "suspected") and sentence in events:
                    pol = "topic"  # named in an announcement (研修会のテーマは特殊詐欺)
                elif pol in ("plain", "suspected") and sentence in pasts:
                    pol = "past"
            negated = pol in ("negated", "hypothetical", "past")
            weight = hit.weight * (TOPIC_WEIGHT if pol == "topic" else 1.0)
            ev = Evidence.model_construct(
                alias=hit.alias,
                text=text[hit.start : hit.end],
                start=hit.start,
                end=hit.end,
                score=round(hit.score, 1),
                weight=round(weight, 3),
                negated=negated,
                rule=None,
                cue=None,
                polarity=pol,
            )
            f = found[hit.concern]
            f.evidence.append(ev)
            if not negated:
                f.groups[hit.group] = max(f.groups.get(hit.group, 0.0), evidence_strength(ev))

    def _cue_evidence(self, text: str, cues: Sequence[Cue], found: dict[str, _Found]) -> None:
        for hit in apply_rules(cues, self._rules, widen=self._widen):
            if hit.concern not in self.concerns:
                continue  # a custom vocabulary without this concern
            f = found[hit.concern]
            group = "rule:" + hit.rule
            f.groups[group] = max(f.groups.get(group, 0.0), hit.weight)
            f.safety += [s for s in hit.safety if s not in f.safety]
            for cue in hit.cues:
                key = (hit.rule, cue.atom, cue.start, cue.end)
                if key in f.seen:
                    continue  # the same cue of the same rule, read in another window
                f.seen.add(key)
                f.evidence.append(
                    word_evidence(
                        text, cue.start, cue.end, hit.weight, hit.rule, cue.atom, cue.polarity
                    )
                )

    def _association_evidence(
        self, text: str, tokens: Sequence[Token], cues: Sequence[Cue], found: dict[str, _Found]
    ) -> None:
        """The concerns the note's words lean towards (see :mod:`referral.association`):
        words in announced or past sentences, and words ruled out or supposed, do not count.
        """
        quiet = event_sentences(cues, self.lexicon) | {
            c.sentence for c in cues if c.polarity == "past"
        }
        words = content_lemmas(tokens)
        lemmas = [t.lemma for t in words if t.sentence not in quiet]
        named = [c for c, f in found.items() if f.groups]
        for concern, (weight, behind) in self.associations.evidence(lemmas, named=named).items():
            if concern not in self.concerns:
                continue
            shown = []
            for lemma in behind[:MAX_ASSOCIATION_WORDS]:
                t = next(t for t in words if t.lemma == lemma)
                shown.append(t)
            f = found[concern]
            f.groups["association"] = max(f.groups.get("association", 0.0), weight)
            for t in shown:
                f.evidence.append(
                    word_evidence(
                        text, t.start, t.end, weight, "association", None, "plain", t.lemma
                    )
                )

    def _combine(self, concern_id: str, f: _Found) -> Match:
        live = [e for e in f.evidence if not e.negated]
        miss = 1.0
        for strength in f.groups.values():
            miss *= 1.0 - strength
        pool = live or f.evidence
        top = max(pool, key=lambda e: (evidence_strength(e), -e.start))
        if not live:  # every hit ruled out: how sure it would be, were it not
            ruled: dict[str, float] = {}
            for e in f.evidence:
                ruled[e.alias] = max(ruled.get(e.alias, 0.0), evidence_strength(e))
            for strength in ruled.values():
                miss *= 1.0 - strength
        c = self.concerns[concern_id]
        ordered = tuple(sorted(f.evidence, key=lambda e: (e.start, e.end, e.alias)))
        return Match.model_construct(
            concern=concern_id,
            name=c.name,
            confidence=round(1.0 - miss, 3),
            alias=top.alias,
            text=top.text,
            start=top.start,
            end=top.end,
            evidence=ordered,
            negated=not live,
            safety=tuple(dict.fromkeys((*c.safety, *f.safety))),
        )


def check_confidence(value: object, what: str = "min_confidence") -> float:
    """``value`` as a confidence threshold: a real number from 0 to 1 (not NaN, not a bool).

    >>> check_confidence(0.5)
    0.5
    >>> check_confidence(float("nan"))
    Traceback (most recent call last):
    ...
    referral.errors.ArgumentError: min_confidence must be a number from 0 to 1, not nan
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"{what} must be a number from 0 to 1, not {type(value).__name__}")
    if not 0.0 <= value <= 1.0:  # NaN fails both comparisons
        raise ArgumentError(f"{what} must be a number from 0 to 1, not {value!r}")
    return float(value)


# -- the bundled vocabulary ------------------------------------------------------------------
_BUNDLED: dict[str, Any] = {}  # "concerns", "matcher": built once per process (or seeded)


def load_concerns(path: str | os.PathLike[str] | None = None) -> tuple[Concern, ...]:
    """The concern vocabulary: the one shipped in ``referral/concerns.json`` (loaded once),
    or a file of the same shape (with aliases added for another city, say).

    A file is read as strictly as a directory file and validated: the ids must be concern
    ids of the vocabulary, each listed once, and the kinds known.

    Raises
    ------
    DataFileError
        The file cannot be read as JSON.
    ValidationError
        It is not a valid concerns file; ``problems`` lists every fault with its JSON path.

    Examples
    --------
    >>> len(load_concerns()), load_concerns()[0].id
    (32, 'eighty_fifty')
    >>> matcher = Matcher(load_concerns())  # or Matcher(load_concerns("my-concerns.json"))
    """
    if path is None:
        if "concerns" not in _BUNDLED:
            raw = resources.files("referral").joinpath("concerns.json").read_text(encoding="utf-8")
            _BUNDLED["concerns"] = ConcernSet.model_validate(json.loads(raw)).concerns
        concerns: tuple[Concern, ...] = _BUNDLED["concerns"]
        return concerns
    from ._data import read_json  # noqa: PLC0415 - only for a file of one's own
    from .validation import validate_concerns  # noqa: PLC0415

    where = expect_path(path, "concerns file")
    found, problems = validate_concerns(read_json(where))
    if found is None:
        raise ValidationError(where, problems)
    return found.concerns


def default_matcher() -> Matcher:
    """A :class:`Matcher` over the bundled concerns (built once per process)."""
    if "matcher" not in _BUNDLED:
        _BUNDLED["matcher"] = Matcher(load_concerns())
    matcher: Matcher = _BUNDLED["matcher"]
    return matcher


def use_default_matcher(matcher: Matcher) -> None:
    """Make :func:`default_matcher` return ``matcher`` (and :func:`load_concerns` its
    concerns) for the rest of the process: the hook of the CLI's cache, which loads a matcher
    built over the bundled concerns from its own file.
    """
    _BUNDLED["concerns"] = tuple(matcher.concerns.values())
    _BUNDLED["matcher"] = matcher
