"""The matcher as it was before it read concepts (commit e923b8a), frozen as a baseline.

Copied unchanged but for its imports and loader, so that every benchmark run measures the old
matcher beside the new one on the same text, on the same machine. Not part of the package.

The original module notes:

Recognise the concerns in a free-text note, in Japanese or English.

A note is normalised (NFKC, width, case, katakana to hiragana, long-vowel marks, punctuation,
spaces and symbols removed) keeping a map back to the original offsets. Each concern's aliases
are then found in it: exactly, or, for aliases of four characters or more, approximately with
rapidfuzz (one wrong, missing or extra character). Every hit is checked for negation
(「虐待ではない」, "no sign of abuse"; but 「虐待ではないか」 is a suspicion, not a negation).
A concern's confidence combines its hits (noisy-OR over distinct aliases; aliases of one
``group`` count once), so weak evidence needs company.

The note is never logged, cached or stored; errors quote at most its length.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from referral._text import kata_to_hira
from referral.errors import (
    ArgumentTypeError,
    NoteTooLongError,
    UnknownVocabularyError,
    expect_str,
)
from referral.models import Concern, ConcernSet, Evidence, Match

__all__ = ["Matcher", "old_matcher"]

MAX_NOTE_CHARS = 10_000
"""Longest note accepted (characters); a longer one raises :class:`NoteTooLongError`."""

MIN_CONFIDENCE = 0.7
"""Default confidence a concern needs to be reported."""

_DROP = frozenset("ZPSC")  # separators, punctuation, symbols (emoji), control/format/bidi
_TRAILING = frozenset("ーｰ〜～")  # dropped in matching, kept at the end of a quoted hit
_LONG_VOWEL = "ー"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """NFKC and casefold one character until stable; drop what carries no meaning."""
    out = ch
    for _ in range(4):
        nxt = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", out).casefold())
        if nxt == out:
            break
        out = nxt
    kept = []
    for c in out:
        cat = unicodedata.category(c)
        if c == _LONG_VOWEL or cat[0] in _DROP:
            continue
        kept.append(c)
    return kata_to_hira("".join(kept))


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and return, for each output character, its index in ``text``.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``. Linear in ``len(text)``.
    """
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            if unicodedata.combining(c) or c in "\u3099\u309a":
                if chars:
                    composed = kata_to_hira(unicodedata.normalize("NFC", chars[-1] + c))
                    if len(composed) == 1 and _fold_char(composed) == composed:
                        chars[-1] = composed
                continue  # a mark that composes with nothing carries no meaning here
            chars.append(c)
            where.append(i)
    return "".join(chars), where


def normalize(text: str) -> str:
    """Normalise a note or an alias for matching (see the module docstring)."""
    return normalize_with_map(text)[0]


# -- negation ------------------------------------------------------------------------------
_JA_NEGATION = re.compile(
    r"^(?:(?:の(?:心配|疑い|おそれ|恐れ|様子|兆候|形跡|気配)(?:は|が|も)|では|じゃ|でも|は|が|も)"
    r"(?:ない|なく|ありません|なかった|なさそう)|なし|無し)"
)
_JA_TE_NEGATION = re.compile(r"^(?:いない|いません|いなかった|おらず)")
_JA_SUSPICION = re.compile(r"^.{0,5}(か|かも|かな|だろう|でしょう|のでは|疑い)")
_EN_NEGATION = re.compile(
    r"\b(no|not|never|without|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|"
    r"no signs? of|no evidence of|nothing to suggest)\b[\w\s'-]{0,24}$",
    re.IGNORECASE,
)


def _negated(norm: str, end: int, original: str, start_orig: int) -> bool:
    after = norm[end : end + 16]
    m = _JA_NEGATION.match(after)
    if m is None and norm[end - 1 : end] in ("て", "で"):
        m = _JA_TE_NEGATION.match(after)  # 孤立して|いない
    if m and not _JA_SUSPICION.match(after[m.end() :]):
        return True
    before = original[max(0, start_orig - 48) : start_orig]
    return bool(_EN_NEGATION.search(before))


# -- the matcher ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Alias:
    concern: str
    text: str
    norm: str
    weight: float
    with_any: tuple[str, ...]
    without_any: tuple[str, ...]
    ascii_word: bool

    def context_ok(self, norm_note: str) -> bool:
        if self.with_any and not any(w in norm_note for w in self.with_any):
            return False
        return not any(w in norm_note for w in self.without_any)


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _max_edits(alias: str) -> int:
    """Edits (wrong, missing or extra characters) an approximate hit may have: none for short
    aliases (they must match exactly), one from 5 characters (8 for ASCII words), two from
    12.
    """
    if len(alias) < (8 if alias.isascii() else 5):
        return 0
    return 1 if len(alias) < 12 else 2


def _kanji_intact(alias: str, window: str) -> bool:
    """Whether an approximate hit keeps the alias's kanji: one kanji changes the meaning
    (食事をしていない is not 仕事をしていない, 一人暮らし not 二人暮らし) unless the alias has
    four or more.
    """
    if sum(map(_is_kanji, alias)) >= 4:
        return True
    return not any(
        op.tag in ("replace", "delete") and _is_kanji(alias[op.src_pos])
        for op in Levenshtein.editops(alias, window)
    )


