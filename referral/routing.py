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
>>> from referral import Directory
>>> plan = Directory.load().route("ごみ屋敷で悪臭、住人は高齢の男性", area="戸部本町")
>>> plan.suggestions[0].role, plan.suggestions[0].agency.id
('primary', 'nishi.ward_welfare_section')
>>> [s.link for s in plan.suggestions[0].path]
['connects_to', 'connects_to']
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from .errors import (
    ArgumentError,
    ArgumentTypeError,
    ReferralError,
    UnknownVocabularyError,
    shorten,
)
from .models import (
    Advisory,
    Agency,
    AgencyRef,
    AreaMatch,
    Concern,
    KindRef,
    Match,
    PathStep,
    PlanConcern,
    ReferralPlan,
    Role,
    SafetyClue,
    Suggestion,
    Text,
)
from .network import DEFAULT_ORIGINS, RouteIndex
from .vocabulary import KINDS, LINK_KINDS, SAFETY_RULES, WARD_OFFICE_KINDS

if TYPE_CHECKING:
    from .directory import Directory

__all__ = ["WEAK_PREFIX", "AreaTooBroadError", "NoConcernError", "advisory", "route"]

ROLE_ORDER: dict[str, int] = {"coordinator": 0, "primary": 1, "supporting": 2, "escalation": 3}
_WARD_ORIGINS = WARD_OFFICE_KINDS
TRACK_LABELS = {
    "parent": Text(ja="親の支援", en="the parent's track"),
    "child": Text(ja="子の支援", en="the child's track"),
    "elder": Text(ja="介護の支援", en="the eldercare track"),
}


class NoConcernError(ReferralError, LookupError):
    """No concern could be read from the note (the CLI exits 1 with advice)."""

    def __init__(self, near: Sequence[str] = ()) -> None:
        self.near = tuple(near)
        hint = f"; weak clues: {', '.join(self.near)}" if self.near else ""
        super().__init__(
            "no concern recognised in the note: rephrase it, or name the concern "
            f"(referral concerns lists them){hint}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class AreaTooBroadError(ReferralError, ValueError):
    """The area given is the whole city; a route needs a ward or a daily-living area."""


_ALTERNATIVES = 5  # other bodies of the same kind a suggestion lists


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


def _agency_ref(d: Directory, ag: Agency, ward: str) -> AgencyRef:
    """What a plan shows of a body; with no line of its own, the person's ward office."""
    contact = d.contact(ag)
    if not contact.phones and not ag.url:
        contact = d.agency(f"{ward}.ward_office")
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
    d: Directory, what: str | Sequence[str], note: str | None
) -> tuple[list[PlanConcern], list[SafetyClue]]:
    """The concerns to act on and the safety clues to put first.

    From a note: its concerns; when none is sure enough but the note holds a clue of a
    concern with a safety rule, that concern, marked weak (safety first, even on weak
    evidence). From concern ids: those, each with its concern's safety rules; ``note`` (when
    given too) adds its own concerns and clues after them.
    """
    if isinstance(what, str):
        return _from_note(d, what, given=())
    if not isinstance(what, Sequence) or not all(isinstance(c, str) for c in what):
        raise ArgumentTypeError("route() takes a note (str) or a sequence of concern ids")
    if not what and not note:
        raise NoConcernError()
    given = []
    for cid in dict.fromkeys(what):
        c = d.concern(cid)
        given.append(PlanConcern(id=c.id, name=c.name, confidence=1.0, given=True))
    clues = [
        SafetyClue(rule=rule, concern=pc.id, confidence=1.0, weak=False)
        for pc in given
        for rule in d.concern(pc.id).safety
    ]
    if note:
        read, note_clues = _from_note(d, note, given=given, required=not given)
        given += read
        clues += [c for c in note_clues if c.rule not in {x.rule for x in clues}]
    return given, clues


def _from_note(
    d: Directory, note: str, *, given: Sequence[PlanConcern], required: bool = True
) -> tuple[list[PlanConcern], list[SafetyClue]]:
    reading = d.read(note)
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


