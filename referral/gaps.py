"""Where the safety net has holes: coverage, single points of failure, what-if, load, health.

Graph-first functions over ``G`` (the directory's graph, or a view of it) that return models
turning into tables with ``to_records()`` or, when pandas is installed, ``to_frame()``.
:class:`~referral.directory.Directory` has a shortcut for each.

* :func:`coverage` — for every concern × daily-living area, whether every primary kind for the
  concern is present and reachable from the area (tier by tier, as routes go), and through what.
* :func:`single_points_of_failure` — bodies every path from an area to a window passes through
  (dominators of the area's local flow graph): "area X reaches Y only through Z".
* :func:`what_if` — remove bodies (closing a care plaza closes what is housed in it) and report
  what each area loses.
* :func:`load_concentration` — how many areas and concerns depend on each body.
* :func:`data_health` — structural and stale records per ward and kind, against the plan's
  own counts.

Examples
--------
>>> from referral import Directory
>>> from referral.gaps import coverage
>>> cov = coverage(Directory.load().graph)
>>> len(cov.areas) == 147 * 32
True
>>> sorted({a.status for a in cov.areas})
['covered', 'partial', 'uncovered']
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import networkx as nx
from pydantic import Field

from ._progress import progress as progress_bar
from ._table import Table
from .errors import ArgumentTypeError, UnknownAgencyError, expect_str
from .health import PLAN_FIGURES, DataHealth, HealthRow, PlanFigure, data_health, evidence_date
from .locality import DEFAULT_ORIGINS, RouteIndex
from .matching import load_concerns
from .models import Concern, Model, Text

__all__ = [
    "PLAN_FIGURES",
    "AreaCoverage",
    "Coverage",
    "CoverageCell",
    "DataHealth",
    "HealthRow",
    "Load",
    "Loss",
    "PlanFigure",
    "SinglePoint",
    "WhatIf",
    "coverage",
    "data_health",
    "district_areas",
    "evidence_date",
    "load_concentration",
    "single_points_of_failure",
    "ward_health",
    "what_if",
]


# -- coverage ---------------------------------------------------------------------------------
class CoverageCell(Model):
    """One primary kind of one concern for one area: whether it is there and reachable."""

    concern: str
    area: str
    ward: str
    kind: str
    status: Literal["reachable", "unreachable", "missing"]
    agency: str | None = None
    attested: bool = False
    hops: int | None = None
    ages: str | None = Field(default=None, description="age limit of this window, if any")


class AreaCoverage(Model):
    """A concern in an area: covered when every primary kind is reachable."""

    concern: str
    area: str
    ward: str
    status: Literal["covered", "partial", "uncovered"]
    structural_only: bool = Field(description="covered only through structural records")
    missing: tuple[str, ...] = ()
    unreachable: tuple[str, ...] = ()


class Coverage(Table):
    """Coverage of every concern in every area (``areas``) and its detail (``cells``)."""

    cells: tuple[CoverageCell, ...]
    areas: tuple[AreaCoverage, ...]

    def rows(self) -> Sequence[Model]:
        """The table's rows: one per concern and area."""
        return self.areas

    def cell_records(self) -> list[dict[str, Any]]:
        """The detail table: one row per concern × area × primary kind."""
        return [c.model_dump(mode="json") for c in self.cells]

    def share_covered(self, *, by: Literal["ward", "area"] = "ward") -> dict[str, dict[str, float]]:
        """Share of areas where each concern is covered: ``{concern: {ward: share}}``."""
        return self._mean(lambda a: float(a.status == "covered"), by=by)

    def scores(self, *, by: Literal["ward", "area"] = "ward") -> dict[str, dict[str, float]]:
        """Mean score per concern and ward: 1 where every primary window is reachable through
        attested records, 0.5 where only through structural ones, 0 where one is missing or
        unreachable: ``{concern: {ward: score}}``.
        """
        return self._mean(
            lambda a: 0.0 if a.status != "covered" else 0.5 if a.structural_only else 1.0, by=by
        )

    def _mean(
        self, value: Callable[[AreaCoverage], float], *, by: Literal["ward", "area"]
    ) -> dict[str, dict[str, float]]:
        """The mean of ``value`` over the areas of each concern and ward (or area)."""
        total: Counter[tuple[str, str]] = Counter()
        score: defaultdict[tuple[str, str], float] = defaultdict(float)
        for a in self.areas:
            key = (a.concern, a.ward if by == "ward" else a.area)
            total[key] += 1
            score[key] += value(a)
        out: dict[str, dict[str, float]] = defaultdict(dict)
        for (concern, place), n in sorted(total.items()):
            out[concern][place] = score[(concern, place)] / n
        return dict(out)

    def gaps(self) -> list[AreaCoverage]:
        """The concern × area pairs not fully covered, or covered only structurally."""
        return [a for a in self.areas if a.status != "covered" or a.structural_only]


