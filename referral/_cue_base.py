"""The cue record and how one is built from a note's words (private: import :class:`Cue` from
:mod:`referral.cues`).

Both the phrase finder (:mod:`referral.cues`) and the number reader
(:mod:`referral._cue_numbers`) make cues here, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .morphology import Token
from .polarity import Polarity, passive, polarity

__all__ = ["Cue", "Role", "make_cue"]

Role = Literal["subject", "object", "agent", "owner", "target"]
"""What a person is in their clause, from the particle after them."""


@dataclass(frozen=True, slots=True)
class Cue:
    """One concept found in a note.

    ``first``/``last`` index the note's tokens; ``start``/``end`` are offsets into the
    note. ``atoms`` holds the cue's atom and, for a person, what is said of them
    (80代の母 is ``{"parent", "aged"}``).
    """

    atom: str
    atoms: frozenset[str]
    start: int
    end: int
    first: int
    last: int
    sentence: int
    clause: int
    polarity: Polarity = "plain"
    role: Role | None = None
    passive: bool = False
    value: int | None = None
    person: bool = False
    pos: str = ""
    english: bool = False


def make_cue(tokens: Sequence[Token], atom: str, first: int, last: int, **kw: Any) -> Cue:
    """The cue of ``atom`` on ``tokens[first..last]``: its offsets, how it is said, and its
    voice (``kw`` sets the other fields: ``value``, ``role``).
    """
    a, b = tokens[first], tokens[last]
    return Cue(
        atom=atom,
        atoms=frozenset((atom,)),
        start=a.start,
        end=b.end,
        first=first,
        last=last,
        sentence=a.sentence,
        clause=a.clause,
        polarity=polarity(tokens, first, last),
        passive=passive(tokens, first, last),
        pos=a.pos,
        english=a.english,
        **kw,
    )
