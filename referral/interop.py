r"""Give the directory to other tools: its JSON Schema, and exports for graph, table and map tools.

* :func:`json_schema` — the JSON Schema of ``data/agencies.json``, generated from the models
  (committed as ``data/agencies.schema.json`` and kept in sync by a test).
* :func:`export` — ``hsds`` (Open Referral HSDS 3.0, see :mod:`referral.hsds`), ``graphml``
  and ``gexf`` (Gephi, Cytoscape), ``csv`` (nodes and edges, for spreadsheets) and ``geojson``
  (the bodies with coordinates, for maps). A confidential body never exports an address or a
  position. Every file is written atomically.

Exported text is safe for the tools that open it, whatever a record built in memory holds: a
control character becomes a visible escape (``\x1b``; XML cannot hold one), a CSV cell that
starts like a formula (``= + - @``, tab, carriage return) gets a leading apostrophe, and only
``http(s)`` links are exported as URLs.

Examples
--------
>>> from referral.interop import json_schema
>>> schema = json_schema()
>>> schema["title"], sorted(schema["properties"])[:3]
('referral directory', ['agencies', 'areas', 'data_date'])
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._render import export_text, spreadsheet_cell
from .editing import atomic_write
from .errors import ArgumentError, DataFileError, expect_instance, expect_path, shorten
from .models import SCHEMA_VERSION, Agency, Area, Document
from .network import EDGE_ATTRIBUTES, NODE_ATTRIBUTES, build_graph

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["FORMATS", "Format", "export", "geojson", "graph_for_export", "json_schema", "tables"]

Format = Literal["hsds", "graphml", "gexf", "csv", "geojson"]
FORMATS: tuple[Format, ...] = ("hsds", "graphml", "gexf", "csv", "geojson")

SCHEMA_ID = "https://referral.invalid/schema/agencies-1.0.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the directory file, from the pydantic models."""
    schema = Document.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "referral directory",
        "description": f"data/agencies.json, schema version {SCHEMA_VERSION}: areas, "
        "agencies (bodies, aggregates, meetings) and typed links, each "
        "with its sources and the date it was checked",
    }