def district_areas(G: nx.MultiDiGraph, *, ward: str | None = None) -> list[tuple[str, str]]:
    """The (area, ward) pairs of the daily-living areas in ``G``, sorted."""
    found = {
        (d["area"], d["ward"])
        for _, d in G.nodes(data=True)
        if d["ward"] and d["area"] != d["ward"]
    }
    return sorted(p for p in found if ward is None or p[1] == ward)


def _ages(ref_ages: Any) -> str | None:
    if ref_ages is None:
        return None
    lo, hi = ref_ages.min, ref_ages.max
    return f"{'' if lo is None else lo}-{'' if hi is None else hi}"


def _area_cells(
    idx: RouteIndex, area: str, ward: str, concerns: Sequence[Concern]
) -> tuple[list[CoverageCell], Mapping[str, tuple[str, str]]]:
    origins = [n for k in DEFAULT_ORIGINS for n in idx.kind_at.get((area, k), ())]
    parent = idx.paths(origins, area, ward)
    cells = []
    for c in concerns:
        for ref in c.primary:
            ids = idx.local(ref.kind, area, ward)
            reach = [n for n in ids if n in parent]
            chosen = reach[0] if reach else ids[0] if ids else None
            status: Literal["reachable", "unreachable", "missing"] = (
                "reachable" if reach else "unreachable" if ids else "missing"
            )
            hops = None
            if chosen is not None and chosen in parent:
                hops, node = 0, chosen
                while parent[node][0] != node:
                    node, hops = parent[node][0], hops + 1
            cells.append(
                CoverageCell(
                    concern=c.id,
                    area=area,
                    ward=ward,
                    kind=ref.kind,
                    status=status,
                    agency=chosen,
                    attested=chosen in idx.attested,
                    hops=hops,
                    ages=_ages(ref.ages),
                )
            )
    return cells, parent


def _summarise(cells: Sequence[CoverageCell]) -> list[AreaCoverage]:
    grouped: dict[tuple[str, str, str], list[CoverageCell]] = defaultdict(list)
    for cell in cells:
        grouped[(cell.concern, cell.area, cell.ward)].append(cell)
    out = []
    for (concern, area, ward), group in grouped.items():
        ok = [g for g in group if g.status == "reachable"]
        status: Literal["covered", "partial", "uncovered"] = (
            "covered" if len(ok) == len(group) else "partial" if ok else "uncovered"
        )
        out.append(
            AreaCoverage(
                concern=concern,
                area=area,
                ward=ward,
                status=status,
                structural_only=bool(ok) and not any(g.attested for g in ok),
                missing=tuple(g.kind for g in group if g.status == "missing"),
                unreachable=tuple(g.kind for g in group if g.status == "unreachable"),
            )
        )
    return out


QUIET_AREAS = 500
"""Areas a coverage run may have before it draws a progress bar by default."""


