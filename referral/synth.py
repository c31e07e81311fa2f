"""Generate valid synthetic directories of any size, seeded and deterministic.

The generator copies the *structure* of a template directory (by default the bundled
Yokohama one): which kinds sit in every daily-living area, in every ward and at the city
level, the ward meetings, and which kinds link to which (every link pattern of the template,
joined by the same locality rule the build uses). Sizes and proportions are parameters, so the
same code makes a tiny network for a property test and a national one for a benchmark. With
``individuals={kind: n}`` each area also holds n individual nodes of that neighbourhood kind
(every welfare commissioner and neighbourhood association its own node, as a national
directory would hold them), linked as the area's aggregate node is. :data:`SCALES` names the
sizes the benchmarks use; ``national`` is 1,700 municipalities of three areas each, with 45
commissioners, 58 associations, 4 chief child commissioners and 40 volunteer groups per area:
881,295 nodes and 4.7 million links (230,000 commissioners, 5,100 support centres).

Synthetic records are marked as such (source ``synthetic``); nothing here is a real body.

Examples
--------
>>> from referral.synth import generate
>>> doc = generate(wards=2, areas_per_ward=3, seed=1)
>>> len([a for a in doc.areas if a.kind == "district"])
6
>>> generate(wards=2, areas_per_ward=3, seed=1) == doc   # deterministic
True
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from ._progress import progress as progress_bar
from .errors import (
    ArgumentError,
    ArgumentTypeError,
    UnknownVocabularyError,
    expect_instance,
    expect_int,
)
from .models import Agency, Area, AreaKind, Citation, Document, Link, Source, Text
from .vocabulary import KINDS, REQUIRED_WARD_KINDS

__all__ = ["SCALES", "Pattern", "Scale", "generate", "template_structure"]

_CITE = (Citation(source="synthetic"),)
_DAY = dt.date(2026, 1, 1)
# every generated record of a class is given every field: they share one (never mutated) set
_AGENCY_FIELDS = set(Agency.model_fields)
_LINK_FIELDS = set(Link.model_fields)
_TEXT_FIELDS = set(Text.model_fields)


@dataclass(frozen=True, slots=True)
class Pattern:
    """What the template holds: kinds per level and link patterns between kinds."""

    district_kinds: tuple[str, ...]
    ward_kinds: tuple[tuple[str, bool], ...]  # (kind, is_meeting)
    ward_scope_aggregates: tuple[str, ...]
    city_kinds: tuple[tuple[str, bool, bool], ...]  # (kind, regional, meeting)
    links: tuple[tuple[str, str, str], ...]  # (source kind, link kind, target kind)


@dataclass(frozen=True, slots=True)
class Scale:
    """A named size: wards (or municipalities), areas per ward, people per area."""

    wards: int
    areas_per_ward: int
    individuals: tuple[tuple[str, int], ...] = ()


SCALES: dict[str, Scale] = {
    "ward": Scale(1, 8),
    "city": Scale(18, 8),
    "prefecture": Scale(60, 20),
    # about 1,700 municipalities, 5,400 support centres, 230,000 commissioners
    "national": Scale(
        1700,
        3,
        individuals=(
            ("welfare_commissioner", 45),
            ("neighborhood_association", 58),
            ("chief_child_commissioner", 4),
            ("volunteer_group", 40),
        ),
    ),
}
"""Sizes used by the benchmarks (national: about a million nodes with individuals)."""


@cache
def template_structure(doc: Document | None = None) -> Pattern:
    """Read the kinds per level and the link patterns off a template document."""
    if doc is None:
        from .validation import bundled_document  # noqa: PLC0415 - the bundled data, on demand

        doc = bundled_document()
    area_kind = {a.id: a.kind for a in doc.areas}
    kind_of = {a.id: a.kind for a in doc.agencies}
    district: set[str] = set()
    ward: set[str] = set()
    ward_agg: set[str] = set()
    city: dict[str, bool] = {}
    for ag in doc.agencies:
        level = area_kind[ag.area]
        if level == "district":
            district.add(ag.kind)
        elif level == "ward" and KINDS[ag.kind].tier == "neighborhood":
            ward_agg.add(ag.kind)
        elif level == "ward":
            ward.add(ag.kind)
        else:
            city[ag.kind] = city.get(ag.kind, False) or bool(ag.serves)
    links = {(kind_of[lk.source], lk.kind, kind_of[lk.target]) for lk in doc.links}
    return Pattern(
        district_kinds=tuple(sorted(district)),
        ward_kinds=tuple((k, KINDS[k].meeting) for k in sorted(ward)),
        ward_scope_aggregates=tuple(sorted(ward_agg)),
        city_kinds=tuple((k, regional, KINDS[k].meeting) for k, regional in sorted(city.items())),
        links=tuple(sorted(links)),
    )


def _agency(
    agency_id: str,
    kind: str,
    area: str,
    name: str,
    *,
    serves: tuple[str, ...] = (),
    aggregate: bool = False,
) -> Agency:
    tier = (
        "city"
        if area == "c" and KINDS[kind].tier != "city" and KINDS[kind].meeting
        else KINDS[kind].tier
    )
    return Agency.model_construct(
        _AGENCY_FIELDS,
        id=agency_id,
        name=Text.model_construct(_TEXT_FIELDS, ja=name, en=agency_id),
        kind=kind,
        tier=tier,
        area=area,
        address=None,
        postal_code=None,
        phones=(),
        url=None,
        coordinates=None,
        serves=serves,
        catchment_confirmed=True,
        ages=None,
        confidential=False,
        attested=False,
        aggregate=aggregate,
        contact_via=None,
        operator=None,
        sources=_CITE,
        checked=_DAY,
        notes=None,
    )


def generate(
    *,
    wards: int = 3,
    areas_per_ward: int = 4,
    seed: int = 0,
    individuals: Mapping[str, int] | Iterable[tuple[str, int]] = (),
    drop: float = 0.0,
    template: Document | None = None,
    progress: bool | None = None,
) -> Document:
    """Generate a valid directory with the template's tier structure.

    Parameters
    ----------
    wards, areas_per_ward
        How many wards (or municipalities) and daily-living areas in each.
    seed
        Same seed, same document.
    individuals
        ``{kind: n}``: n individual nodes of that neighbourhood kind per area (a national
        directory holds every welfare commissioner and association), besides the area's
        aggregate node, each linked as the aggregate is.
    drop
        Share of non-required ward and city bodies to leave out at random (to make gaps).
    progress
        Draw a progress bar on stderr (default: only when stderr is a terminal).

    Notes
    -----
    Linear in the size of the output. The records are built without re-validation (they are
    valid by construction); :class:`referral.Directory` still checks their integrity.
    """
    expect_int(wards, "wards", minimum=1)
    expect_int(areas_per_ward, "areas_per_ward", minimum=1)
    expect_int(seed, "seed")
    if isinstance(drop, bool) or not isinstance(drop, int | float) or not 0.0 <= drop <= 1.0:
        raise ArgumentError(f"drop must be a share from 0 to 1, not {drop!r}")
    if template is not None:
        expect_instance(template, Document, "template")
    people = _individuals(individuals)
    gen = _Generator(template_structure(template), random.Random(seed), drop)
    ward_ids = [f"w{i}" for i in range(wards)]
    gen.areas.append(_area("c", "city", None, "合成市", "Synthetic City"))
    gen.city(ward_ids)
    for wi in progress_bar(range(wards), total=wards, label="generating", enabled=progress):
        gen.ward(wi, ward_ids[wi], areas_per_ward, people)
    links = _links(gen.agencies, gen.areas, gen.pat)
    return _document(seed, gen.areas, gen.agencies, links)


def _individuals(individuals: Mapping[str, int] | Iterable[tuple[str, int]]) -> dict[str, int]:
    """Check ``individuals`` (kinds of the vocabulary, counts from 0) and make it a dict."""
    if isinstance(individuals, Mapping):
        individuals = individuals.items()
    if isinstance(individuals, str | bytes) or not isinstance(individuals, Iterable):
        raise ArgumentTypeError(
            f"individuals must be a mapping of kind to count, not {type(individuals).__name__}"
        )
    individuals = list(individuals)
    for pair in individuals:
        if not (isinstance(pair, tuple) and len(pair) == 2):  # noqa: PLR2004 - a pair
            raise ArgumentTypeError(f"individuals must pair a kind with a count, not {pair!r}")
        kind, n = pair
        if kind not in KINDS:
            raise UnknownVocabularyError("kind", str(kind))
        expect_int(n, f"individuals[{kind!r}]", minimum=0)
    return dict(individuals)


REGION_WARDS = 5
"""Wards a regional city body serves at most (one such body per this many wards)."""


def _area(area_id: str, kind: AreaKind, parent: str | None, ja: str, en: str) -> Area:
    """A synthetic area, built without validation."""
    return Area.model_construct(
        id=area_id,
        kind=kind,
        parent=parent,
        name=Text.model_construct(ja=ja, en=en),
        catchment=None,
        sources=_CITE,
        checked=_DAY,
        notes=None,
    )


class _Generator:
    """The areas and agencies generated so far, and the random draws that drop bodies."""

    def __init__(self, pat: Pattern, rng: random.Random, drop: float) -> None:
        self.pat, self.rng, self.drop = pat, rng, drop
        self.required_ward = set(REQUIRED_WARD_KINDS)
        self.areas: list[Area] = []
        self.agencies: list[Agency] = []

    def dropped(self, kind: str) -> bool:
        """Whether to leave out a body of this kind (never a required one); draws only when
        dropping, so a document without drops uses no random numbers.
        """
        return kind not in self.required_ward and bool(self.drop) and self.rng.random() < self.drop

    def city(self, ward_ids: list[str]) -> None:
        """The city-level bodies: one each, or a regional one per :data:`REGION_WARDS` wards."""
        wards = len(ward_ids)
        for kind, regional, _ in self.pat.city_kinds:
            if self.dropped(kind):
                continue
            if regional and wards > 1:
                for j in range(0, wards, REGION_WARDS):
                    self.agencies.append(
                        _agency(
                            f"c.{kind}.r{j}",
                            kind,
                            "c",
                            f"{KINDS[kind].ja}{j}",
                            serves=tuple(ward_ids[j : j + REGION_WARDS]),
                        )
                    )
            else:
                self.agencies.append(_agency(f"c.{kind}", kind, "c", KINDS[kind].ja))

    def ward(self, wi: int, w: str, areas_per_ward: int, people: Mapping[str, int]) -> None:
        """A ward, its bodies, its ward-wide aggregates and its daily-living areas."""
        self.areas.append(_area(w, "ward", "c", f"第{wi}区", f"Ward {wi}"))
        for kind, _meeting in self.pat.ward_kinds:
            if self.dropped(kind):
                continue
            self.agencies.append(_agency(f"{w}.{kind}", kind, w, f"第{wi}区 {KINDS[kind].ja}"))
        for kind in self.pat.ward_scope_aggregates:
            self.agencies.append(
                _agency(
                    f"{w}.{kind}", kind, w, f"第{wi}区 {KINDS[kind].ja}（集約）", aggregate=True
                )
            )
        for ai in range(areas_per_ward):
            self.district(wi, w, ai, people)

    def district(self, wi: int, w: str, ai: int, people: Mapping[str, int]) -> None:
        """A daily-living area, its bodies and its individual people."""
        a = f"{w}.a{ai}"
        self.areas.append(_area(a, "district", w, f"第{wi}区 第{ai}圏域", f"Ward {wi} area {ai}"))
        for kind in self.pat.district_kinds:
            if kind == "nursing_home":
                continue
            self.agencies.append(
                _agency(
                    f"{a}.{kind}",
                    kind,
                    a,
                    f"{a} {KINDS[kind].ja}",
                    aggregate=KINDS[kind].tier == "neighborhood" or kind.startswith("district_"),
                )
            )
        for kind, n in people.items():
            for pi in range(n):
                self.agencies.append(
                    _agency(f"{a}.{kind}.p{pi}", kind, a, f"{a} {KINDS[kind].ja}{pi}")
                )


def _document(seed: int, areas: list[Area], agencies: list[Agency], links: list[Link]) -> Document:
    """The generated document, every list in its canonical order."""
    return Document.model_construct(
        schema_version="1.0",
        title=Text.model_construct(ja="合成ネットワーク", en="synthetic"),
        data_date=_DAY,
        notes=f"generated by referral.synth (seed {seed})",
        sources=(
            Source.model_construct(
                id="synthetic",
                title=f"referral.synth seed {seed}",
                url=None,
                date=None,
                licence=None,
                credit=None,
                notes=None,
            ),
        ),
        areas=tuple(sorted(areas, key=lambda a: a.id)),
        towns=(),
        agencies=tuple(sorted(agencies, key=lambda a: a.id)),
        links=tuple(sorted(links, key=lambda lk: (lk.source, lk.kind, lk.target))),
    )


class _Links:
    """The links made so far, each (source, target, kind) once, none to itself."""

    def __init__(self) -> None:
        self.out: list[Link] = []
        self.seen: set[tuple[str, str, str]] = set()

    def add(self, s: Agency, t: Agency, kind: str) -> None:
        """Link ``s`` to ``t`` unless they are one body or already so linked."""
        key = (s.id, t.id, kind)
        if s.id != t.id and key not in self.seen:
            self.seen.add(key)
            self.out.append(
                Link.model_construct(
                    _LINK_FIELDS,
                    source=s.id,
                    target=t.id,
                    kind=kind,
                    sources=_CITE,
                    inferred=False,
                    note=None,
                )
            )


class _Localities:
    """Nodes grouped by (kind, locality): by area (districts and wards, the city as ``""``)
    and by ward (a district node under its ward, city nodes under ``""``).
    """

    def __init__(self, agencies: list[Agency], areas: list[Area]) -> None:
        self.level = {a.id: a.kind for a in areas}
        self.parent = {a.id: a.parent for a in areas}
        self.wards = [a.id for a in areas if a.kind == "ward"]
        self.groups: dict[tuple[str, str], list[Agency]] = defaultdict(list)
        self.by_kind_ward: dict[tuple[str, str], list[Agency]] = defaultdict(list)
        for ag in agencies:
            key = ag.area if self.level[ag.area] != "city" else ""
            self.groups[(ag.kind, key)].append(ag)
            self.by_kind_ward[(ag.kind, self.ward_of(ag))].append(ag)
        self.kinds_present = {ag.kind for ag in agencies}

    def ward_of(self, ag: Agency) -> str:
        """The ward a body sits in (itself for a ward), ``""`` for the city."""
        level = self.level[ag.area]
        if level == "ward":
            return ag.area
        if level == "district":
            return self.parent[ag.area] or ""
        return ""

    def in_district(self, ag: Agency) -> bool:
        """Whether a body sits in a daily-living area."""
        return self.level[ag.area] == "district"


def _links(agencies: list[Agency], areas: list[Area], pat: Pattern) -> list[Link]:
    """Join every template link pattern under the locality rule (see data/sources)."""
    loc = _Localities(agencies, areas)
    links = _Links()
    for sk, lk, tk in pat.links:
        if sk not in loc.kinds_present or tk not in loc.kinds_present:
            continue
        _from_wards(loc, links, sk, lk, tk)
        _from_city(loc, links, sk, lk, tk)
    return links.out


def _from_wards(loc: _Localities, links: _Links, sk: str, lk: str, tk: str) -> None:
    """Links of one pattern from ward and district nodes: to nodes of their ward (a district
    node only to its own area's districts) and to city nodes serving their ward.
    """
    for w in loc.wards:
        for s in loc.by_kind_ward[(sk, w)]:
            s_dist = loc.in_district(s)
            for t in loc.by_kind_ward[(tk, w)]:
                if s_dist and loc.in_district(t) and s.area != t.area:
                    continue
                links.add(s, t, lk)
            for t in loc.groups[(tk, "")]:
                if not t.serves or w in t.serves:
                    links.add(s, t, lk)


def _from_city(loc: _Localities, links: _Links, sk: str, lk: str, tk: str) -> None:
    """Links of one pattern from city nodes: to the nodes of the wards they serve (all wards
    when they serve no list), and to every city node.
    """
    t_level = KINDS[tk].tier
    for s in loc.groups[(sk, "")]:
        for w in loc.wards:
            if s.serves and w not in s.serves and t_level != "city":
                continue
            for t in loc.by_kind_ward[(tk, w)]:
                if not s.serves or w in s.serves:
                    links.add(s, t, lk)
        for t in loc.groups[(tk, "")]:
            links.add(s, t, lk)