def _origins(
    d: Directory, idx: RouteIndex, area: str, ward: str, origin_kind: str | None
) -> list[str]:
    """Where paths start: the area's welfare commissioners and residents; with only a ward,
    the ward office and its sections (a consultation there reaches every section); or the
    nearest body of ``origin_kind``."""
    if origin_kind is None:
        kinds: tuple[str, ...] = DEFAULT_ORIGINS if area != ward else _WARD_ORIGINS
    else:
        kinds = (d._known_kind(origin_kind),)  # UnknownVocabularyError with a suggestion
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


def _best_first(
    d: Directory, idx: RouteIndex, ids: Iterable[str], ward: str, *, first: int
) -> list[Agency]:
    """The ``first`` best same-kind candidates: the nearest level (the area's own, then the
    ward's, then the city's), serving this ward specifically, attested, the main site.

    Ranked on the index alone, so an area with every commissioner as a node of their own
    costs no more than a few lookups per candidate."""
    level, serves, attested = idx.key, idx.serves, idx.attested

    def key(n: str) -> tuple[int, int, int, int, str]:
        return (
            2 if level[n] == "" else 1 if level[n] == ward else 0,
            0 if ward in serves.get(n, ()) else 1,
            0 if n in attested else 1,
            n.count("."),
            n,
        )

    return [d.agency(n) for n in heapq.nsmallest(first, ids, key=key)]


def _ages_text(lo: int | None, hi: int | None) -> Text:
    """「15〜39歳が対象」, 「40歳以上が対象」 and their English."""
    if hi is None:
        return Text(ja=f"{lo}歳以上が対象", en=f"for people aged {lo} and over")
    if lo is None:
        return Text(ja=f"{hi}歳以下が対象", en=f"for people aged {hi} and under")
    return Text(ja=f"{lo}〜{hi}歳が対象", en=f"for ages {lo}–{hi}")


def _reasons(
    ref: KindRef,
    role: str,
    concern: Concern,
    ag: Agency,
    area_name: Text,
    ward_name: Text,
    here: str,
) -> list[Text]:
    k = KINDS[ref.kind]
    what = {
        "primary": ("一次窓口", "primary window"),
        "supporting": ("支援機関", "supporting body"),
        "escalation": ("提起する会議", "meeting to raise it at"),
    }[role]
    out = [
        Text(
            ja=f"{concern.name.ja}の{what[0]}（{k.ja}）",
            en=f"{what[1]} for {concern.name.en} ({k.en})",
        )
    ]
    if here == "district":
        out.append(Text(ja=f"{area_name.ja}を担当", en=f"serves the {area_name.en}"))
    elif here == "ward":
        out.append(Text(ja=f"{ward_name.ja}の機関", en=f"serves {ward_name.en}"))
    elif ag.serves:
        out.append(
            Text(
                ja=f"{ward_name.ja}を管轄（市の機関）",
                en=f"city body whose catchment includes {ward_name.en}",
            )
        )
    else:
        out.append(Text(ja="市全域を担当", en="serves the whole city"))
    if ref.ages:
        out.append(_ages_text(ref.ages.min, ref.ages.max))
    if ref.inferred:
        out.append(
            Text(
                ja="推定（出典ではなく一般的な実務による判断）",
                en="inferred: common practice, not read in a source",
            )
        )
    if not ag.attested and not k.meeting:
        out.append(
            Text(
                ja="構造上の記録（名称・連絡先は出典で未確認）",
                en="structural record: its own name or contact is not in the sources",
            )
        )
    return out


