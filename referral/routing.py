"""Route concerns from a place to the bodies that should take them on, explaining each step.

Given concerns (from a note or named) and where the person lives, :func:`route` suggests the
bodies a seasoned coordinator would call: the primary windows for each concern, supporting
bodies, one coordinating body for a compound case (keeping the parallel tracks the plan wants,
such as the parent's and the child's windows in an 8050 household) and the ward meeting where
the case or the gap it shows should be raised. Safety rules come first and override ranking.

Every suggestion carries a path from the origin (by default the area's residents and welfare
commissioners) through typed links of the graph, each step changing tier by at most one.

Locality: a :class:`RouteIndex` is built once per directory; a route then looks only at the
area's own nodes, its ward's and the city-level bodies that serve the ward — never at the
whole network — so its cost does not grow with the size of the directory.

Examples
--------
The lower layer: :func:`route` reads a :class:`RouteData` (the records by id, the
:class:`~referral.locality.RouteIndex` and the :class:`~referral.matching.Matcher`), which
:class:`~referral.directory.Directory` builds and passes down.

>>> from referral import Directory
>>> plan = Directory.load().route("ごみ屋敷で悪臭、住人は高齢の男性", area="戸部本町")
>>> plan.suggestions[0].role, plan.suggestions[0].agency.id
('primary', 'nishi.ward_welfare_section')
>>> [s.link for s in plan.suggestions[0].path]
['connects_to', 'connects_to']
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from ._plan_text import (
    TRACK_LABELS,
    age_caveat,
    caveats,
    coordinator_reason,
    engaged_by,
    local_unknown,
    no_record,
    reasons,
)
from .advice import advisory
from .errors import (
    AreaTooBroadError,
    ArgumentError,
    ArgumentTypeError,
    NoConcernError,
    UnknownAgencyError,
    UnknownVocabularyError,
    shorten,
)
from .locality import DEFAULT_ORIGINS, RouteIndex
from .matching import Matcher
from .models import (
    Advisory,
    Agency,
    AgencyRef,
    Area,
    AreaMatch,
    Concern,
    KindRef,
    Link,
    Match,
    PathStep,
    PlanConcern,
    ReferralPlan,
    Role,
    SafetyClue,
    Suggestion,
    Text,
)
from .vocabulary import KINDS, SAFETY_RULES, WARD_OFFICE_KINDS, known_kind

__all__ = ["RouteData", "check_age", "contact_of", "route"]

ROLE_ORDER: dict[str, int] = {"coordinator": 0, "primary": 1, "supporting": 2, "escalation": 3}
_WARD_ORIGINS = WARD_OFFICE_KINDS
_ALTERNATIVES = 5  # other bodies of the same kind a suggestion lists
_MAX_AGE = 130


def contact_of(agencies: Mapping[str, Agency], agency: Agency) -> Agency:
    """The agency to call for ``agency``: itself if it has a phone, else where its
    ``contact_via`` chain (through ``agencies``, by id) leads to one that has.
    """
    seen = {agency.id}
    while agency.contact_via and not agency.phones:
        nxt = agencies[agency.contact_via]
        if nxt.id in seen:
            break
        seen.add(nxt.id)
        agency = nxt
    return agency


@dataclass(frozen=True, slots=True)
class RouteData:
    """What a route reads: a directory's records by id, its route index and a matcher.

    Building one copies nothing (the owner keeps the maps), so a route's work stays local.
    """

    agencies: Mapping[str, Agency]
    areas: Mapping[str, Area]
    links_in: Mapping[str, Sequence[Link]]
    """The links that end at each agency, in document order."""
    index: RouteIndex
    matcher: Matcher

    def agency(self, agency_id: str) -> Agency:
        """The agency ``agency_id``; raise :class:`~referral.errors.UnknownAgencyError`."""
        found = self.agencies.get(agency_id)
        if found is None:
            raise UnknownAgencyError(agency_id)
        return found


def check_age(age: object) -> int | None:
    """Return ``age`` if it is ``None`` or a whole number from 0 to 130; else raise
    :class:`~referral.errors.ArgumentError`.
    """
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= _MAX_AGE
    ):
        raise ArgumentError(
            f"age must be a whole number from 0 to {_MAX_AGE}, not {shorten(repr(age), 30)}"
        )
    return age


@dataclass
class _Acc:
    """What the plan has gathered about one candidate body."""

    agency: Agency
    roles: set[str] = field(default_factory=set)
    concerns: list[str] = field(default_factory=list)
    reasons: list[Text] = field(default_factory=list)
    order: tuple[int, int] = (99, 99)
    track: str | None = None
    inferred: bool = True
    alternatives: dict[str, Agency] = field(default_factory=dict)  # the first few, by id


@dataclass(frozen=True)
class _Place:
    """Where the person lives: the district (the ward itself when only it is known)."""

    where: AreaMatch
    district: str
    ward: str
    ward_name: Text


@dataclass
class _Gathered:
    """The candidates of every concern, and what the plan must say it could not do."""

    acc: dict[str, _Acc] = field(default_factory=dict)
    caveats: list[Text] = field(default_factory=list)
    age_split: set[str] = field(default_factory=set)
    unknown_local: dict[str, list[str]] = field(default_factory=dict)  # left to the plaza area


def _agency_ref(data: RouteData, ag: Agency, ward: str) -> AgencyRef:
    """What a plan shows of a body; with no line of its own, the person's ward office."""
    contact = contact_of(data.agencies, ag)
    if not contact.phones and not ag.url:
        contact = data.agency(f"{ward}.ward_office")
    via = contact.id != ag.id
    return AgencyRef(
        id=ag.id,
        kind=ag.kind,
        tier=ag.tier,
        name=ag.name,
        area=ag.area,
        attested=ag.attested,
        aggregate=ag.aggregate,
        phones=ag.phones,
        url=ag.url,
        address=None if ag.confidential else ag.address,
        postal_code=None if ag.confidential else ag.postal_code,
        confidential=ag.confidential,
        contact=contact.id if via else None,
        contact_name=contact.name if via else None,
        contact_phones=contact.phones if via else (),
        remarks=ag.remarks,
        derived=tuple(dict.fromkeys(x.field for x in ag.derived)),
    )


