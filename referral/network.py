"""Build the support network as a networkx graph, with an agreed attribute contract.

The graph is a :class:`networkx.MultiDiGraph`, frozen (any attempt to change it raises
``NetworkXError``). Nodes are agency ids; every node carries these attributes:

==============  ========  ==============================================================
attribute       type      meaning
==============  ========  ==============================================================
``kind``        str       kind id from the vocabulary (``care_plaza``, ``ward_office`` …)
``tier``        str       ``neighborhood`` | ``district`` | ``ward`` | ``city``
``tier_rank``   int       0 … 3, in that order
``area``        str       the area id the body belongs to
``ward``        str       its ward id, or ``""`` for a city-level body
``name_ja``     str       Japanese name
``name_en``     str       English name
``attested``    bool      a source gives its name and a contact (else: structural record)
``aggregate``   bool      stands for many (the commissioners of an area), not one body
``meeting``     bool      a meeting (escalation venue) rather than a body
``confidential`` bool     its address must never be shown
``serves``      str       space-separated area ids it serves beyond its own (``""``: own)
``catchment_confirmed`` bool  false when no source says whom it serves (no local links then)
``checked``     str       ISO date its facts were last confirmed
``lat``/``lon`` float     coordinates, present only when known
==============  ========  ==============================================================

Edges are keyed by their link kind (so parallel links of different kinds coexist) and carry
``kind`` (str), ``inferred`` (bool: common practice, not read in a source) and ``citation``
(str: where the link comes from). ``G.graph`` holds ``name``, ``data_date`` and
``schema_version``. Every attribute is a scalar, so the graph exports to GraphML as it is.

Examples
--------
>>> from referral import Directory
>>> G = Directory.load().graph
>>> G.nodes["nishi.ward_office"]["kind"], G.nodes["nishi.ward_office"]["tier_rank"]
('ward_office', 2)
>>> ("nishi.tobe_honcho.comprehensive_support_center", "nishi.tobe_honcho.care_plaza",
...  "housed_in") in G.edges(keys=True)
True
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._data import no_gc
from .errors import ReadOnlyError
from .models import Citation, Document
from .vocabulary import KINDS, TIERS

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DEFAULT_ORIGINS",
    "EDGE_ATTRIBUTES",
    "NODE_ATTRIBUTES",
    "ReadOnlyAttributes",
    "RouteIndex",
    "build_graph",
    "node_attributes",
    "nodes_of_kind",
]

NODE_ATTRIBUTES: tuple[str, ...] = (
    "kind",
    "tier",
    "tier_rank",
    "area",
    "ward",
    "name_ja",
    "name_en",
    "attested",
    "aggregate",
    "meeting",
    "confidential",
    "serves",
    "catchment_confirmed",
    "checked",
)
"""Attributes every node carries (``lat`` and ``lon`` only when known); the nodes table of
:func:`referral.interop.tables` shows them in this order, up to ``serves``."""

EDGE_ATTRIBUTES: tuple[str, ...] = ("kind", "inferred", "citation")
"""Attributes every edge carries."""


def node_attributes(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield each agency id with its node attributes (the contract above), in document
    order; what both the graph and the route index are built from."""
    area_kind = {a.id: a.kind for a in doc.areas}
    parent = {a.id: a.parent for a in doc.areas}
    for ag in doc.agencies:
        kind = area_kind.get(ag.area)
        ward = (
            ag.area if kind == "ward" else (parent.get(ag.area) or "") if kind == "district" else ""
        )
        attrs: dict[str, Any] = {
            "kind": ag.kind,
            "tier": ag.tier,
            "tier_rank": TIERS[ag.tier].rank,
            "area": ag.area,
            "ward": ward,
            "name_ja": ag.name.ja,
            "name_en": ag.name.en,
            "attested": ag.attested,
            "aggregate": ag.aggregate,
            "meeting": KINDS[ag.kind].meeting,
            "confidential": ag.confidential,
            "serves": " ".join(ag.serves),
            "catchment_confirmed": ag.catchment_confirmed,
            "checked": ag.checked.isoformat(),
        }
        if ag.coordinates is not None and not ag.confidential:
            attrs["lat"], attrs["lon"] = ag.coordinates.lat, ag.coordinates.lon
        yield ag.id, attrs


@no_gc()
def build_graph(doc: Document) -> nx.MultiDiGraph:
    """Build the frozen graph of a (valid) document.

    Complexity: linear in the number of agencies and links.
    """
    import networkx as nx  # noqa: PLC0415 - imported when a graph is first needed

    G = nx.MultiDiGraph(
        name=doc.title.en, data_date=doc.data_date.isoformat(), schema_version=doc.schema_version
    )
    G.add_nodes_from(node_attributes(doc))
    citations: dict[int, tuple[tuple[Citation, ...], str]] = {}  # links share their citations
    for link in doc.links:
        known = citations.get(id(link.sources))
        if known is None:
            text = "; ".join(
                f"{c.source}: {c.detail}" if c.detail else c.source for c in link.sources
            )
            citations[id(link.sources)] = known = (link.sources, text)
        G.add_edge(
            link.source,
            link.target,
            key=link.kind,
            kind=link.kind,
            inferred=link.inferred,
            citation=known[1],
        )
    _seal(G)
    return nx.freeze(G)