def route(
    d: Directory,
    idx: RouteIndex,
    note_or_concerns: str | Sequence[str],
    *,
    area: str | AreaMatch,
    age: int | None = None,
    origin_kind: str | None = None,
    note: str | None = None,
) -> ReferralPlan:
    """Suggest where to route concerns for a person living in ``area``.

    See :meth:`referral.directory.Directory.route` for the parameters and the plan's shape.
    """
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130
    ):
        raise ArgumentError(
            f"age must be a whole number from 0 to 130, not {shorten(repr(age), 30)}"
        )
    if isinstance(area, AreaMatch):
        where, alternatives = area, []
    else:
        if not isinstance(area, str):
            raise ArgumentTypeError(f"area must be a str, not {type(area).__name__}")
        known = d.area_or_none(area)
        found = (
            [AreaMatch(area=known, confidence=1.0, reason=Text(ja="ID", en="id"), matched=area)]
            if known is not None
            else d.resolve_area(area)
        )
        if not found:
            d.require_area(area)  # raises UnknownAreaError with the nearest names
        where, alternatives = found[0], [m for m in found[1:] if m.confidence > 0]
    if where.area.kind == "city":
        raise AreaTooBroadError(
            "the area is the whole city: give a ward, a care plaza area, a town or a postal code"
        )
    district = where.area.id
    ward = where.area.parent if where.area.kind == "district" else where.area.id
    assert ward is not None
    area_name, ward_name = where.area.name, d.area(ward).name
    concerns, clues = _concerns(d, note_or_concerns, note)
    by_id = {c.id: d.concern(c.id) for c in concerns}
    # safety concerns first; then as read (by confidence, then the order of mention) or given
    concerns.sort(key=lambda c: not by_id[c.id].safety)
    origins = _origins(d, idx, district, ward, origin_kind)
    parent = idx.paths(origins, district, ward)
    caveats: list[Text] = []
    acc: dict[str, _Acc] = {}
    age_split: set[str] = set()
    unknown_local: dict[str, list[str]] = {}  # district kinds left to the care plaza area
    for ci, pc in enumerate(concerns):
        c = by_id[pc.id]
        if age is not None and c.ages and not c.ages.admits(age):
            caveats.append(
                Text(
                    ja=f"{c.name.ja}は通常{c.ages.min}〜{c.ages.max}歳の人についての懸念です（年齢{age}）",
                    en=f"{c.name.en} usually concerns people aged {c.ages.min}–{c.ages.max} "
                    f"(age given: {age})",
                )
            )
        for kind_role, refs in (
            ("primary", c.primary),
            ("supporting", c.supporting),
            ("escalation", c.escalation),
        ):
            for ki, ref in enumerate(refs):
                if ref.ages and age is not None and not ref.ages.admits(age):
                    continue
                if ref.ages and age is None:
                    age_split.add(c.id)
                ids = idx.local(ref.kind, district, ward)
                if district == ward and ids:  # only the ward is known: no one plaza's body
                    local = {i for i in ids if _in_district(d, idx.key[i])}
                    ids = [i for i in ids if i not in local]
                    if local and not ids:
                        unknown_local.setdefault(ref.kind, [])
                        if c.name.ja not in unknown_local[ref.kind]:
                            unknown_local[ref.kind].append(c.name.ja)
                        continue
                if not ids:
                    if kind_role != "escalation":
                        caveats.append(
                            Text(
                                ja=f"{ward_name.ja}に{KINDS[ref.kind].ja}の記録がありません（{c.name.ja}）",
                                en=f"no {KINDS[ref.kind].en} on record for {ward_name.en} "
                                f"({c.name.en})",
                            )
                        )
                    continue
                ranked = _best_first(d, idx, ids, ward, first=_ALTERNATIVES + 1)
                ag = ranked[0]
                here = (
                    "district"
                    if idx.key[ag.id] == district != ward
                    else ("ward" if idx.key[ag.id] == ward else "city")
                )
                a = acc.setdefault(ag.id, _Acc(ag))
                a.roles.add(kind_role)
                if c.id not in a.concerns:
                    a.concerns.append(c.id)
                for r in _reasons(ref, kind_role, c, ag, area_name, ward_name, here):
                    if r not in a.reasons:
                        a.reasons.append(r)
                a.order = min(a.order, (ci, ki))
                a.inferred = a.inferred and ref.inferred
                a.track = a.track or ref.track
                for x in ranked[1:]:  # the same kind in the same place: the same list each time
                    a.alternatives.setdefault(x.id, x)
    coordinator = _coordinator(d, idx, acc, concerns, by_id) if len(concerns) > 1 else None
    if coordinator is not None:
        a = acc[coordinator]
        a.roles.add("coordinator")
        covered = "・".join(by_id[c].name.ja for c in a.concerns)
        covered_en = ", ".join(by_id[c].name.en for c in a.concerns)
        a.reasons.insert(
            0,
            Text(
                ja=f"複数の懸念（{covered}）にかかわるため、全体の調整役に",
                en=f"involved in several concerns ({covered_en}), so it holds the case together",
            ),
        )
    advisories = _advisories(d, idx, clues, district, ward)
    safety_kinds = {k for adv in advisories for k in SAFETY_RULES[adv.rule].kinds}
    suggestions: list[tuple[tuple[object, ...], Suggestion]] = []
    for a in acc.values():
        role = cast(Role, min(a.roles, key=ROLE_ORDER.__getitem__))
        path = _path(parent, a.agency.id)
        reasons = list(a.reasons)
        if a.track:
            reasons.append(TRACK_LABELS.get(a.track, Text(ja=a.track, en=a.track)))
        if path is None:
            reasons.append(_engaged_by(d, a.agency.id, acc))
        suggestions.append(
            (
                (
                    0 if a.agency.kind in safety_kinds else 1,
                    ROLE_ORDER[role],
                    a.order,
                    idx.rank[a.agency.id],
                    0 if a.agency.attested else 1,
                    a.agency.id,
                ),
                Suggestion(
                    rank=1,
                    agency=_agency_ref(d, a.agency, ward),
                    role=role,
                    concerns=tuple(a.concerns),
                    reasons=tuple(reasons),
                    path=path or (),
                    reachable=path is not None,
                    track=a.track,
                    inferred=a.inferred,
                    alternatives=tuple(_agency_ref(d, x, ward) for x in a.alternatives.values()),
                ),
            )
        )
    suggestions.sort(key=lambda t: t[0])
    ordered = [s.model_copy(update={"rank": i}) for i, (_, s) in enumerate(suggestions, 1)]
    meeting = _meeting(ordered, concerns, by_id)
    caveats += _caveats(ordered, where, alternatives, age_split, by_id)
    choices: tuple[str, ...] = ()
    if where.area.kind == "ward":
        choices = tuple(a.id for a in d.districts(ward))
        caveats.insert(0, _local_unknown(d, ward, unknown_local, choices))
    return ReferralPlan(
        area=where,
        area_alternatives=tuple(alternatives),
        origin=tuple(origins),
        age=age,
        concerns=tuple(concerns),
        advisories=tuple(advisories),
        suggestions=tuple(ordered),
        coordinator=coordinator,
        meeting=meeting,
        caveats=tuple(dict.fromkeys(caveats)),
        district_choices=choices,
    )