def _concerns(
    matcher: Matcher, what: str | Sequence[str], note: str | None
) -> tuple[list[PlanConcern], list[SafetyClue]]:
    """The concerns to act on and the safety clues to put first.

    From a note: its concerns; when none is sure enough but the note holds a clue of a
    concern with a safety rule, that concern, marked weak (safety first, even on weak
    evidence). From concern ids: those, each with its concern's safety rules; ``note`` (when
    given too) adds its own concerns and clues after them.
    """
    if isinstance(what, str):
        return _from_note(matcher, what, given=())
    if not isinstance(what, Sequence) or not all(isinstance(c, str) for c in what):
        raise ArgumentTypeError("route() takes a note (str) or a sequence of concern ids")
    if not what and not note:
        raise NoConcernError()
    given = []
    for cid in dict.fromkeys(what):
        c = matcher.concern(cid)
        given.append(PlanConcern(id=c.id, name=c.name, confidence=1.0, given=True))
    clues = [
        SafetyClue(rule=rule, concern=pc.id, confidence=1.0, weak=False)
        for pc in given
        for rule in matcher.concern(pc.id).safety
    ]
    if note:
        read, note_clues = _from_note(matcher, note, given=given, required=not given)
        given += read
        clues += [c for c in note_clues if c.rule not in {x.rule for x in clues}]
    return given, clues


def _from_note(
    matcher: Matcher, note: str, *, given: Sequence[PlanConcern], required: bool = True
) -> tuple[list[PlanConcern], list[SafetyClue]]:
    reading = matcher.read(note)
    known = {pc.id for pc in given}
    # a plan reads its concerns as the note tells them: the surest first, then in the order
    # the note mentions them (8050の世帯で… puts the household before what follows)
    ordered = sorted(reading.matches, key=lambda m: (-round(m.confidence, 1), m.start))
    found = [_plan_concern(m) for m in ordered if m.concern not in known]
    if not found and not given:
        weak = {c.concern for c in reading.safety}
        found = [_plan_concern(m, weak=True) for m in reading.weak if m.concern in weak]
    if not found and required:
        raise NoConcernError([m.concern for m in reading.weak[:4]])
    return found, list(reading.safety)


def _plan_concern(m: Match, *, weak: bool = False) -> PlanConcern:
    """A plan's concern from a match: its words (not those ruled out), once each."""
    return PlanConcern(
        id=m.concern,
        name=m.name,
        confidence=m.confidence,
        evidence=tuple(dict.fromkeys(e.text for e in m.evidence if not e.negated)),
        weak=weak,
    )