def coverage(
    G: nx.MultiDiGraph | None = None,
    *,
    concerns: Sequence[Concern] | None = None,
    ward: str | None = None,
    index: RouteIndex | None = None,
    progress: bool | None = None,
) -> Coverage:
    """Whether every primary kind of every concern is present and reachable in every area.

    Reachable means a path from the area's welfare commissioners or residents through typed
    links, each step changing tier by at most one, inside the area, its ward and the city
    bodies that serve the ward — the paths routes use.

    Parameters
    ----------
    G
        The graph; may be left out when ``index`` is given (a national directory need not
        build its graph for this).
    concerns
        Default: the bundled vocabulary.
    ward
        Only this ward's areas (the work is then that ward's alone).
    index
        A :class:`~referral.locality.RouteIndex` already built for ``G``.
    progress
        Draw a progress bar over the areas on stderr (default: when stderr is a terminal
        and there are more than 500 areas).

    Notes
    -----
    One breadth-first search per area, then dictionary lookups: linear in the number of
    areas times the size of an area's locality.
    """
    if index is None and G is None:
        raise ArgumentTypeError("coverage() needs the graph G or its route index")
    idx = index or RouteIndex.build(G)
    concerns = tuple(concerns if concerns is not None else load_concerns())
    areas = idx.district_areas(ward)
    if progress is None and len(areas) <= QUIET_AREAS:
        progress = False
    cells: list[CoverageCell] = []
    for area, w in progress_bar(areas, total=len(areas), label="coverage", enabled=progress):
        cells += _area_cells(idx, area, w, concerns)[0]
    return Coverage(cells=tuple(cells), areas=tuple(_summarise(cells)))


# -- single points of failure ------------------------------------------------------------------
class SinglePoint(Table):
    """A body every path from some areas to some windows passes through."""

    agency: str
    kind: str
    ward: str
    areas: tuple[str, ...]
    targets: tuple[str, ...]
    concerns: tuple[str, ...]
    statement: Text

    def rows(self) -> Sequence[Model]:
        """The table's rows: this single point of failure alone."""
        return [self]


def _dominators(
    idx: RouteIndex,
    area: str,
    ward: str,
    origins: Sequence[str],
    parent: Mapping[str, tuple[str, str]],
) -> dict[str, str]:
    """Immediate dominators of the area's local flow graph, from a virtual root."""
    H = nx.DiGraph()
    root = "\0root"
    H.add_edges_from((root, o) for o in origins)
    keys = (area, ward, "")
    city = idx.city_for.get(ward, frozenset())
    for node in parent:
        for key in keys:
            for nbr, _ in idx.adj.get(node, {}).get(key, ()):
                if nbr in parent and (key != "" or nbr in city):
                    H.add_edge(node, nbr)
    return dict(nx.immediate_dominators(H, root))


def single_points_of_failure(
    G: nx.MultiDiGraph,
    *,
    ward: str | None = None,
    concerns: Sequence[Concern] | None = None,
    index: RouteIndex | None = None,
) -> list[SinglePoint]:
    """Bodies that every path from an area to a primary window passes through.

    For each area, the immediate dominators of its local flow graph (origins → windows, one
    tier at a time) are computed; a body dominating a window means the area reaches that
    window only through it. Results are grouped per body, most areas × windows first, with a
    statement in plain words ("戸部本町地域ケアプラザ圏域 reaches … only through …").

    Notes
    -----
    Dominators (Cooper–Harvey–Kennedy, via networkx) per area: near-linear in the size of an
    area's locality. Undirected articulation points and bridges of a ward's projection are
    what :func:`referral.plot.plot_ward` draws.
    """
    idx = index or RouteIndex.build(G)
    concerns = tuple(concerns if concerns is not None else load_concerns())
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    concern_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for area, w in idx.district_areas(ward):
        origins = [n for k in DEFAULT_ORIGINS for n in idx.kind_at.get((area, k), ())]
        cells, parent = _area_cells(idx, area, w, concerns)
        idom = _dominators(idx, area, w, origins, parent)
        for cell in cells:
            if cell.status != "reachable" or cell.agency is None:
                continue
            node = idom.get(cell.agency)
            while node is not None and node in parent and node not in origins:
                found[node]["areas"].add(area)
                found[node]["targets"].add(cell.agency)
                concern_of[(node, cell.agency)].add(cell.concern)
                node = idom.get(node)
    out = []
    for node, sets in found.items():
        data = G.nodes[node]
        areas, targets = sorted(sets["areas"]), sorted(sets["targets"])
        concerns_hit = sorted({c for t in targets for c in concern_of[(node, t)]})
        out.append(
            SinglePoint(
                agency=node,
                kind=data["kind"],
                ward=data["ward"],
                areas=tuple(areas),
                targets=tuple(targets),
                concerns=tuple(concerns_hit),
                statement=_statement(G, node, areas, targets),
            )
        )
    out.sort(key=lambda s: (-len(s.areas) * len(s.targets), s.agency))
    return out


