"""The concern vocabulary and what the matcher reads in a note (private; import these from
:mod:`referral.models`).

A :class:`Concern` names the kinds of body it is routed to (:class:`KindRef`) and the ways a
note may say it (:class:`Alias`); reading a note gives :class:`Match` items with their
:class:`Evidence`, and the :class:`SafetyClue` items to act on first, in a
:class:`NoteReading`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from ._field_checks import vocabulary_id
from .models import SCHEMA_VERSION, AgeRange, Id, Model, NonEmpty, Text
from .vocabulary import KINDS

__all__ = [
    "Alias",
    "Concern",
    "ConcernSet",
    "Evidence",
    "KindRef",
    "Match",
    "NoteReading",
    "Polarity",
    "SafetyClue",
]


class KindRef(Model):
    """A kind of body named for a concern (primary, supporting or escalation)."""

    kind: str
    inferred: bool = Field(default=False, description="a routing judgement not read in a source")
    ages: AgeRange | None = Field(default=None, description="only for people of these ages")
    track: str | None = Field(
        default=None, description="parallel track the plan keeps (8050: parent / child)"
    )
    note: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return vocabulary_id(value, KINDS, "kind")


class Alias(Model):
    """A way a note may say a concern, written by the team.

    ``weight`` below 1 marks weak evidence (two weak hits make a match); ``with_any`` lists
    words one of which must appear somewhere in the note; ``without_any`` words none of which
    may appear; aliases sharing a ``group`` are synonyms and count as one piece of evidence.
    """

    text: NonEmpty
    weight: Annotated[float, Field(gt=0, le=1)] = 1.0
    group: str | None = None
    with_any: tuple[NonEmpty, ...] = ()
    without_any: tuple[NonEmpty, ...] = ()


class Concern(Model):
    """A concern of the vocabulary: labels, where it is routed, and how notes say it."""

    id: Id
    name: Text
    easy_ja: str | None = Field(default=None, description="plain, easy Japanese")
    domains: tuple[str, ...] = ()
    primary: tuple[KindRef, ...]
    supporting: tuple[KindRef, ...] = ()
    escalation: tuple[KindRef, ...] = ()
    safety: tuple[str, ...] = Field(default=(), description="safety rules that override ranking")
    ages: AgeRange | None = Field(default=None, description="the people this concern is about")
    sources: tuple[str, ...] = ()
    aliases: tuple[Alias, ...]

    @field_validator("aliases", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value


class ConcernSet(Model):
    """The concern vocabulary as shipped in ``referral/concerns.json``."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    about: str | None = None
    concerns: tuple[Concern, ...]


Polarity = Literal["plain", "suspected", "negated", "hypothetical", "topic", "past"]
"""How a note says a thing: stated, suspected, ruled out, supposed, named as a topic, or told
as over and done."""


class Evidence(Model):
    """One piece of evidence in a note: an alias, or a concept cue that served a concern rule;
    what, where (offsets in the original text) and how well.

    For a cue, ``alias`` is ``rule:atom`` (``child_abuse.hurt:violence``), ``rule`` the concern
    rule and ``cue`` the concept atom (see ``referral/concepts.json``).
    """

    alias: str
    text: str = Field(description="the words of the note that matched")
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    score: Annotated[float, Field(ge=0, le=100)]
    weight: float = 1.0
    negated: bool = False
    rule: str | None = Field(default=None, description="the concern rule this cue served")
    cue: str | None = Field(default=None, description="the concept atom of this cue")
    polarity: Polarity = "plain"


class Match(Model):
    """A concern recognised in a note, how sure the matcher is, and which words said so.

    ``start``/``end`` are offsets in the original text of the strongest evidence.
    """

    concern: Id
    name: Text
    confidence: Annotated[float, Field(ge=0, le=1)]
    alias: str
    text: str
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    evidence: tuple[Evidence, ...]
    negated: bool = Field(default=False, description="every hit was negated (虐待ではない)")
    safety: tuple[str, ...] = Field(default=(), description="safety rules its evidence brings")


class SafetyClue(Model):
    """A clue in a note that calls for a safety rule's advice first, however weak it is."""

    rule: str
    concern: Id
    confidence: Annotated[float, Field(ge=0, le=1)]
    weak: bool = Field(description="below the confidence a concern needs to be reported")
    words: tuple[str, ...] = Field(default=(), description="the note's words behind it")
    learned: bool = Field(
        default=False,
        description="found by the learned character look (referral.safety_ngrams), no rule",
    )


class NoteReading(Model):
    """Everything a note says: concerns (most strongly evidenced first), weaker ones, and
    the safety clues to act on before anything else (strongest first).
    """

    matches: tuple[Match, ...] = ()
    weak: tuple[Match, ...] = Field(default=(), description="concerns below the threshold")
    safety: tuple[SafetyClue, ...] = ()

    @property
    def advisories(self) -> tuple[SafetyClue, ...]:
        """The safety clues (an alias of :attr:`safety`)."""
        return self.safety