def _engaged_by(d: Directory, node: str, acc: Mapping[str, _Acc]) -> Text:
    """Why a body has no tier-by-tier path: who engages it (a link from another suggested
    body), or that no link reaches it from the area."""
    into = {lk.source: lk.kind for lk in reversed(d.links_to(node))}  # first link kept
    for source in sorted(acc):  # only the plan's own bodies
        if source in into:
            src = acc[source].agency.name
            lk = LINK_KINDS[into[source]]
            return Text(
                ja=f"{src.ja}から依頼される（{lk.ja}）", en=f"engaged by {src.en} ({lk.en})"
            )
    return Text(
        ja="この地域からこの機関へのつながりが名簿にありません",
        en="no link in the directory reaches it from this area",
    )


def _meeting(
    ranked: Sequence[Suggestion], concerns: Sequence[PlanConcern], by_id: Mapping[str, Concern]
) -> str | None:
    """The meeting to raise the case at: the one most of the plan's concerns name (a
    concern's first-named meeting counting half again), ties going to the earlier concern."""
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
    d: Directory,
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


def _advisories(
    d: Directory,
    idx: RouteIndex,
    clues: Sequence[SafetyClue],
    district: str,
    ward: str,
) -> list[Advisory]:
    """One advisory per safety clue, in the reading's order, with the nearest bodies that
    act on it."""
    out = []
    for clue in clues:
        kinds = SAFETY_RULES[clue.rule].kinds
        bodies = [d.agency(i) for k in kinds for i in _safety_local(d, idx, k, district, ward)]
        out.append(advisory(clue, tuple(_agency_ref(d, b, ward) for b in bodies)))
    return out


