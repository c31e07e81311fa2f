"""Locality: the per-directory tables that keep every route inside its area.

A :class:`RouteIndex` is built once per directory (from its document, or from a graph such as
a what-if with bodies removed). It indexes each body by its locality key (its daily-living
area, its ward, or the city), each body's neighbours one tier up, down or level, and which
city bodies serve which ward; a route, a coverage cell or a single-point-of-failure search then
looks only at the area's own nodes, its ward's and the city bodies that serve the ward.

Examples
--------
>>> from referral import Directory
>>> idx = RouteIndex.from_document(Directory.load().document)
>>> idx.local("ward_office", "nishi.tobe_honcho", "nishi")
['nishi.ward_office']
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._gc import no_gc
from .models import Document
from .network import node_attributes

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["DEFAULT_ORIGINS", "KIND_PREFERENCE", "LINK_PREFERENCE", "RouteIndex"]

DEFAULT_ORIGINS: tuple[str, ...] = ("welfare_commissioner", "resident")
"""Where a case starts in an area, unless said otherwise: its commissioners, its residents."""

UNRANKED = 99
"""Preference of a link kind or kind that neither preference list names: after all of them."""

LINK_PREFERENCE: dict[str, int] = {
    k: i
    for i, k in enumerate(
        (
            "notices_and_shares",
            "connects_to",
            "case_partner",
            "shares_as_needed",
            "consults",
            "coordinates",
            "notifies",
            "housed_in",
            "part_of",
            "member_of",
            "raises_issue",
            "feeds_policy",
            "requests_watch",
            "backs_up",
            "liaises_with",
            "reports_to",
            "recruits_watcher",
            "watch_agreement",
            "forms_team",
        )
    )
}
KIND_PREFERENCE: dict[str, int] = {
    k: i
    for i, k in enumerate(
        (  # public windows first, so paths read as a worker would go
            "welfare_commissioner",
            "comprehensive_support_center",
            "care_plaza",
            "ward_welfare_section",
            "ward_livelihood_section",
            "ward_elderly_disability_section",
            "ward_child_family_section",
            "ward_hygiene_section",
            "ward_office",
            "ward_welfare_council",
        )
    )
}


@dataclass
class RouteIndex:
    """Per-directory lookup tables that keep every route local (built once, read-only).

    ``kind_at[(key, kind)]`` lists the nodes of ``kind`` whose locality key is ``key``: the
    district area for district nodes, the ward for ward nodes, ``""`` for city nodes.
    ``adj[node][key]`` lists the neighbours (and link kinds) in locality ``key`` one tier up,
    down or level. ``city_for[ward]`` is the set of city nodes that serve ``ward``, and
    ``city_kind[(ward, kind)]`` those of one kind, by id (so no lookup scans the city).
    ``reach[(area, ward)]`` holds the search from the area's :data:`DEFAULT_ORIGINS`, done
    once here, so a route does not repeat it.
    """

    key: dict[str, str] = field(default_factory=dict)
    ward: dict[str, str] = field(default_factory=dict)
    rank: dict[str, int] = field(default_factory=dict)
    kind_at: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    district_kind_in_ward: dict[tuple[str, str], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    adj: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict)
    city_for: dict[str, frozenset[str]] = field(default_factory=dict)
    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    areas_in_ward: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    city_kind: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    serves: dict[str, frozenset[str]] = field(default_factory=dict)
    reach: dict[tuple[str, str], tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = field(
        default_factory=dict
    )
    attested: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, G: nx.MultiDiGraph) -> RouteIndex:
        """Index a graph (or a view of one, such as a what-if with bodies removed).

        Linear in its nodes and edges.
        """
        return cls.from_records(G.nodes(data=True), G.edges(keys=True))

    @classmethod
    def from_document(cls, doc: Document) -> RouteIndex:
        """Index a document directly, without building its graph (the same index as
        ``RouteIndex.build(build_graph(doc))``, for a fraction of the time and memory).
        """
        return cls.from_records(
            node_attributes(doc), ((lk.source, lk.target, lk.kind) for lk in doc.links)
        )

    @classmethod
    @no_gc()
    def from_records(
        cls,
        nodes: Iterable[tuple[str, Mapping[str, Any]]],
        edges: Iterable[tuple[str, str, str]],
    ) -> RouteIndex:
        """Index nodes with their attributes and ``(source, target, link kind)`` edges."""
        idx = cls()
        kinds: dict[str, str] = {}
        city_nodes, wards = idx._index_nodes(nodes, kinds)
        idx._index_city(city_nodes, wards, kinds)
        idx._index_edges(edges, kinds)
        for area, ward in idx.district_areas():  # each area's reach from where cases start
            origins = tuple(n for k in DEFAULT_ORIGINS for n in idx.local(k, area, ward)[:1])
            idx.reach[(area, ward)] = (origins, idx._search(origins, area, ward))
        return idx

    def _index_nodes(
        self, nodes: Iterable[tuple[str, Mapping[str, Any]]], kinds: dict[str, str]
    ) -> tuple[list[tuple[str, frozenset[str], bool]], set[str]]:
        """Index each node by locality, kind, tier, place, attestation and catchment (its
        kind into ``kinds``); return the city nodes (with what they serve and whether that is
        confirmed) and the wards seen.
        """
        seen_areas: set[str] = set()
        city_nodes: list[tuple[str, frozenset[str], bool]] = []
        wards: set[str] = set()
        for n, data in nodes:
            kinds[n] = data["kind"]
            ward, area = data["ward"], data["area"]
            key = "" if not ward else ward if area == ward else area
            self.key[n], self.ward[n], self.rank[n] = key, ward, data["tier_rank"]
            self.kind_at[(key, data["kind"])].append(n)
            if ward and key != ward:
                self.district_kind_in_ward[(ward, data["kind"])].append(n)
                if key not in seen_areas:
                    seen_areas.add(key)
                    self.areas_in_ward[ward].append(key)
            if ward:
                wards.add(ward)
            if "lat" in data:
                self.coords[n] = (data["lat"], data["lon"])
            if data["attested"]:
                self.attested.add(n)
            if data["serves"]:
                self.serves[n] = frozenset(data["serves"].split())
            if not ward:
                serves = frozenset(data["serves"].split())
                city_nodes.append((n, serves, data.get("catchment_confirmed", True)))
        for ids in (
            *self.kind_at.values(),
            *self.district_kind_in_ward.values(),
            *self.areas_in_ward.values(),
        ):
            ids.sort()
        return city_nodes, wards

    def _index_city(
        self,
        city_nodes: list[tuple[str, frozenset[str], bool]],
        wards: set[str],
        kinds: Mapping[str, str],
    ) -> None:
        """The city nodes each ward may reach: those serving everywhere and those serving it
        (a catchment not confirmed counts for none), by kind.
        """
        everywhere = [n for n, serves, confirmed in city_nodes if confirmed and not serves]
        served: dict[str, list[str]] = defaultdict(list)
        for n, serves, confirmed in city_nodes:
            if confirmed:
                for w in serves:
                    served[w].append(n)
        for w in wards:
            self.city_for[w] = city = frozenset((*everywhere, *served.get(w, ())))
            for n in sorted(city):
                self.city_kind[(w, kinds[n])].append(n)

    def _index_edges(self, edges: Iterable[tuple[str, str, str]], kinds: Mapping[str, str]) -> None:
        """Each node's neighbours one tier step away, by their locality, preferred first."""
        adj: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        for u, v, link in edges:
            if abs(self.rank[v] - self.rank[u]) <= 1:
                adj[u][self.key[v]].append((v, link))
        for by_key in adj.values():
            for nbrs in by_key.values():
                nbrs.sort(
                    key=lambda t: (
                        LINK_PREFERENCE.get(t[1], UNRANKED),
                        KIND_PREFERENCE.get(kinds[t[0]], UNRANKED),
                        t[0],
                        t[1],
                    )
                )
        # nodes with identical neighbours (the commissioners of one area, say) share one
        # adjacency: less memory, and paths() expands each adjacency once
        shared: dict[tuple[tuple[str, tuple[tuple[str, str], ...]], ...], Any] = {}
        for node, by_key in adj.items():
            sig = tuple((k, tuple(v)) for k, v in by_key.items())
            self.adj[node] = shared.setdefault(sig, {k: v for k, v in by_key.items()})

    def district_areas(self, ward: str | None = None) -> list[tuple[str, str]]:
        """The (area, ward) pairs of the daily-living areas holding nodes, sorted; of one
        ward only, without looking at the others, when ``ward`` is given.
        """
        wards = [ward] if ward is not None else list(self.areas_in_ward)
        return sorted((a, w) for w in wards for a in self.areas_in_ward.get(w, ()))

    def local(self, kind: str, area: str, ward: str) -> list[str]:
        """Nodes of ``kind`` serving a person in district ``area`` of ``ward`` (own area
        first, then the ward, then the city), never looking beyond them.
        """
        if area != ward:
            out = list(self.kind_at.get((area, kind), ()))
            if not out:  # none in this area (a centre housed in a nursing home): the ward's
                out = self.nearest(kind, area, ward)
        else:  # only the ward is known: every district's body of the kind is a candidate
            out = list(self.district_kind_in_ward.get((ward, kind), ()))
        out += self.kind_at.get((ward, kind), ())
        out += self.city_kind.get((ward, kind), ())
        return out

    def nearest(self, kind: str, area: str, ward: str) -> list[str]:
        """The ward's other district bodies of ``kind``, nearest first (by the coordinates of
        the area's support centre, where known; else in id order).
        """
        ids = self.district_kind_in_ward.get((ward, kind), [])
        here = next(
            (
                self.coords[n]
                for n in self.kind_at.get((area, "comprehensive_support_center"), ())
                if n in self.coords
            ),
            None,
        )
        if here is None:
            return list(ids)
        far = float("inf")
        return sorted(
            ids,
            key=lambda n: (
                (self.coords[n][0] - here[0]) ** 2 + (self.coords[n][1] - here[1]) ** 2
                if n in self.coords
                else far,
                n,
            ),
        )

    def paths(self, origins: Sequence[str], area: str, ward: str) -> Mapping[str, tuple[str, str]]:
        """Breadth-first search from ``origins`` inside the locality; returns each reached
        node's parent and the link used (origins map to themselves). Read-only: the search
        from an area's own residents and commissioners is done once, when the index is
        built.
        """
        known = self.reach.get((area, ward))
        if known is not None and known[0] == tuple(origins):
            return known[1]
        return self._search(origins, area, ward)

    def _search(self, origins: Sequence[str], area: str, ward: str) -> dict[str, tuple[str, str]]:
        keys = (area, ward, "") if area != ward else (ward, "")
        city = self.city_for.get(ward, frozenset())
        parent: dict[str, tuple[str, str]] = {o: (o, "") for o in origins}
        queue = deque(origins)
        expanded: set[int] = set()  # shared adjacencies add nothing the second time
        while queue:
            node = queue.popleft()
            by_key = self.adj.get(node)
            if not by_key or id(by_key) in expanded:
                continue
            expanded.add(id(by_key))
            for key in keys:
                for nbr, link in by_key.get(key, ()):
                    if nbr in parent or (key == "" and nbr not in city):
                        continue
                    parent[nbr] = (node, link)
                    queue.append(nbr)
        return parent