class Matcher:
    """Recognises concerns in notes; build once, use from many threads.

    Parameters
    ----------
    concerns
        The concern vocabulary (see :func:`load_concerns`).
    min_confidence
        Default threshold for :meth:`match`.
    """

    def __init__(self, concerns: Sequence[Concern], *, min_confidence: float = MIN_CONFIDENCE):
        self.concerns = {c.id: c for c in concerns}
        self.min_confidence = min_confidence
        aliases: list[_Alias] = []
        for c in concerns:
            entries = [(a.text, a.weight, a.with_any, a.without_any) for a in c.aliases]
            own = {normalize(a.text) for a in c.aliases}
            labels = [c.name.ja, c.name.en, c.id.replace("_", " ")]
            entries += [(label, 1.0, (), ()) for label in labels if normalize(label) not in own]
            seen: set[tuple[str, float, tuple[str, ...], tuple[str, ...]]] = set()
            for text, weight, with_any, without_any in entries:
                norm = normalize(text)
                key = (norm, weight, tuple(with_any), tuple(without_any))
                if len(norm) < 2 or key in seen:
                    continue
                seen.add(key)
                aliases.append(
                    _Alias(
                        c.id,
                        text,
                        norm,
                        weight,
                        tuple(normalize(w) for w in with_any),
                        tuple(normalize(w) for w in without_any),
                        norm.isascii() and norm.isalnum(),
                    )
                )
        self._aliases = aliases
        self._groups = {(c.id, a.text): a.group for c in concerns for a in c.aliases if a.group}
        # inverted indexes by bigram, so a note only looks at aliases it could contain
        self._by_first: dict[str, list[_Alias]] = defaultdict(list)
        for a in aliases:
            self._by_first[a.norm[:2]].append(a)
        self._fuzzy: list[tuple[_Alias, int]] = []
        self._fuzzy_postings: dict[str, list[int]] = defaultdict(list)
        for a in aliases:
            grams = _bigrams(a.norm)
            if _max_edits(a.norm) > 0 and grams:
                for g in grams:
                    self._fuzzy_postings[g].append(len(self._fuzzy))
                self._fuzzy.append((a, len(grams) - 2 * _max_edits(a.norm)))

    # -- public API ------------------------------------------------------------------------
    def match(
        self,
        text: str,
        *,
        min_confidence: float | None = None,
        include_negated: bool = False,
    ) -> list[Match]:
        """Return every concern recognised in ``text``, most confident first.

        Parameters
        ----------
        text
            The note. Empty or blank gives an empty list.
        min_confidence
            Report concerns at least this sure (default :data:`MIN_CONFIDENCE`).
        include_negated
            Also report concerns whose every hit was negated (with ``negated=True``).

        Raises
        ------
        TypeError
            ``text`` is not a str.
        NoteTooLongError
            ``text`` is longer than :data:`MAX_NOTE_CHARS`.

        Notes
        -----
        Work is linear in the note's length times the number of aliases (about 800).
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(f"note must be a str, not {type(text).__name__}")
        if len(text) > MAX_NOTE_CHARS:
            raise NoteTooLongError(len(text), MAX_NOTE_CHARS)
        threshold = self.min_confidence if min_confidence is None else min_confidence
        norm, where = normalize_with_map(text)
        if len(norm) < 2:
            return []
        hits: dict[str, list[Evidence]] = {}
        for alias, start, end, score in self._hits(norm):
            if not alias.context_ok(norm):
                continue
            o_start, o_end = where[start], where[end - 1] + 1
            while o_end < len(text) and text[o_end] in _TRAILING:
                o_end += 1  # ヤングケアラー, not ヤングケアラ
            if alias.ascii_word and not _word_bounded(text, o_start, o_end):
                continue
            negated = _negated(norm, end, text, o_start)
            hits.setdefault(alias.concern, []).append(
                Evidence(
                    alias=alias.text,
                    text=text[o_start:o_end],
                    start=o_start,
                    end=o_end,
                    score=round(score, 1),
                    weight=alias.weight,
                    negated=negated,
                )
            )
        out = [
            m
            for cid, ev in hits.items()
            if (m := self._combine(cid, ev)) is not None
            and m.confidence >= threshold
            and (include_negated or not m.negated)
        ]
        out.sort(key=lambda m: (-m.confidence, m.start, m.concern))
        return out

    def concern(self, concern_id: str) -> Concern:
        """The concern with this id (did-you-mean on a typo)."""
        found = self.concerns.get(expect_str(concern_id, "concern id"))
        if found is not None:
            return found
        near = (
            process.extract(concern_id, list(self.concerns), limit=2, score_cutoff=60)
            if len(concern_id) <= 120  # no concern id is longer
            else []
        )
        raise UnknownVocabularyError("concern", concern_id, suggestions=[n for n, _, _ in near])

    # -- internals -------------------------------------------------------------------------
    def _hits(self, norm: str) -> Iterable[tuple[_Alias, int, int, float]]:
        note_bigrams = _bigrams(norm)
        exact_norms: set[str] = set()
        for gram in sorted(note_bigrams):  # sorted: the same note always gives the same hits
            for alias in self._by_first.get(gram, ()):
                pos = norm.find(alias.norm)
                while pos != -1:
                    exact_norms.add(alias.norm)
                    yield alias, pos, pos + len(alias.norm), 100.0
                    pos = norm.find(alias.norm, pos + 1)
        if len(norm) < 4:
            return
        # a lossless filter: k edits break at most 2k of an alias's distinct bigrams, so a
        # hit keeps the rest; count shared bigrams through the postings, then check the
        # survivors' edit distance on the best-aligned window
        shared: dict[int, int] = defaultdict(int)
        for gram in note_bigrams:
            for j in self._fuzzy_postings.get(gram, ()):
                shared[j] += 1
        for j in sorted(shared):
            alias, need = self._fuzzy[j]
            if shared[j] < need or alias.norm in exact_norms or len(norm) < len(alias.norm) - 1:
                continue
            found = _best_window(alias.norm, norm, _max_edits(alias.norm))
            if found is not None:
                start, end, edits = found
                yield alias, start, end, 100.0 * (1 - edits / len(alias.norm))

    def _combine(self, concern_id: str, evidence: list[Evidence]) -> Match | None:
        spans = sorted((e.start, e.end) for e in evidence if e.negated)
        starts = [s for s, _ in spans]
        reach = list(accumulate((t for _, t in spans), max))  # furthest end among spans so far

        def inside_negated(e: Evidence) -> bool:  # a negated span starts before it, ends after
            i = bisect_right(starts, e.start)
            return i > 0 and reach[i - 1] >= e.end

        evidence = [  # words inside a negated hit are negated too (ゴミ in ゴミ屋敷ではなく)
            e.model_copy(update={"negated": True}) if not e.negated and inside_negated(e) else e
            for e in evidence
        ]
        best: dict[str, Evidence] = {}
        for ev in evidence:
            if ev.negated:
                continue
            if ev.alias not in best or (_strength(ev), -ev.start) > (
                _strength(best[ev.alias]),
                -best[ev.alias].start,
            ):
                best[ev.alias] = ev
        negated = not best
        pool = list(best.values()) or evidence
        strongest: dict[str, float] = {}  # an alias group is one piece of evidence
        for ev in pool:
            group = self._groups.get((concern_id, ev.alias), ev.alias)
            strongest[group] = max(strongest.get(group, 0.0), _strength(ev))
        miss = 1.0
        for strength in strongest.values():
            miss *= 1.0 - strength
        top = max(pool, key=lambda e: (_strength(e), -e.start))
        c = self.concerns[concern_id]
        ordered = tuple(sorted(evidence, key=lambda e: (e.start, e.end, e.alias)))
        return Match(
            concern=concern_id,
            name=c.name,
            confidence=round(1.0 - miss, 3),
            alias=top.alias,
            text=top.text,
            start=top.start,
            end=top.end,
            evidence=ordered,
            negated=negated,
        )


def _best_window(alias: str, norm: str, max_edits: int) -> tuple[int, int, int] | None:
    """The window of ``norm`` nearest to ``alias`` within ``max_edits`` edits, if any."""
    al = fuzz.partial_ratio_alignment(alias, norm)
    if al is None:
        return None
    best: tuple[int, int, int] | None = None
    n = len(alias)
    for start in range(max(0, al.dest_start - max_edits), al.dest_start + max_edits + 1):
        for length in range(n - max_edits, n + max_edits + 1):
            end = start + length
            if length <= 0 or end > len(norm):
                continue
            d = Levenshtein.distance(alias, norm[start:end], score_cutoff=max_edits)
            if d <= max_edits and (best is None or d < best[2]):
                best = (start, end, d)
    if best is None or best[2] == 0:
        return None  # exact hits were found already
    start, end, _ = best
    if alias[0] != norm[start] and alias[-1] != norm[end - 1]:
        return None  # an edit at both ends is too loose
    return best if _kanji_intact(alias, norm[start:end]) else None


def _strength(ev: Evidence) -> float:
    """How much one hit says: its weight, scaled down for an approximate match (0.85 for
    one edit in a 7-character alias).
    """
    fuzz_factor = 1.0 if ev.score >= 100 else max(0.5, 1.0 - (100.0 - ev.score) / 100.0)
    return max(0.0, min(1.0, ev.weight * fuzz_factor))


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


# -- the frozen vocabulary -------------------------------------------------------------------
_CONCERNS = Path(__file__).resolve().parent / "concerns_v1.json"


@lru_cache(maxsize=1)
def old_matcher() -> Matcher:
    """The old matcher over the alias lists it had (``concerns_v1.json``)."""
    data = json.loads(_CONCERNS.read_text(encoding="utf-8"))
    return Matcher(ConcernSet.model_validate(data).concerns)
