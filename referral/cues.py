"""Concept cues: what a note says about whom, read from its lemmas.

The lexicon (``referral/concepts.json``) defines *atoms*, each a set of phrases in Japanese and
English: *who* (an aged parent, a child, a spouse, staff), *what* (hitting, not feeding,
staying in one's room, rubbish, wishing to die) and *signs* (no answer, newspapers piling up).
Phrases are read by :mod:`referral.morphology` when the lexicon is loaded, so a phrase written
as 叩かれる also finds たたかれてる, and "bruises" finds "bruise".

Each cue found in a note records its atom, its words (offsets into the note), and how the note
says it (:mod:`referral.polarity`: ``plain``, ``suspected``, ``negated``, ``hypothetical``,
``topic``, ``past``); what an announcement names (研修会のテーマは特殊詐欺) is a ``topic``, and
what a sentence tells as over is ``past``.

Numbers are read too: ages (80代, 90歳, 中学2年生, 小2, "12-year-old", "in her 80s") give the
who-atoms ``infant``, ``minor``, ``young_adult``, ``middle_aged`` and ``aged``; counts of
animals (猫が53匹, "50 cats") give ``many_animals``; days (5日分, 半月, "for a week") give
``days``.

Then each *who* cue is given its role in its clause from the particle after it (が・は: the
subject; を・に: the object), so that :mod:`referral.rules` can tell 母親が子どもを叩く (the child
is hurt) from 息子が母親を叩く (the mother is hurt); a passive verb (叩かれる) swaps them.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any

from ._cue_base import Cue, Role, make_cue
from ._cue_numbers import age_atom, find_numbers
from .morphology import Token, analyse
from .polarity import CASE_PARTICLES, Polarity, polarity
from .polarity import NEGATION as _NEGATION

__all__ = [
    "Cue",
    "Lexicon",
    "Polarity",
    "age_atom",
    "analyser_versions",
    "event_sentences",
    "find_cues",
    "load_lexicon",
    "polarity",
]

MAX_GAP = 3
"""Tail words (auxiliaries, て, は) a phrase may skip between two of its own words."""

_SKIPPABLE_POS = frozenset({"aux", "vaux", "bind", "adv_p", "adv", "open", "close"})
_SKIPPABLE_LEMMA = frozenset({"て", "で", "ちゃう", "じゃう", "とる", "てる", "でる"})
_EN_SKIPPABLE = frozenset(
    {
        "him",
        "her",
        "them",
        "me",
        "us",
        "it",
        "the",
        "a",
        "an",
        "his",
        "my",
        "their",
        "our",
        "your",
        "all",
        "so",
        "very",
        "really",
        "just",
        "often",
        "always",
        "repeatedly",
        "be",
        "been",
        "being",
        "get",
        "got",
        "up",
        "out",
        "by",
        "to",
        "of",
    }
)


@dataclass(slots=True)
class _Atom:
    id: str
    kind: str
    patterns: list[tuple[str, ...]] = field(default_factory=list)


class Lexicon:
    """Atoms and their phrases, compiled to lemma sequences for fast lookup.

    Parameters
    ----------
    data
        The decoded lexicon (the shape of ``referral/concepts.json``).
    """

    def __init__(
        self,
        data: dict[str, Any],
        *,
        compiled: dict[str, list[list[str]]] | None = None,
    ):
        self.atoms: dict[str, _Atom] = {}
        self._first: dict[str, list[tuple[tuple[str, ...], str, frozenset[str]]]] = defaultdict(
            list
        )
        for atom_id, spec in data["atoms"].items():
            atom = _Atom(atom_id, spec.get("kind", "what"))
            if compiled is not None and atom_id in compiled:
                patterns = [tuple(p) for p in compiled[atom_id]]
            else:
                patterns = [_pattern(p) for p in (*spec.get("ja", ()), *spec.get("en", ()))]
            for lemmas in patterns:
                if lemmas and lemmas not in atom.patterns:
                    atom.patterns.append(lemmas)
                    needs = frozenset(lemmas[1:]) - {_SLOT}
                    self._first[lemmas[0]].append((lemmas, atom_id, needs))
            self.atoms[atom_id] = atom
        for found in self._first.values():
            found.sort(key=lambda p: -len(p[0]))  # longest phrase first
        kinds = {a.id: a.kind for a in self.atoms.values()}
        self.who = frozenset(a for a, k in kinds.items() if k == "who")
        self.events = frozenset(a for a, k in kinds.items() if k == "event")
        self.past = frozenset(a for a, k in kinds.items() if k == "past")
        self.steady = frozenset(
            a for a, spec in data["atoms"].items() if spec.get("hypothetical_ok")
        )
        # what an announcement does not turn into a topic: people, acts, danger signs, and
        # atoms marked event_ok (a disaster drill is about people who cannot evacuate)
        self.immune = frozenset(
            a
            for a, spec in data["atoms"].items()
            if spec.get("event_ok") or kinds[a] in ("who", "action", "danger")
        )
        self.rules: list[dict[str, Any]] = list(data.get("rules", ()))

    def patterns(self, lemma: str) -> list[tuple[tuple[str, ...], str, frozenset[str]]]:
        """The phrases that start with ``lemma``: lemmas, atom, the other lemmas needed."""
        return self._first.get(lemma, [])

    def compiled(self) -> dict[str, list[list[str]]]:
        """Every atom's phrases as the lemma sequences the analyser gave them (what
        ``referral/concepts.compiled.json`` stores).
        """
        return {a.id: [list(p) for p in a.patterns] for a in self.atoms.values()}


_SLOT = "\x00"  # a case particle in a phrase: any of を・が・は・も・に・へ, or none
_SLOT_PARTICLES = CASE_PARTICLES


_NEG = "\x01"  # a negation in a phrase: ない・ぬ・ず・ん・無い alike


def _pattern(phrase: str) -> tuple[str, ...]:
    """A phrase as the lemmas to look for; its case particles become slots, its negations
    one mark.
    """
    return tuple(_key(t) for t in analyse(phrase) if t.pos not in ("stop", "comma", "sym"))


def _key(t: Token) -> str:
    if t.pos in ("case", "bind") and t.lemma in _SLOT_PARTICLES:
        return _SLOT
    if t.lemma in _NEGATION and t.pos in ("aux", "adj") and not t.english:
        return _NEG
    return t.lemma


def analyser_versions() -> str:
    """The versions of the analysers the lemmas depend on (``sudachipy``,
    ``sudachidict-core``, ``simplemma``).
    """
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    out = []
    for name in ("sudachipy", "sudachidict-core", "simplemma"):
        try:
            out.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=?")
    return ",".join(out)


def source_digest(raw: str) -> str:
    """The digest of the lexicon's text, recorded beside its compiled form."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The bundled lexicon (``referral/concepts.json``), built once per process.

    Its phrases come compiled (``concepts.compiled.json``: the analyser's lemmas for each,
    made by ``scripts/compile_lexicon.py``); when that file is missing, stale, or was made with
    other analyser versions than the ones installed, the phrases are analysed anew (about two
    seconds).
    """
    package = resources.files("referral")
    raw = package.joinpath("concepts.json").read_text(encoding="utf-8")
    compiled = None
    try:
        made = json.loads(package.joinpath("concepts.compiled.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        made = None
    if (
        isinstance(made, dict)
        and made.get("source") == source_digest(raw)
        and made.get("analysers") == analyser_versions()
    ):
        compiled = made.get("atoms")
    return Lexicon(json.loads(raw), compiled=compiled)


# -- finding cues --------------------------------------------------------------------------
def find_cues(tokens: Sequence[Token], lexicon: Lexicon) -> list[Cue]:
    """Every cue in ``tokens``, in order, with its polarity and (for people) its role."""
    cues: list[Cue] = []
    taken: dict[str, int] = {}  # atom -> last token index covered (no nested repeats)
    keys = [_key(t) for t in tokens]
    garbled = _garbled(tokens)
    present = frozenset(keys)
    for i, key in enumerate(keys):
        found = lexicon.patterns(key)
        if not found:
            continue
        for pattern, atom, needs in found:
            if not needs <= present:
                continue  # a word of the phrase is nowhere in the note
            last = _match(tokens, keys, i, pattern) if len(pattern) > 1 else i
            if last < 0 or taken.get(atom, -1) >= last or all(garbled[i : last + 1]):
                continue
            taken[atom] = last
            cues.append(make_cue(tokens, atom, i, last))
    cues = _outermost(cues, lexicon)
    cues += find_numbers(tokens)
    cues.sort(key=lambda c: (c.first, c.last, c.atom))
    return _people(tokens, _context(cues, lexicon), lexicon)


def _outermost(cues: list[Cue], lexicon: Lexicon) -> list[Cue]:
    """Drop a concept read inside a longer phrase of another concept (出てこない in
    部屋から出てこない is not "no answer"); people inside phrases stay people. Linear after a
    sort: a cue is inside a longer span when a span starting before it ends at or after its
    end, or one starting with it ends after it.
    """
    spans = sorted(
        (c.first, c.last) for c in cues if c.atom not in lexicon.who and c.last > c.first
    )
    if not spans:
        return cues
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))  # furthest end of spans so far
    out = []
    for c in cues:
        if c.atom not in lexicon.who:
            before = bisect_left(starts, c.first)  # spans starting strictly before the cue
            upto = bisect_right(starts, c.first)  # ... or with it
            if (before and reach[before - 1] >= c.last) or (upto and reach[upto - 1] > c.last):
                continue
        out.append(c)
    return out


def event_sentences(cues: Sequence[Cue], lexicon: Lexicon) -> frozenset[int]:
    """The sentences that announce or report an event or an activity (a course, a drill, a
    campaign, a food drive): what they name is a topic, not a situation. When the note tells
    of no one in danger (no danger sign, no act done to a person), an announcement anywhere
    in it makes every sentence one: a newsletter item is about an activity throughout.
    """
    found = frozenset(
        c.sentence for c in cues if c.atom in lexicon.events and c.polarity != "negated"
    )
    if found and not any(c.atom in lexicon.immune and not c.person for c in cues):
        return frozenset(c.sentence for c in cues) | found
    return found


def _context(cues: list[Cue], lexicon: Lexicon) -> list[Cue]:
    """Polarity in context: a cue inside a longer one reads as the longer one does
    (school in "hasn't been to school"); a disaster supposed is still a disaster plan; what
    an event sentence names is a topic.
    """
    events = event_sentences(cues, lexicon)
    past = {c.sentence for c in cues if c.atom in lexicon.past}
    out = []
    for c in cues:
        pol = c.polarity
        if pol == "negated":
            outer = next(
                (
                    d
                    for d in cues
                    if d.first <= c.first
                    and d.last >= c.last
                    and d is not c
                    and d.polarity != "negated"
                    and d.last - d.first > c.last - c.first
                ),
                None,
            )
            if outer is not None:
                pol = outer.polarity
        if pol == "hypothetical" and c.atom in lexicon.steady:
            pol = "plain"
        if c.sentence in events and c.atom not in lexicon.immune and pol in ("plain", "suspected"):
            pol = "topic"
        if c.sentence in past and pol in ("plain", "suspected"):
            pol = "past"  # "she left her violent ex years ago"
        out.append(c if pol == c.polarity else replace(c, polarity=pol))
    return out


SHORT_KANJI = 2
"""Characters of an all-kanji token short enough to be a piece of garbled text."""
GARBLED_SIDE = 2
"""Short all-kanji tokens needed on each side of a token to call it garbled."""


def _garbled(tokens: Sequence[Token]) -> list[bool]:
    """Tokens in the middle of a run of short all-kanji tokens (random characters, a mangled
    paste): a word read there is chance, not a cue. Real text breaks such runs with kana.
    """
    short = [
        0 < len(t.surface) <= SHORT_KANJI and _KANJI_ONLY.fullmatch(t.surface) is not None
        for t in tokens
    ]
    return [
        all(short[max(0, i - GARBLED_SIDE) : i + GARBLED_SIDE + 1])
        and i >= GARBLED_SIDE
        and i + GARBLED_SIDE < len(short)
        for i in range(len(short))
    ]


_KANJI_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def _match(tokens: Sequence[Token], keys: Sequence[str], i: int, pattern: tuple[str, ...]) -> int:
    """The index of the last token of ``pattern`` read from ``tokens[i]``, or -1.

    Between two words of the phrase the note may have up to :data:`MAX_GAP` tail words
    (て, いる, しまう, ます; "him", "the"); a particle slot takes any case particle, or none.
    """
    j = i
    clause = tokens[i].clause
    for lemma in pattern[1:]:
        if lemma == _SLOT:
            if j + 1 < len(tokens) and tokens[j + 1].lemma in _SLOT_PARTICLES:
                j += 1
            continue
        j += 1
        skipped = 0
        while j < len(tokens) and keys[j] != lemma:
            if skipped >= MAX_GAP or tokens[j].clause != clause or not _skippable(tokens[j]):
                return -1
            skipped += 1
            j += 1
        if j >= len(tokens) or tokens[j].clause != clause:
            return -1
    return j


def _skippable(t: Token) -> bool:
    if t.english:
        return t.lemma in _EN_SKIPPABLE
    return (
        t.pos in _SKIPPABLE_POS
        or t.lemma in _SKIPPABLE_LEMMA
        or (t.pos in ("case", "bind") and t.lemma in _SLOT_PARTICLES)
    )


# -- people and their roles ------------------------------------------------------------------
_PERSON_SUFFIXES = frozenset(
    {"さん", "ちゃん", "くん", "君", "たち", "達", "ら", "等", "自身", "様"}
)
_ROLE_OF_PARTICLE: dict[str, Role] = {
    "が": "subject",
    "は": "subject",
    "も": "subject",
    "を": "object",
    "に": "target",
    "へ": "target",
    "から": "agent",
    "の": "owner",
}


_AGES = frozenset({"infant", "minor", "young_adult", "middle_aged", "aged"})


def _people(tokens: Sequence[Token], cues: list[Cue], lexicon: Lexicon) -> list[Cue]:
    """Give each who-cue its role, and fold in what is said of the person just before
    (80代の母, 知的障害のある息子, 高齢の父親).
    """
    who = lexicon.who | _AGES
    by_last: dict[int, list[Cue]] = defaultdict(list)
    by_first: dict[int, list[Cue]] = defaultdict(list)
    for c in cues:
        if c.atom in who:
            by_last[c.last].append(c)
            if c.atom in _AGES:
                by_first[c.first].append(c)
    out: list[Cue] = []
    for c in cues:
        if c.atom not in lexicon.who:
            out.append(replace(c, role=_role(tokens, c), person=True) if c.atom in _AGES else c)
            continue
        atoms = set(c.atoms)
        k = c.first - 1
        # X の / X のある / X がある just before the person (not X が: 父親が子どもを)
        if (
            k >= 1
            and tokens[k].lemma in ("有る", "ある", "居る")
            and tokens[k - 1].lemma
            in (
                "の",
                "が",
            )
        ):
            k -= 2
        elif k >= 0 and tokens[k].lemma == "の":
            k -= 1
        if k < c.first - 1:
            for mod in by_last.get(k, ()):
                atoms |= mod.atoms
        k = c.last + 1  # 女性（34）, 母（当時78歳）
        while k < len(tokens) and tokens[k].lemma in _PERSON_SUFFIXES:
            k += 1
        if k < len(tokens) and tokens[k].pos == "open":
            for mod in (m for j in range(k + 1, min(len(tokens), k + 5)) for m in by_first[j]):
                atoms |= mod.atoms
        # a person is there whatever is said of them: 息子は知らない is still a son
        polarity: Polarity = c.polarity if c.polarity in ("topic", "past") else "plain"
        out.append(
            replace(
                c,
                atoms=frozenset(atoms),
                role=_role(tokens, c),
                person=True,
                polarity=polarity,
            )
        )
    return _one_person_per_word(out, lexicon)


def _one_person_per_word(cues: list[Cue], lexicon: Lexicon) -> list[Cue]:
    """Who-cues on the same words are one person with all their atoms (じいちゃん: aged and
    grandparent).
    """
    merged: dict[tuple[int, int], Cue] = {}
    out: list[Cue] = []
    for c in cues:
        if c.atom not in lexicon.who:
            out.append(c)
            continue
        key = (c.first, c.last)
        if key in merged:
            first = merged[key]
            value = first.value if first.value is not None else c.value
            out[out.index(first)] = merged[key] = replace(
                first, atoms=first.atoms | c.atoms, value=value
            )
        else:
            merged[key] = c
            out.append(c)
    return out


def _role(tokens: Sequence[Token], c: Cue) -> Role | None:
    t = tokens[c.last]
    if t.english:
        prev = tokens[c.first - 1].lemma if c.first > 0 else ""
        return "agent" if prev == "by" else None
    k = c.last + 1
    while k < len(tokens) and tokens[k].lemma in _PERSON_SUFFIXES:
        k += 1
    if (
        k < len(tokens)
        and tokens[k].pos == "comma"
        and (c.first == 0 or tokens[c.first - 1].sentence != t.sentence)
    ):
        return "subject"  # じいちゃん、嫁さんに怒鳴られとって (a topic without は)
    if k >= len(tokens) or tokens[k].clause != t.clause:
        return None
    role = _ROLE_OF_PARTICLE.get(tokens[k].lemma)
    if role == "owner" and k + 2 < len(tokens) and tokens[k + 1].lemma == "為":
        return "target"
    return role