def schema_text() -> str:
    """The schema in the stable on-disk form."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def graph_for_export(
    doc: Document, *, graph: nx.MultiDiGraph | None = None, escape: bool = True
) -> nx.MultiDiGraph:
    """The document's graph, with a phone column added and nothing a confidential body must
    hide.

    ``graph``: the document's graph when already built (see
    :func:`referral.network.build_graph`); it is copied, never changed. ``escape``: control
    characters in text become visible escapes (see the module notes; :func:`tables` escapes
    its cells itself).
    """
    import networkx as nx  # noqa: PLC0415 - loaded on first export

    G = nx.MultiDiGraph(graph if graph is not None else build_graph(doc))  # an unfrozen copy
    agencies = {a.id: a for a in doc.agencies}
    for node, data in G.nodes(data=True):
        ag = agencies[node]
        data["phone"] = ag.phones[0].number if ag.phones else ""
        data["url"] = _web_link(ag.url)
        if ag.confidential:
            data.pop("lat", None)
            data.pop("lon", None)
    every = (G.graph, *(a for _, a in G.nodes(data=True)), *(a for *_, a in G.edges(data=True)))
    for attrs in every if escape else ():
        for key, value in attrs.items():
            if isinstance(value, str):
                attrs[key] = export_text(value)
    return G


def _web_link(url: str | None) -> str:
    """``url`` when it is an http(s) link (validation allows no other), else ``""``."""
    return url if url and url.lower().startswith(("http://", "https://")) else ""


def tables(doc: Document, *, graph: nx.MultiDiGraph | None = None) -> tuple[str, str]:
    """``nodes.csv`` and ``edges.csv`` texts (UTF-8, a header row each); every cell is safe
    for a spreadsheet (see :func:`referral._render.spreadsheet_cell`).
    """
    G = graph_for_export(doc, graph=graph, escape=False)
    shown = NODE_ATTRIBUTES[: NODE_ATTRIBUTES.index("serves") + 1]
    node_cols = ["id", *shown, "phone", "url", "lat", "lon", "checked"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(node_cols)
    for node, data in sorted(G.nodes(data=True)):
        writer.writerow(
            [spreadsheet_cell(x) for x in (node, *(data.get(c, "") for c in node_cols[1:]))]
        )
    nodes = buf.getvalue()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["source", "target", *EDGE_ATTRIBUTES])
    for u, v, data in sorted(G.edges(data=True), key=lambda e: (e[0], e[2]["kind"], e[1])):
        cells = (u, v, *(data[c] for c in EDGE_ATTRIBUTES))
        writer.writerow([spreadsheet_cell(x) for x in cells])
    return nodes, buf.getvalue()


def geojson(doc: Document) -> dict[str, Any]:
    """A FeatureCollection of the bodies with coordinates (never a confidential one)."""
    areas = {a.id: a for a in doc.areas}
    features = []
    for ag in doc.agencies:
        if ag.coordinates is None or ag.confidential:
            continue
        features.append(
            {
                "type": "Feature",
                "id": ag.id,
                "geometry": {
                    "type": "Point",
                    "coordinates": [ag.coordinates.lon, ag.coordinates.lat],
                },
                "properties": {
                    "id": ag.id,
                    "name_ja": ag.name.ja,
                    "name_en": ag.name.en,
                    "kind": ag.kind,
                    "tier": ag.tier,
                    "area": ag.area,
                    "ward": _ward_of(areas, ag),
                    "address": ag.address or "",
                    "postal_code": ag.postal_code or "",
                    "phone": ag.phones[0].number if ag.phones else "",
                    "url": _web_link(ag.url),
                    "attested": ag.attested,
                    "checked": ag.checked.isoformat(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _ward_of(areas: dict[str, Area], ag: Agency) -> str:
    """The ward id an agency belongs to, ``""`` for a city-level body."""
    area = areas[ag.area]
    return (
        area.id if area.kind == "ward" else (area.parent or "") if area.kind == "district" else ""
    )


def export(
    doc: Document,
    fmt: Format,
    out: str | os.PathLike[str],
    *,
    graph: nx.MultiDiGraph | None = None,
) -> list[Path]:
    """Export a directory's document in ``fmt`` into the folder ``out`` (created if needed).

    Returns the files written. Every file is written atomically. ``graph``: the document's
    graph, when already built (else it is built for the graph formats).

    Raises
    ------
    ValueError
        ``fmt`` is not one of :data:`FORMATS`.
    """
    expect_instance(doc, Document, "document")
    if fmt not in FORMATS:
        raise ArgumentError(
            f"unknown format {shorten(str(fmt), 30)!r}; choose from {', '.join(FORMATS)}"
        )
    folder = Path(expect_path(out, "output folder"))
    if folder.exists() and not folder.is_dir():
        raise DataFileError(
            str(folder), "is a file, not a folder: export writes its files into a folder"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFileError(str(folder), f"cannot make the folder ({exc.strerror})") from None
    import networkx as nx  # noqa: PLC0415

    from .hsds import export_hsds, write_hsds  # noqa: PLC0415

    if fmt == "hsds":
        return write_hsds(export_hsds(doc), folder / "hsds")
    if fmt in ("graphml", "gexf"):
        G = graph_for_export(doc, graph=graph)
        buf = io.BytesIO()
        if fmt == "graphml":
            nx.write_graphml(G, buf, encoding="utf-8")
        else:
            nx.write_gexf(G, buf, encoding="utf-8")
        return [atomic_write(folder / f"referral.{fmt}", buf.getvalue())]
    if fmt == "csv":
        nodes, edges = tables(doc, graph=graph)
        return [
            atomic_write(folder / "nodes.csv", nodes.encode()),
            atomic_write(folder / "edges.csv", edges.encode()),
        ]
    if fmt == "geojson":
        text = json.dumps(geojson(doc), ensure_ascii=False, indent=1) + "\n"
        return [atomic_write(folder / "referral.geojson", text.encode())]
    raise ArgumentError(
        f"unknown format {shorten(str(fmt), 30)!r}; choose from {', '.join(FORMATS)}"
    )