TARGETS_NAMED = 3
"""Bodies a single point of failure's statement names before it counts the rest."""


def _statement(G: nx.MultiDiGraph, node: str, areas: Sequence[str], targets: Sequence[str]) -> Text:
    name = G.nodes[node]
    shown = [G.nodes[t] for t in targets[:TARGETS_NAMED]]
    rest = len(targets) - TARGETS_NAMED
    more_ja = f" ほか{rest}" if rest > 0 else ""
    more_en = f" and {rest} more" if rest > 0 else ""
    return Text(
        ja=f"{len(areas)}圏域は、{'・'.join(t['name_ja'] for t in shown)}{more_ja}へ"
        f"「{name['name_ja']}」を通じてしかつながらない",
        en=f"{len(areas)} area(s) reach {', '.join(t['name_en'] for t in shown)}{more_en} only "
        f"through {name['name_en']}",
    )


# -- what if ----------------------------------------------------------------------------------
class Loss(Model):
    """What one area loses for one concern's window when bodies are removed."""

    area: str
    ward: str
    concern: str
    kind: str
    change: Literal["lost", "unreachable", "rerouted"]
    before: str | None
    after: str | None


class WhatIf(Table):
    """The effect of removing bodies: every area's losses."""

    removed: tuple[str, ...]
    losses: tuple[Loss, ...]
    areas_affected: tuple[str, ...]
    newly_uncovered: int = Field(description="concern × area pairs no longer covered")

    def rows(self) -> Sequence[Model]:
        """The table's rows: one per loss."""
        return self.losses


def _still_answered(G: nx.MultiDiGraph, before: CoverageCell, after: CoverageCell) -> bool:
    """Whether a window that is "unreachable" after a closure is a city-wide line that still
    answers: the same city body, no meeting or aggregate. Its path climbed through the closed
    body only because paths change tier one step at a time; anyone can still call it, so
    losing that path is an artefact of the graph, not a loss.
    """
    if not (before.status == "reachable" and after.status == "unreachable"):
        return False
    node = after.agency
    if node is None or node != before.agency or node not in G:
        return False
    data = G.nodes[node]
    return bool(data["tier"] == "city" and not data["meeting"] and not data["aggregate"])


def what_if(
    G: nx.MultiDiGraph,
    remove: Iterable[str],
    *,
    cascade: bool = True,
    concerns: Sequence[Concern] | None = None,
) -> WhatIf:
    """Remove bodies and report what each area loses.

    Parameters
    ----------
    remove
        Agency ids to remove.
    cascade
        Also remove what is housed in a removed body (closing a care plaza closes its
        support centre).

    Raises
    ------
    UnknownAgencyError
        An id is not in the graph.
    """
    removed = _removed(G, remove, cascade=cascade)
    wards = {G.nodes[n]["ward"] for n in removed}
    scope = None if "" in wards else wards  # a city body can touch every ward it serves
    concerns = tuple(concerns if concerns is not None else load_concerns())
    view = nx.restricted_view(G, removed, [])
    scopes: list[str | None] = list(sorted(scope)) if scope else [None]
    before = _cells(G, concerns, scopes)
    after = _cells(view, concerns, scopes)
    for key, b in before.items():  # a city-wide line is still answered: not a loss
        a = after.get(key)
        if a is not None and _still_answered(G, b, a):
            after[key] = b
    losses = _losses(before, after)
    cov_before = _summarise(list(before.values()))
    cov_after = {(a.area, a.concern): a for a in _summarise(list(after.values()))}
    newly = sum(
        1
        for a in cov_before
        if a.status == "covered" and cov_after[(a.area, a.concern)].status != "covered"
    )
    return WhatIf(
        removed=tuple(sorted(removed)),
        losses=tuple(losses),
        areas_affected=tuple(sorted({loss.area for loss in losses})),
        newly_uncovered=newly,
    )