def _origins(idx: RouteIndex, place: _Place, origin_kind: str | None) -> list[str]:
    """Where paths start: the area's welfare commissioners and residents; with only a ward,
    the ward office and its sections (a consultation there reaches every section); or the
    nearest body of ``origin_kind``.
    """
    area, ward = place.district, place.ward
    if origin_kind is None:
        kinds: tuple[str, ...] = DEFAULT_ORIGINS if area != ward else _WARD_ORIGINS
    else:
        kinds = (known_kind(origin_kind),)  # UnknownVocabularyError with a suggestion
    origins = [n for k in kinds for n in idx.local(k, area, ward)[:1]]
    if not origins:
        raise UnknownVocabularyError(
            f"origin kind for {area}", origin_kind or "", suggestions=["welfare_commissioner"]
        )
    return origins


def _path(parent: Mapping[str, tuple[str, str]], node: str) -> tuple[PathStep, ...] | None:
    if node not in parent:
        return None
    steps: list[PathStep] = []
    while parent[node][0] != node:
        src, link = parent[node]
        steps.append(PathStep(source=src, target=node, link=link))
        node = src
    return tuple(reversed(steps))


def _best_first(data: RouteData, ids: Iterable[str], ward: str, *, first: int) -> list[Agency]:
    """The ``first`` best same-kind candidates: the nearest level (the area's own, then the
    ward's, then the city's), serving this ward specifically, attested, the main site.

    Ranked on the index alone, so an area with every commissioner as a node of their own
    costs no more than a few lookups per candidate.
    """
    idx = data.index
    level, serves, attested = idx.key, idx.serves, idx.attested

    def key(n: str) -> tuple[int, int, int, int, str]:
        return (
            2 if level[n] == "" else 1 if level[n] == ward else 0,
            0 if ward in serves.get(n, ()) else 1,
            0 if n in attested else 1,
            n.count("."),
            n,
        )

    return [data.agencies[n] for n in heapq.nsmallest(first, ids, key=key)]


def route(
    data: RouteData,
    note_or_concerns: str | Sequence[str],
    *,
    area: AreaMatch,
    area_alternatives: Sequence[AreaMatch] = (),
    age: int | None = None,
    origin_kind: str | None = None,
    note: str | None = None,
) -> ReferralPlan:
    """Suggest where to route concerns for a person living in ``area`` (already resolved;
    ``area_alternatives`` are the other places the text could mean).

    See :meth:`referral.directory.Directory.route` for the parameters and the plan's shape.
    The steps: the place, the concerns (safety ones first), where paths start, the
    candidates of every concern, the coordinating body, the safety advisories, the ranked
    suggestions with their paths, the meeting and the caveats.
    """
    check_age(age)
    place = _place(data, area)
    concerns, clues = _concerns(data.matcher, note_or_concerns, note)
    by_id = {c.id: data.matcher.concern(c.id) for c in concerns}
    # safety concerns first; then as read (by confidence, then the order of mention) or given
    concerns.sort(key=lambda c: not by_id[c.id].safety)
    origins = _origins(data.index, place, origin_kind)
    got = _gather(data, place, concerns, by_id, age)
    coordinator = _coordinator(data.index, got.acc, concerns, by_id) if len(concerns) > 1 else None
    if coordinator is not None:
        a = got.acc[coordinator]
        a.roles.add("coordinator")
        a.reasons.insert(0, coordinator_reason([by_id[c].name for c in a.concerns]))
    advisories = _advisories(data, clues, place)
    ordered = _ranked(data, got.acc, place, origins, advisories)
    notes = got.caveats + caveats(ordered, area, area_alternatives, got.age_split, by_id)
    choices: tuple[str, ...] = ()
    if area.area.kind == "ward":
        districts = _districts(data, place.ward)
        choices = tuple(a.id for a in districts)
        notes.insert(0, local_unknown(data.areas[place.ward], got.unknown_local, districts))
    return ReferralPlan(
        area=area,
        area_alternatives=tuple(area_alternatives),
        origin=tuple(origins),
        age=age,
        concerns=tuple(concerns),
        advisories=tuple(advisories),
        suggestions=tuple(ordered),
        coordinator=coordinator,
        meeting=_meeting(ordered, concerns, by_id),
        caveats=tuple(dict.fromkeys(notes)),
        district_choices=choices,
    )


