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

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._gc import no_gc
from .errors import ReadOnlyError
from .models import Citation, Document
from .vocabulary import KINDS, TIERS

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "EDGE_ATTRIBUTES",
    "NODE_ATTRIBUTES",
    "ReadOnlyAttributes",
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
    order; what both the graph and the route index are built from.
    """
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
    ``nx.MultiDiGraph(G)``) are ordinary, editable dicts.
    """

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
