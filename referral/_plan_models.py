"""The referral plan and its parts (private; import these from :mod:`referral.models`).

A :class:`ReferralPlan` holds the area it resolved, the concerns it acts on
(:class:`PlanConcern`), the safety :class:`Advisory` items that come first, and the ranked
:class:`Suggestion` items, each naming a body (:class:`AgencyRef`) and the path to it
(:class:`PathStep`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .models import SCHEMA_VERSION, AreaMatch, Id, Model, Phone, Text
from .vocabulary import TierId

__all__ = [
    "Advisory",
    "AgencyRef",
    "PathStep",
    "PlanConcern",
    "ReferralPlan",
    "Role",
    "Suggestion",
]


Role = Literal["coordinator", "primary", "supporting", "escalation"]
"""What a suggested body does for the case (stable ids, in this order of precedence)."""


class AgencyRef(Model):
    """The part of an agency a plan shows: who, where, and how to reach them.

    A confidential body never carries an address. ``contact`` is the body to call: itself, or
    for a structural record the body its ``contact_via`` leads to.
    """

    id: Id
    kind: str
    tier: TierId
    name: Text
    area: Id
    attested: bool
    aggregate: bool = False
    phones: tuple[Phone, ...] = ()
    url: str | None = None
    address: str | None = None
    postal_code: str | None = None
    confidential: bool = False
    contact: Id | None = Field(default=None, description="whom to call instead (structural)")
    contact_name: Text | None = None
    contact_phones: tuple[Phone, ...] = ()
    remarks: Text | None = Field(default=None, description="what to know before calling")
    derived: tuple[str, ...] = Field(
        default=(), description="fields the build worked out (postal_code: from the address)"
    )


class PathStep(Model):
    """One typed link of a path: ``source`` —``link``→ ``target``."""

    source: Id
    target: Id
    link: str


class PlanConcern(Model):
    """A concern the plan acts on, and how sure it was (1.0 when given by the caller)."""

    id: Id
    name: Text
    confidence: Annotated[float, Field(ge=0, le=1)]
    given: bool = Field(default=False, description="named by the caller, not read from a note")
    evidence: tuple[str, ...] = Field(default=(), description="the note's words that said so")
    weak: bool = Field(default=False, description="only a weak clue, kept for its safety rule")


class Advisory(Model):
    """A safety rule that comes before any suggestion (vocabulary: overrides ranking)."""

    rule: str
    concern: Id
    message: Text
    numbers: tuple[str, ...]
    agencies: tuple[AgencyRef, ...] = ()
    weak: bool = Field(default=False, description="the clue is weak; the advice stands")
    evidence: tuple[str, ...] = Field(default=(), description="the note's words behind it")
    learned: bool = Field(
        default=False, description="the clue came from the learned look, not from a rule"
    )


class Suggestion(Model):
    """A body to route to, why, and the path from the origin through the network."""

    rank: Annotated[int, Field(ge=1)]
    agency: AgencyRef
    role: Role
    concerns: tuple[Id, ...]
    reasons: tuple[Text, ...]
    path: tuple[PathStep, ...] = Field(
        default=(), description="typed links from the origin, each changing tier by at most one"
    )
    reachable: bool = Field(default=True, description="a path exists in the directory")
    track: str | None = None
    inferred: bool = Field(default=False, description="a routing judgement, not read in a source")
    alternatives: tuple[AgencyRef, ...] = Field(
        default=(), description="other bodies of the same kind that serve the area"
    )


class ReferralPlan(Model):
    """Where to route a concern, with every suggestion explained (stable JSON, schema 1.0).

    Safety ``advisories`` come first and override ranking; ``suggestions`` are ranked;
    ``coordinator`` is the one body that holds a compound case together; ``meeting`` is the
    ward meeting where the case, or the gap it shows, should be raised.
    """

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    area: AreaMatch
    area_alternatives: tuple[AreaMatch, ...] = ()
    origin: tuple[Id, ...]
    age: int | None = None
    concerns: tuple[PlanConcern, ...]
    advisories: tuple[Advisory, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    coordinator: Id | None = None
    meeting: Id | None = None
    caveats: tuple[Text, ...] = ()
    district_choices: tuple[Id, ...] = Field(
        default=(),
        description="when only the ward is known: its care plaza areas, one of which the person "
        "lives in (a town, address or postal code tells which)",
    )
