"""The concerns' aliases as one kind of cue: exact and one-edit (rapidfuzz) hits (private).

A note and every alias are normalised (NFKC, width, case, katakana to hiragana, long-vowel
marks, punctuation, spaces and symbols removed) keeping a map back to the original offsets.
Aliases are then found exactly, or, for aliases of five characters or more (eight for ASCII
words), approximately with rapidfuzz: one wrong, missing or extra character (two from twelve
characters), never at both ends and never a changed kanji of a short alias.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ._text import kata_to_hira
from .models import Concern

__all__ = ["AliasHit", "AliasIndex", "normalize", "normalize_with_map"]

_DROP = frozenset("ZPSC")  # separators, punctuation, symbols (emoji), control/format/bidi
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


_MARKS = re.compile(r"[\u0300-\u036f\u3099\u309a\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]")


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and return, for each output character, its index in ``text``.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``. Linear in ``len(text)``.
    """
    parts = list(map(_fold_char, text))
    if all(len(p) <= 1 for p in parts):  # the usual case: one character or none each
        norm = "".join(parts)
        if not _MARKS.search(norm):
            return norm, [i for i, p in enumerate(parts) if p]
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


@dataclass(frozen=True, slots=True)
class _Alias:
    concern: str
    text: str
    norm: str
    weight: float
    group: str
    with_any: tuple[str, ...]
    without_any: tuple[str, ...]
    ascii_word: bool

    def context_ok(self, norm_note: str) -> bool:
        if self.with_any and not any(w in norm_note for w in self.with_any):
            return False
        return not any(w in norm_note for w in self.without_any)


@dataclass(frozen=True, slots=True)
class AliasHit:
    """An alias found in a note: offsets in the original text and the match score."""

    concern: str
    alias: str
    group: str
    weight: float
    start: int
    end: int
    score: float


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


FUZZY_FROM = 5
"""Characters an alias needs before an approximate hit (one edit) counts."""
FUZZY_FROM_ASCII = 8
"""The same for an alias in ASCII (an English word)."""
TWO_EDITS_FROM = 12
"""Characters from which an approximate hit may have two edits."""
KANJI_SAFE = 4
"""Kanji an alias needs before an approximate hit may change one of them."""
MIN_ALIAS = 2
"""Characters a normalised alias (or note) needs to be looked for at all."""
FUZZY_NOTE_FROM = 4
"""Characters a normalised note needs before approximate hits are looked for."""


def _max_edits(alias: str) -> int:
    """Edits an approximate hit may have: none for short aliases, one from 5 characters (8
    for ASCII words), two from 12.
    """
    if len(alias) < (FUZZY_FROM_ASCII if alias.isascii() else FUZZY_FROM):
        return 0
    return 1 if len(alias) < TWO_EDITS_FROM else 2


def _kanji_intact(alias: str, window: str) -> bool:
    """Whether an approximate hit keeps the alias's kanji: one kanji changes the meaning
    (食事をしていない is not 仕事をしていない) unless the alias has four or more.
    """
    if sum(map(_is_kanji, alias)) >= KANJI_SAFE:
        return True
    return not any(
        op.tag in ("replace", "delete") and _is_kanji(alias[op.src_pos])
        for op in Levenshtein.editops(alias, window)
    )


MAX_FUZZY_CANDIDATES = 4
"""Approximate hits looked for per note: the aliases sharing most of their bigrams with it."""

_TRAILING = frozenset("ーｰ〜～")  # dropped in matching, kept at the end of a quoted hit


