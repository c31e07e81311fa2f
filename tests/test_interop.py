"""Interoperability: JSON Schema in sync, HSDS 3.0 valid and round-tripping, graph/table/map
exports, confidential addresses never exported."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import jsonschema
import networkx as nx
import pytest

from referral import Directory
from referral.hsds import HSDS_OBJECTS, export_hsds, import_hsds, read_hsds, validate_hsds
from referral.interop import FORMATS, export, geojson, json_schema, schema_text, tables

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(
    os.environ.get("REFERRAL_HSDS_SCHEMAS", ROOT.parent / "shared" / "spec" / "hsds-3.0")
)
CARRIED = (
    "name",
    "kind",
    "tier",
    "area",
    "address",
    "postal_code",
    "phones",
    "url",
    "coordinates",
    "serves",
    "catchment_confirmed",
    "ages",
    "confidential",
    "attested",
    "operator",
    "contact_via",
    "sources",
    "checked",
    "notes",
    "remarks",
    "derived",
)
"""Every agency field HSDS can carry (links other than part_of it cannot; aggregates and
meetings are not organisations and are not exported)."""


@pytest.fixture(scope="module")
def hsds_data(bundled: Directory) -> dict[str, list[dict[str, object]]]:
    return export_hsds(bundled.document)


def test_committed_schema_is_in_sync() -> None:
    committed = (ROOT / "data" / "agencies.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: referral schema --out data/agencies.schema.json"


def test_bundled_file_validates_against_its_schema() -> None:
    data = json.loads((ROOT / "data" / "agencies.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json_schema()).validate(data)
    data["agencies"][0]["kind"] = 42
    assert list(jsonschema.Draft202012Validator(json_schema()).iter_errors(data))


@pytest.mark.skipif(
    not SCHEMAS.is_dir(),
    reason=f"HSDS 3.0 schemas not found at {SCHEMAS} (set REFERRAL_HSDS_SCHEMAS)",
)
def test_hsds_export_validates_against_the_official_schemas(
    hsds_data: dict[str, list[dict[str, object]]],
) -> None:
    assert validate_hsds(hsds_data, SCHEMAS) == []
    broken: dict[str, list[dict[str, object]]] = {
        **hsds_data,
        "organizations": [{"id": "not-a-uuid", "name": "x"}],
    }
    errors = validate_hsds(broken, SCHEMAS)
    assert any("description" in e for e in errors) and any("uuid" in e for e in errors)


def test_hsds_counts_and_deterministic_ids(
    bundled: Directory, hsds_data: dict[str, list[dict[str, object]]]
) -> None:
    bodies = [a for a in bundled.agencies if not a.aggregate and not a.is_meeting]
    assert len(hsds_data["organizations"]) == len(hsds_data["services"]) == len(bodies)
    located = [a for a in bodies if not a.confidential and (a.address or a.coordinates)]
    assert len(hsds_data["locations"]) == len(located)
    assert {
        t["code"] for t in hsds_data["taxonomy_terms"] if t["taxonomy"] == "referral-concerns"
    } == {c.id for c in bundled.concerns}
    assert export_hsds(bundled.document) == hsds_data  # same input, same UUIDs
    assert set(hsds_data) == set(HSDS_OBJECTS)


def test_hsds_round_trip_on_every_field_hsds_carries(
    bundled: Directory, hsds_data: dict[str, list[dict[str, object]]], tmp_path: Path
) -> None:
    from referral.hsds import write_hsds  # noqa: PLC0415

    write_hsds(hsds_data, tmp_path)
    result = import_hsds(read_hsds(tmp_path))
    assert result.unmapped == ()
    back = {a.id: a for a in result.agencies}
    for ag in bundled.agencies:
        if ag.aggregate or ag.is_meeting:
            assert ag.id not in back
            continue
        for field in CARRIED:
            assert getattr(back[ag.id], field) == getattr(ag, field), (ag.id, field)
    part_of = {(lk.source, lk.target) for lk in bundled.links if lk.kind == "part_of"}
    assert {(lk.source, lk.target) for lk in result.links} == part_of


def test_import_reports_what_it_cannot_map() -> None:
    foreign = {
        "organizations": [
            {
                "id": "11111111-1111-4111-8111-111111111111",
                "name": "Some food bank",
                "description": "x",
            }
        ]
    }
    result = import_hsds(foreign)
    assert result.agencies == ()
    assert result.unmapped == (
        "organizations.json[0] 'Some food bank': no kind, tier and area "
        "(referral-fields attributes)",
    )


def test_confidential_bodies_never_export_an_address(
    bundled: Directory, hsds_data: dict[str, list[dict[str, object]]]
) -> None:
    dv = bundled.agency("yokohama.dv_support_center")
    assert dv.confidential
    org = next(o for o in hsds_data["organizations"] if o["name"] == dv.name.ja)
    assert not [loc for loc in hsds_data["locations"] if loc.get("organization_id") == org["id"]]
    nodes, _ = tables(bundled.document)
    row = next(r for r in csv.DictReader(io.StringIO(nodes)) if r["id"] == dv.id)
    assert row["lat"] == row["lon"] == ""
    assert dv.id not in {f["id"] for f in geojson(bundled.document)["features"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_readable_files(bundled: Directory, tmp_path: Path, fmt: str) -> None:
    paths = export(bundled.document, fmt, tmp_path)  # type: ignore[arg-type]
    assert paths and all(p.stat().st_size > 0 for p in paths)
    if fmt in ("graphml", "gexf"):
        G = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(paths[0])
        assert G.number_of_nodes() == bundled.graph.number_of_nodes()
        assert G.number_of_edges() == bundled.graph.number_of_edges()
    elif fmt == "csv":
        nodes = list(csv.DictReader(io.StringIO(paths[0].read_text(encoding="utf-8"))))
        edges = list(csv.DictReader(io.StringIO(paths[1].read_text(encoding="utf-8"))))
        assert len(nodes) == len(bundled.agencies) and len(edges) == len(bundled.links)
    elif fmt == "geojson":
        data = json.loads(paths[0].read_text(encoding="utf-8"))
        with_coords = [a for a in bundled.agencies if a.coordinates and not a.confidential]
        assert len(data["features"]) == len(with_coords)
        lon, lat = data["features"][0]["geometry"]["coordinates"]
        assert 139 < lon < 140 and 35 < lat < 36
    assert not list(tmp_path.rglob("*.tmp"))  # atomic writes leave no temporary files


def test_export_rejects_unknown_format(bundled: Directory, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        export(bundled.document, "xml", tmp_path)  # type: ignore[arg-type]