class ReadOnlyAttributes(dict[str, Any]):
    """The attribute dictionary of a node or an edge of a directory's graph: readable like
    any dict, refusing every change (``nx.freeze`` stops new nodes and edges, this stops
    edits to their attributes). Copies (``dict(d)``, ``G.copy()``,
    ``nx.MultiDiGraph(G)``) are ordinary, editable dicts."""

    __slots__ = ()

    def _refuse(self, *_: Any, **__: Any) -> Any:
        raise ReadOnlyError(
            "the directory's graph is read-only; edit a copy (nx.MultiDiGraph(G)) or the "
            "directory itself (Directory.with_changes)"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


def _seal(G: nx.MultiDiGraph) -> None:
    """Make every node and edge attribute dictionary read-only (in place, before freezing)."""
    G.graph = ReadOnlyAttributes(G.graph)
    nodes = G._node  # networkx's own storage: the dicts G.nodes[n] and G.edges[e] return
    for n in nodes:
        nodes[n] = ReadOnlyAttributes(nodes[n])
    for nbrs in G._succ.values():
        for keydict in nbrs.values():  # shared with G._pred: one change serves both
            for key in keydict:
                keydict[key] = ReadOnlyAttributes(keydict[key])


def nodes_of_kind(
    G: nx.MultiDiGraph, kind: str, *, area: str | None = None, ward: str | None = None
) -> list[str]:
    """Return the nodes of ``kind`` (optionally in one area or ward), sorted by id.

    >>> from referral import Directory
    >>> nodes_of_kind(Directory.load().graph, "ward_livelihood_section", ward="nishi")
    ['nishi.ward_livelihood_section']
    """
    return sorted(
        n
        for n, d in G.nodes(data=True)
        if d["kind"] == kind
        and (area is None or d["area"] == area)
        and (ward is None or d["ward"] == ward)
    )


DEFAULT_ORIGINS: tuple[str, ...] = ("welfare_commissioner", "resident")
"""Where a case starts in an area, unless said otherwise: its commissioners, its residents."""

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
        ``RouteIndex.build(build_graph(doc))``, for a fraction of the time and memory)."""
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
        seen_areas: set[str] = set()
        city_nodes: list[tuple[str, frozenset[str], bool]] = []
        wards: set[str] = set()
        kinds: dict[str, str] = {}
        for n, data in nodes:
            kinds[n] = data["kind"]
            ward, area = data["ward"], data["area"]
            key = "" if not ward else ward if area == ward else area
            idx.key[n], idx.ward[n], idx.rank[n] = key, ward, data["tier_rank"]
            idx.kind_at[(key, data["kind"])].append(n)
            if ward and key != ward:
                idx.district_kind_in_ward[(ward, data["kind"])].append(n)
                if key not in seen_areas:
                    seen_areas.add(key)
                    idx.areas_in_ward[ward].append(key)
                wards.add(ward)
            elif ward:
                wards.add(ward)
            if "lat" in data:
                idx.coords[n] = (data["lat"], data["lon"])
            if data["attested"]:
                idx.attested.add(n)
            if data["serves"]:
                idx.serves[n] = frozenset(data["serves"].split())
            if not ward:
                serves = frozenset(data["serves"].split())
                city_nodes.append((n, serves, data.get("catchment_confirmed", True)))
        for ids in (
            *idx.kind_at.values(),
            *idx.district_kind_in_ward.values(),
            *idx.areas_in_ward.values(),
        ):
            ids.sort()

        everywhere = [n for n, serves, confirmed in city_nodes if confirmed and not serves]
        served: dict[str, list[str]] = defaultdict(list)
        for n, serves, confirmed in city_nodes:
            if confirmed:
                for w in serves:
                    served[w].append(n)
        for w in wards:
            idx.city_for[w] = city = frozenset((*everywhere, *served.get(w, ())))
            for n in sorted(city):
                idx.city_kind[(w, kinds[n])].append(n)
        adj: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        for u, v, link in edges:
            if abs(idx.rank[v] - idx.rank[u]) <= 1:
                adj[u][idx.key[v]].append((v, link))
        for by_key in adj.values():
            for nbrs in by_key.values():
                nbrs.sort(
                    key=lambda t: (
                        LINK_PREFERENCE.get(t[1], 99),
                        KIND_PREFERENCE.get(kinds[t[0]], 99),
                        t[0],
                        t[1],
                    )
                )
        # nodes with identical neighbours (the commissioners of one area, say) share one
        # adjacency: less memory, and paths() expands each adjacency once
        shared: dict[tuple[tuple[str, tuple[tuple[str, str], ...]], ...], Any] = {}
        for node, by_key in adj.items():
            sig = tuple((k, tuple(v)) for k, v in by_key.items())
            idx.adj[node] = shared.setdefault(sig, {k: v for k, v in by_key.items()})
        for area, ward in idx.district_areas():  # each area's reach from where cases start
            origins = tuple(n for k in DEFAULT_ORIGINS for n in idx.local(k, area, ward)[:1])
            idx.reach[(area, ward)] = (origins, idx._search(origins, area, ward))
        return idx

    def district_areas(self, ward: str | None = None) -> list[tuple[str, str]]:
        """The (area, ward) pairs of the daily-living areas holding nodes, sorted; of one
        ward only, without looking at the others, when ``ward`` is given."""
        wards = [ward] if ward is not None else list(self.areas_in_ward)
        return sorted((a, w) for w in wards for a in self.areas_in_ward.get(w, ()))

    def local(self, kind: str, area: str, ward: str) -> list[str]:
        """Nodes of ``kind`` serving a person in district ``area`` of ``ward`` (own area
        first, then the ward, then the city), never looking beyond them."""
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
        the area's support centre, where known; else in id order)."""
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
        built."""
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