def _removed(G: nx.MultiDiGraph, remove: Iterable[str], *, cascade: bool) -> set[str]:
    """The bodies to remove (each must be in ``G``), with what is housed in them when
    ``cascade``.
    """
    removed = set()
    for node in remove:
        if expect_str(node, "agency id") not in G:
            raise UnknownAgencyError(node)
        removed.add(node)
    if cascade:
        removed |= {
            u for n in list(removed) for u, _, k in G.in_edges(n, keys=True) if k == "housed_in"
        }
    return removed


_Key = tuple[str, str, str]


def _cells(
    G: nx.MultiDiGraph, concerns: Sequence[Concern], scopes: Sequence[str | None]
) -> dict[_Key, CoverageCell]:
    """The coverage cells of the wards in ``scopes`` (``None``: the whole city), by (area,
    concern, kind).
    """
    return {
        (c.area, c.concern, c.kind): c
        for w in scopes
        for c in coverage(G, concerns=concerns, ward=w).cells
    }


def _losses(before: Mapping[_Key, CoverageCell], after: Mapping[_Key, CoverageCell]) -> list[Loss]:
    """What each cell that had a reachable window lost: the window itself, its path, or
    its body (another answers now).
    """
    losses = []
    for key, b in sorted(before.items()):
        a = after.get(key)
        if a is None or (a.status == b.status and a.agency == b.agency):
            continue
        if b.status != "reachable":
            continue
        change: Literal["lost", "unreachable", "rerouted"] = (
            "lost"
            if a.status == "missing"
            else "unreachable"
            if a.status == "unreachable"
            else "rerouted"
        )
        losses.append(
            Loss(
                area=b.area,
                ward=b.ward,
                concern=b.concern,
                kind=b.kind,
                change=change,
                before=b.agency,
                after=a.agency,
            )
        )
    return losses


# -- load ---------------------------------------------------------------------------------------
class Load(Table):
    """How much of the network leans on one body."""

    agency: str
    kind: str
    ward: str
    areas: int
    concerns: int
    cells: int
    share_of_areas: float

    def rows(self) -> Sequence[Model]:
        """The table's rows: this body's load alone."""
        return [self]


def load_concentration(G: nx.MultiDiGraph, *, cov: Coverage | None = None) -> list[Load]:
    """For each body chosen as a primary window somewhere: how many areas and concerns depend
    on it, most depended-on first.
    """
    cov = cov or coverage(G)
    total_areas = len({c.area for c in cov.cells}) or 1
    areas: dict[str, set[str]] = defaultdict(set)
    concerns: dict[str, set[str]] = defaultdict(set)
    cells: Counter[str] = Counter()
    for c in cov.cells:
        if c.agency and c.status == "reachable":
            areas[c.agency].add(c.area)
            concerns[c.agency].add(c.concern)
            cells[c.agency] += 1
    out = [
        Load(
            agency=n,
            kind=G.nodes[n]["kind"],
            ward=G.nodes[n]["ward"],
            areas=len(areas[n]),
            concerns=len(concerns[n]),
            cells=cells[n],
            share_of_areas=round(len(areas[n]) / total_areas, 4),
        )
        for n in cells
    ]
    out.sort(key=lambda x: (-x.cells, x.agency))
    return out


def ward_health(health: DataHealth, ward: str) -> DataHealth:
    """``health`` for one ward's bodies only: its rows, its totals, and none of the plan's
    city-wide figures (which a ward's records cannot be set against).

    >>> from referral import Directory
    >>> h = ward_health(Directory.load().data_health(), "nishi")
    >>> {r.ward for r in h.rows()}, h.figures
    ({'nishi'}, ())
    """
    rows = tuple(r for r in health.rows_ if r.ward == ward)
    bodies = sum(r.records for r in rows) or 1
    return DataHealth(
        today=health.today,
        rows=rows,
        figures=(),
        share_attested=round(1 - sum(r.structural for r in rows) / bodies, 4),
        stale_total=sum(r.stale for r in rows),
        old_evidence_total=sum(r.old_evidence for r in rows),
    )