def _place(data: RouteData, where: AreaMatch) -> _Place:
    """The district and ward of a resolved area (refusing the whole city)."""
    if where.area.kind == "city":
        raise AreaTooBroadError(
            "the area is the whole city: give a ward, a care plaza area, a town or a postal code"
        )
    ward = where.area.parent if where.area.kind == "district" else where.area.id
    assert ward is not None
    return _Place(where, where.area.id, ward, data.areas[ward].name)


def _districts(data: RouteData, ward: str) -> list[Area]:
    """The ward's district (care plaza) areas, in id order."""
    return sorted(
        (a for a in data.areas.values() if a.kind == "district" and a.parent == ward),
        key=lambda a: a.id,
    )


def _gather(
    data: RouteData,
    place: _Place,
    concerns: Sequence[PlanConcern],
    by_id: Mapping[str, Concern],
    age: int | None,
) -> _Gathered:
    """Every concern's windows, supporting bodies and meetings, each at its nearest body."""
    got = _Gathered()
    for ci, pc in enumerate(concerns):
        c = by_id[pc.id]
        if age is not None and c.ages and not c.ages.admits(age):
            got.caveats.append(age_caveat(c, age))
        for role, refs in (
            ("primary", c.primary),
            ("supporting", c.supporting),
            ("escalation", c.escalation),
        ):
            for ki, ref in enumerate(refs):
                if ref.ages and age is not None and not ref.ages.admits(age):
                    continue
                if ref.ages and age is None:
                    got.age_split.add(c.id)
                ids = _candidates(data, place, got, c, ref.kind, role)
                if ids:
                    _take(data, place, got, c, ref, role, ids, (ci, ki))
    return got


def _candidates(
    data: RouteData, place: _Place, got: _Gathered, c: Concern, kind: str, role: str
) -> list[str]:
    """The bodies of ``kind`` near the person; none (and a note of it) when there are none,
    or when only the ward is known and every one belongs to one care plaza area.
    """
    idx = data.index
    ids = idx.local(kind, place.district, place.ward)
    if place.district == place.ward and ids:  # only the ward is known: no one plaza's body
        local = {i for i in ids if _in_district(data, idx.key[i])}
        ids = [i for i in ids if i not in local]
        if local and not ids:
            names = got.unknown_local.setdefault(kind, [])
            if c.name.ja not in names:
                names.append(c.name.ja)
            return []
    if not ids and role != "escalation":
        got.caveats.append(no_record(kind, place.ward_name, c))
    return ids


def _take(
    data: RouteData,
    place: _Place,
    got: _Gathered,
    c: Concern,
    ref: KindRef,
    role: str,
    ids: Sequence[str],
    order: tuple[int, int],
) -> None:
    """Add the best of ``ids`` to the plan for concern ``c`` in ``role``, with its reasons."""
    ranked = _best_first(data, ids, place.ward, first=_ALTERNATIVES + 1)
    ag = ranked[0]
    key, district, ward = data.index.key[ag.id], place.district, place.ward
    here = "district" if key == district != ward else ("ward" if key == ward else "city")
    a = got.acc.setdefault(ag.id, _Acc(ag))
    a.roles.add(role)
    if c.id not in a.concerns:
        a.concerns.append(c.id)
    for r in reasons(ref, role, c, ag, place.where.area.name, place.ward_name, here):
        if r not in a.reasons:
            a.reasons.append(r)
    a.order = min(a.order, order)
    a.inferred = a.inferred and ref.inferred
    a.track = a.track or ref.track
    for x in ranked[1:]:  # the same kind in the same place: the same list each time
        a.alternatives.setdefault(x.id, x)


def _ranked(
    data: RouteData,
    acc: Mapping[str, _Acc],
    place: _Place,
    origins: Sequence[str],
    advisories: Sequence[Advisory],
) -> list[Suggestion]:
    """The suggestions in order: safety bodies, then by role, concern, tier, attested, id."""
    parent = data.index.paths(origins, place.district, place.ward)
    safety_kinds = {k for adv in advisories for k in SAFETY_RULES[adv.rule].kinds}
    keyed = [_suggestion(data, a, acc, parent, place.ward, safety_kinds) for a in acc.values()]
    keyed.sort(key=lambda t: t[0])
    return [s.model_copy(update={"rank": i}) for i, (_, s) in enumerate(keyed, 1)]


