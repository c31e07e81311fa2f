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

from typing import Any

import networkx as nx

from .models import Document
from .vocabulary import KINDS, TIERS

__all__ = [
    "EDGE_ATTRIBUTES",
    "NODE_ATTRIBUTES",
    "build_graph",
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
)
"""Attributes every node carries (``lat`` and ``lon`` only when known)."""

EDGE_ATTRIBUTES: tuple[str, ...] = ("kind", "inferred", "citation")
"""Attributes every edge carries."""


def build_graph(doc: Document) -> nx.MultiDiGraph:
    """Build the frozen graph of a (valid) document.

    Complexity: linear in the number of agencies and links.
    """
    area_kind = {a.id: a.kind for a in doc.areas}
    parent = {a.id: a.parent for a in doc.areas}
    G = nx.MultiDiGraph(
        name=doc.title.en, data_date=doc.data_date.isoformat(), schema_version=doc.schema_version
    )
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
            "serves": " ".join(ag.serves) if ag.catchment_confirmed else "",
        }
        if ag.coordinates is not None and not ag.confidential:
            attrs["lat"], attrs["lon"] = ag.coordinates.lat, ag.coordinates.lon
        G.add_node(ag.id, **attrs)
    for link in doc.links:
        citation = "; ".join(
            f"{c.source}: {c.detail}" if c.detail else c.source for c in link.sources
        )
        G.add_edge(
            link.source,
            link.target,
            key=link.kind,
            kind=link.kind,
            inferred=link.inferred,
            citation=citation,
        )
    return nx.freeze(G)


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