class AliasIndex:
    """Every concern's aliases (and labels), indexed by bigram for fast lookup."""

    def __init__(self, concerns: Sequence[Concern]):
        aliases: list[_Alias] = []
        for c in concerns:
            entries = [(a.text, a.weight, a.group, a.with_any, a.without_any) for a in c.aliases]
            own = {normalize(a.text) for a in c.aliases}
            labels = [c.name.ja, c.name.en, c.id.replace("_", " ")]
            entries += [(x, 1.0, None, (), ()) for x in labels if normalize(x) not in own]
            seen: set[tuple[str, float, tuple[str, ...], tuple[str, ...]]] = set()
            for text, weight, group, with_any, without_any in entries:
                norm = normalize(text)
                key = (norm, weight, tuple(with_any), tuple(without_any))
                if len(norm) < MIN_ALIAS or key in seen:
                    continue
                seen.add(key)
                aliases.append(
                    _Alias(
                        c.id,
                        text,
                        norm,
                        weight,
                        group or text,
                        tuple(normalize(w) for w in with_any),
                        tuple(normalize(w) for w in without_any),
                        norm.isascii() and norm.isalnum(),
                    )
                )
        self._by_norm: dict[str, list[_Alias]] = defaultdict(list)
        for a in aliases:
            self._by_norm[a.norm].append(a)
        # every alias at every place in one pass: a trie as a regular expression, read at
        # each position through a lookahead (so hits may overlap), longest first
        self._exact = re.compile("(?=(" + _trie_pattern(sorted(self._by_norm)) + "))")
        self._prefixes = {
            norm: [p for p in self._by_norm if p != norm and norm.startswith(p)]
            for norm in self._by_norm
        }
        self._concern_count = len({a.concern for a in aliases})
        self._fuzzy: list[tuple[_Alias, int]] = []
        self._fuzzy_postings: dict[str, list[int]] = defaultdict(list)
        for a in aliases:
            grams = _bigrams(a.norm)
            if _max_edits(a.norm) > 0 and grams:
                for g in grams:
                    self._fuzzy_postings[g].append(len(self._fuzzy))
                self._fuzzy.append((a, len(grams) - 2 * _max_edits(a.norm)))

    def hits(self, text: str, *, skip: frozenset[str] = frozenset()) -> Iterator[AliasHit]:
        """Every alias hit in ``text`` whose context condition holds; approximate hits are
        not looked for the concerns in ``skip`` (already found otherwise).
        """
        norm, where = normalize_with_map(text)
        if len(norm) < MIN_ALIAS:
            return
        for alias, start, end, score in self._raw_hits(norm, skip):
            if not alias.context_ok(norm):
                continue
            o_start, o_end = where[start], where[end - 1] + 1
            while o_end < len(text) and text[o_end] in _TRAILING:
                o_end += 1  # ヤングケアラー, not ヤングケアラ
            if alias.ascii_word and not _word_bounded(text, o_start, o_end):
                continue
            yield AliasHit(
                alias.concern, alias.text, alias.group, alias.weight, o_start, o_end, score
            )

    def _raw_hits(
        self, norm: str, skip: frozenset[str]
    ) -> Iterator[tuple[_Alias, int, int, float]]:
        exact_norms: set[str] = set()
        for m in self._exact.finditer(norm):
            longest = m.group(1)
            start = m.start()
            for found in (longest, *self._prefixes[longest]):
                if norm.startswith(found, start):
                    exact_norms.add(found)
                    for alias in self._by_norm[found]:
                        yield alias, start, start + len(found), 100.0
        if len(norm) < FUZZY_NOTE_FROM:
            return
        found_concerns = skip  # concerns the cues already found: no typo hunt for them
        if len(found_concerns) >= self._concern_count:
            return
        # a lossless filter: k edits break at most 2k of an alias's distinct bigrams, so a
        # hit keeps the rest; count shared bigrams through the postings, then check the
        # survivors' edit distance on the best-aligned window
        shared: dict[int, int] = defaultdict(int)
        for gram in _bigrams(norm):
            for j in self._fuzzy_postings.get(gram, ()):
                shared[j] += 1
        candidates = []
        for j, count in shared.items():
            alias, need = self._fuzzy[j]
            if (
                count >= need
                and alias.concern not in found_concerns
                and (len(norm) >= len(alias.norm) - 1)
            ):
                candidates.append((-count / len(alias.norm), j))
        # the few best-placed candidates only: a typo keeps most of an alias's bigrams
        for _, j in sorted(candidates)[:MAX_FUZZY_CANDIDATES]:
            alias = self._fuzzy[j][0]
            found = _best_window(alias.norm, norm, _max_edits(alias.norm))
            if found is not None:
                start, end, edits = found
                yield alias, start, end, 100.0 * (1 - edits / len(alias.norm))


def _trie_pattern(words: list[str]) -> str:
    """A regular expression matching any of ``words``, longest first, built as a trie."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


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


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())