def _suggestion(
    data: RouteData,
    a: _Acc,
    acc: Mapping[str, _Acc],
    parent: Mapping[str, tuple[str, str]],
    ward: str,
    safety_kinds: set[str],
) -> tuple[tuple[object, ...], Suggestion]:
    """One body's suggestion (ranked 1 for now) and the key it is ranked by."""
    role = cast(Role, min(a.roles, key=ROLE_ORDER.__getitem__))
    path = _path(parent, a.agency.id)
    why = list(a.reasons)
    if a.track:
        why.append(TRACK_LABELS.get(a.track, Text(ja=a.track, en=a.track)))
    if path is None:
        bodies = {n: x.agency for n, x in acc.items()}
        why.append(engaged_by(data.links_in.get(a.agency.id, ()), bodies))
    key = (
        0 if a.agency.kind in safety_kinds else 1,
        ROLE_ORDER[role],
        a.order,
        data.index.rank[a.agency.id],
        0 if a.agency.attested else 1,
        a.agency.id,
    )
    return key, Suggestion(
        rank=1,
        agency=_agency_ref(data, a.agency, ward),
        role=role,
        concerns=tuple(a.concerns),
        reasons=tuple(why),
        path=path or (),
        reachable=path is not None,
        track=a.track,
        inferred=a.inferred,
        alternatives=tuple(_agency_ref(data, x, ward) for x in a.alternatives.values()),
    )


def _meeting(
    ranked: Sequence[Suggestion], concerns: Sequence[PlanConcern], by_id: Mapping[str, Concern]
) -> str | None:
    """The meeting to raise the case at: the one most of the plan's concerns name (a
    concern's first-named meeting counting half again), ties going to the earlier concern.
    """
    best: tuple[float, int, str] | None = None
    for s in ranked:
        if s.role != "escalation" or not KINDS[s.agency.kind].meeting:
            continue
        score = 0.0
        first = len(concerns)
        for ci, pc in enumerate(concerns):
            kinds = [ref.kind for ref in by_id[pc.id].escalation]
            if s.agency.kind in kinds:
                score += 1.5 if kinds[0] == s.agency.kind else 1.0
                first = min(first, ci)
        key = (-score, first, s.agency.id)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _coordinator(
    idx: RouteIndex,
    acc: Mapping[str, _Acc],
    concerns: Sequence[PlanConcern],
    by_id: Mapping[str, Concern],
) -> str | None:
    """The one body that holds a compound case together.

    A safety concern's primary window leads; otherwise the primary window involved in the
    most concerns, then the one closest to the person (district before ward), attested first.
    """
    safety = [c.id for c in concerns if by_id[c.id].safety]
    pool = [
        a
        for a in acc.values()
        if "primary" in a.roles and not KINDS[a.agency.kind].meeting and not a.agency.aggregate
    ]
    if safety:
        pool = [a for a in pool if safety[0] in a.concerns] or pool
    if not pool:
        return None
    best = min(
        pool,
        key=lambda a: (
            -len(a.concerns),
            idx.rank[a.agency.id],
            0 if a.agency.attested else 1,
            a.order,
            a.agency.id,
        ),
    )
    return best.agency.id


def _advisories(data: RouteData, clues: Sequence[SafetyClue], place: _Place) -> list[Advisory]:
    """One advisory per safety clue, in the reading's order, with the nearest bodies that
    act on it.
    """
    out = []
    for clue in clues:
        kinds = SAFETY_RULES[clue.rule].kinds
        bodies = [data.agencies[i] for k in kinds for i in _safety_local(data, k, place)]
        refs = tuple(_agency_ref(data, b, place.ward) for b in bodies)
        out.append(advisory(clue, refs))
    return out


def _safety_local(data: RouteData, kind: str, place: _Place) -> list[str]:
    """The nearest body of ``kind`` to name beside a safety advice: with only the ward
    known, never one care plaza area's body (the person may live in another).
    """
    ids = data.index.local(kind, place.district, place.ward)
    if place.district == place.ward:
        ids = [i for i in ids if not _in_district(data, data.index.key[i])]
    return ids[:1]


def _in_district(data: RouteData, area_id: str) -> bool:
    area = data.areas.get(area_id)
    return area is not None and area.kind == "district"