def _safety_local(d: Directory, idx: RouteIndex, kind: str, district: str, ward: str) -> list[str]:
    """The nearest body of ``kind`` to name beside a safety advice: with only the ward
    known, never one care plaza area's body (the person may live in another)."""
    ids = idx.local(kind, district, ward)
    if district == ward:
        ids = [i for i in ids if not _in_district(d, idx.key[i])]
    return ids[:1]


def advisory(clue: SafetyClue, agencies: tuple[AgencyRef, ...] = ()) -> Advisory:
    """The advice a safety clue calls for (a weak clue says it is weak; the advice stands).

    >>> from referral.models import SafetyClue
    >>> adv = advisory(SafetyClue(rule="child_abuse_189", concern="child_abuse",
    ...                           confidence=0.4, weak=True))
    >>> adv.numbers, adv.message.ja.startswith("（手がかりは弱いですが、念のため）")
    (('189', '110'), True)
    """
    rule = SAFETY_RULES[clue.rule]
    message = Text(ja=rule.ja, en=rule.en)
    if clue.weak:
        message = Text(ja=WEAK_PREFIX.ja + rule.ja, en=WEAK_PREFIX.en + rule.en)
    return Advisory(
        rule=clue.rule,
        concern=clue.concern,
        message=message,
        numbers=rule.numbers,
        agencies=agencies,
        weak=clue.weak,
        evidence=clue.words,
        learned=clue.learned,
    )


WEAK_PREFIX = Text(
    ja="（手がかりは弱いですが、念のため）",
    en="(The clue is weak, but to be safe:) ",
)
"""What a weak clue's advisory says first: the advice stands, the evidence is thin."""


def _in_district(d: Directory, area_id: str) -> bool:
    area = d.area_or_none(area_id)
    return area is not None and area.kind == "district"


def _local_unknown(
    d: Directory, ward: str, unknown: Mapping[str, list[str]], choices: Sequence[str]
) -> Text:
    """What a ward-only plan leaves out: the care plaza area's own windows, and the areas to
    choose from (a town or postal code tells which)."""
    names = "・".join(
        re.sub(r"(地域ケアプラザ圏域|地域包括支援センター圏域)$", "", d.area(a).name.ja)
        for a in choices
    )
    names_en = ", ".join(d.area(a).name.en.removesuffix(" care plaza area") for a in choices)
    kinds = (
        "・".join(f"{KINDS[k].ja}（{'・'.join(cs)}）" for k, cs in unknown.items())
        or "地域ケアプラザ・地域包括支援センター"
    )
    kinds_en = ", ".join(KINDS[k].en for k in unknown) or "care plaza, support centre"
    return Text(
        ja=f"地域が区までしか分からないため、ケアプラザ圏域の窓口（{kinds}）は選んでいません。"
        f"町名・住所・郵便番号で圏域を特定してください。{d.area(ward).name.ja}の圏域"
        f"（{len(choices)}）: {names}",
        en=f"only the ward is known, so the care plaza area's own windows ({kinds_en}) are not "
        f"chosen: give a town, an address or a postal code. The ward's {len(choices)} areas: "
        f"{names_en}",
    )


def _caveats(
    ranked: Sequence[Suggestion],
    where: AreaMatch,
    alternatives: Sequence[AreaMatch],
    age_split: set[str],
    by_id: Mapping[str, Concern],
) -> list[Text]:
    out: list[Text] = []
    if alternatives:
        names = "・".join(m.area.name.ja for m in alternatives)
        names_en = ", ".join(m.area.name.en for m in alternatives)
        out.append(
            Text(
                ja=f"地域の特定は確からしさ{where.confidence:.0%}です（他の候補: {names}）",
                en=f"the area is {where.confidence:.0%} sure (also possible: {names_en})",
            )
        )
    for cid in sorted(age_split):
        out.append(
            Text(
                ja=f"年齢が不明のため、{by_id[cid].name.ja}は年齢別の窓口を両方挙げています",
                en=f"age unknown: both age-specific windows are listed for {by_id[cid].name.en}",
            )
        )
    if any(not s.agency.attested and not KINDS[s.agency.kind].meeting for s in ranked):
        out.append(
            Text(
                ja="構造上の記録は、表示した連絡先（区役所など）を通じてつないでください",
                en="reach structural records through the contact shown (usually the ward office)",
            )
        )
    return out
