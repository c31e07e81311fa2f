"""Open Referral HSDS 3.0: export the directory, import a dataset back, validate.

Export maps every body (not the aggregates, not the meetings) to an **organization** with one
consultation **service**, a **location** and **address** where the sources give one (never for
a confidential body), its **phones**, **service areas** (its catchment), and **attributes**
that carry what HSDS has no field for: our id, kind, tier, area, attested, operator, and the
concerns the kind is a primary or supporting window for — all as **taxonomy terms** of three
taxonomies (``referral-fields``, ``referral-kinds``, ``referral-concerns``). Sources and the
checked date travel as **metadata**. Ids are deterministic UUIDs (uuid5) derived from our ids,
so an export is reproducible and re-exports line up.

Import (:func:`import_hsds`, then :func:`merge_hsds`) reads such a dataset, or a foreign one,
back into agencies where it can. Our own export round-trips on every field HSDS can carry (the
links between bodies, other than ``part_of``, it cannot). What a dataset may get wrong, and
what then happens:

* **not HSDS as the import reads it** (a table not a list, a row not an object, a row without
  an ``id`` or with a duplicate one, a field of the wrong type, a number that is not finite):
  the whole dataset is refused with a :class:`~referral.errors.ValidationError` listing every
  fault as ``table.json[row].field``;
* **valid HSDS the directory cannot hold** (no kind, tier and area; a phone not written the
  Japanese way; an age out of range; a ``javascript:`` link; control characters): that
  organization is skipped and listed in ``unmapped`` with the file, row and field;
* **an organization the directory already holds** (our id through
  ``organization_identifiers``): left as it is unless the merge is asked to update
  (``update=True``, ``referral import --update``), and every changed field is reported.

A foreign dataset (without this project's ``metadata``) cites the generic ``hsds`` source,
which the merge adds to the document's sources.

Examples
--------
>>> from referral import Directory
>>> from referral.hsds import export_hsds
>>> data = export_hsds(Directory.load().document)
>>> sorted(data)[:4]
['addresses', 'attributes', 'locations', 'metadata']
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._hsds_import import HSDS_SOURCE, HsdsImport, import_hsds
from ._hsds_merge import HsdsMerge, merge_hsds
from .errors import DataFileError, expect_path
from .matching import load_concerns
from .models import Agency, Area, Document
from .vocabulary import KINDS

__all__ = [
    "HSDS_OBJECTS",
    "HSDS_SOURCE",
    "HsdsImport",
    "HsdsMerge",
    "export_hsds",
    "import_hsds",
    "merge_hsds",
    "read_hsds",
    "schema_folder",
    "validate_hsds",
    "write_hsds",
]

NAMESPACE = uuid.UUID("7d3a8f52-5c1e-4b9e-9a57-2f6e0c1b9a10")
"""uuid5 namespace of this project's HSDS ids (fixed: changing it changes every id)."""

HSDS_OBJECTS: dict[str, str] = {
    "organizations": "organization.json",
    "services": "service.json",
    "locations": "location.json",
    "addresses": "address.json",
    "phones": "phone.json",
    "service_at_locations": "service_at_location.json",
    "service_areas": "service_area.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
    "attributes": "attribute.json",
    "metadata": "metadata.json",
    "organization_identifiers": "organization_identifier.json",
}
"""Each exported table and the HSDS 3.0 schema its objects follow."""

FIELDS = (
    "kind",
    "tier",
    "area",
    "attested",
    "aggregate",
    "confidential",
    "operator",
    "serves_confirmed",
    "notes",
    "name_en",
    "contact_via",
    "remarks",
    "derived",
    "phone_details",
)


def uid(kind: str, key: str) -> str:
    """The deterministic UUID of an exported object."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _split_address(address: str) -> tuple[str, str, str]:
    """``横浜市西区中央1-5-10`` → (state_province, city, address_1)."""
    m = re.match(r"^(神奈川県)?(横浜市\S+?区)(.*)$", address)
    if not m:
        return "神奈川県", "", address
    return "神奈川県", m[2], m[3] or m[2]


TAXONOMIES = {
    "referral-fields": "fields of the referral directory that HSDS has no place for",
    "referral-kinds": "kinds of body of the referral vocabulary",
    "referral-concerns": "concerns of the referral vocabulary",
}
"""The three taxonomies whose terms carry what HSDS has no field for."""

_Tables = dict[str, list[dict[str, Any]]]


class _Export:
    """The tables being filled, and the taxonomy terms handed out so far."""

    def __init__(self) -> None:
        self.out: _Tables = defaultdict(list)
        self.terms: dict[tuple[str, str], str] = {}

    def term(self, taxonomy: str, code: str, name: str, description: str) -> str:
        """The id of a taxonomy term, added to ``taxonomy_terms`` the first time it is asked."""
        key = (taxonomy, code)
        if key not in self.terms:
            self.terms[key] = uid("term", f"{taxonomy}:{code}")
            self.out["taxonomy_terms"].append(
                {
                    "id": self.terms[key],
                    "code": code,
                    "name": name,
                    "description": description,
                    "taxonomy": taxonomy,
                    "taxonomy_id": uid("taxonomy", taxonomy),
                }
            )
        return self.terms[key]

    def attribute(self, entity: str, link_id: str, term_id: str, value: str) -> None:
        """Attach a term with a value to an organization or a service."""
        self.out["attributes"].append(
            {
                "id": uid("attribute", f"{link_id}:{term_id}"),
                "link_id": link_id,
                "link_type": entity,
                "link_entity": entity,
                "taxonomy_term_id": term_id,
                "value": value,
            }
        )


def _parents(doc: Document) -> dict[str, str]:
    """Each body's first ``part_of`` link, in document order."""
    parents: dict[str, str] = {}
    for lk in doc.links:
        if lk.kind == "part_of":
            parents.setdefault(lk.source, lk.target)
    return parents


def _vocabulary(ex: _Export) -> dict[str, list[tuple[str, str]]]:
    """Write the taxonomies and their terms; return each kind's (concern, role) windows."""
    for name, description in TAXONOMIES.items():
        ex.out["taxonomies"].append(
            {
                "id": uid("taxonomy", name),
                "name": name,
                "description": description,
                "version": "1.0",
            }
        )
    for field in FIELDS:
        ex.term("referral-fields", field, field, f"the record's {field}")
    for k in KINDS.values():
        ex.term("referral-kinds", k.id, k.ja, k.en)
    windows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in load_concerns():
        ex.term("referral-concerns", c.id, c.name.ja, c.name.en)
        for role, refs in (("primary", c.primary), ("supporting", c.supporting)):
            for ref in refs:
                windows[ref.kind].append((c.id, role))
    return windows


def _organization(ex: _Export, ag: Agency, parent: str | None) -> None:
    """The body's organization and its identifier (our id)."""
    org = uid("organization", ag.id)
    o: dict[str, Any] = {
        "id": org,
        "name": ag.name.ja,
        "alternate_name": ag.name.en,
        "description": KINDS[ag.kind].ja + "（" + KINDS[ag.kind].en + "）",
    }
    if ag.url:
        o["website"] = ag.url
    if parent:
        o["parent_organization_id"] = uid("organization", parent)
    ex.out["organizations"].append(o)
    ex.out["organization_identifiers"].append(
        {
            "id": uid("identifier", ag.id),
            "organization_id": org,
            "identifier_scheme": "referral",
            "identifier_type": "referral_id",
            "identifier": ag.id,
        }
    )


def _service(ex: _Export, ag: Agency, areas: Mapping[str, Area]) -> None:
    """The body's one consultation service, its phones and its service areas (catchment)."""
    org, svc = uid("organization", ag.id), uid("service", ag.id)
    s: dict[str, Any] = {
        "id": svc,
        "organization_id": org,
        "name": ag.name.ja,
        "alternate_name": ag.name.en,
        "status": "active",
        "description": ag.notes or KINDS[ag.kind].en,
    }
    if ag.ages and ag.ages.min is not None:
        s["minimum_age"] = ag.ages.min
    if ag.ages and ag.ages.max is not None:
        s["maximum_age"] = ag.ages.max
    ex.out["services"].append(s)
    for i, p in enumerate(ag.phones):
        ex.out["phones"].append(
            {
                "id": uid("phone", f"{ag.id}:{i}"),
                "organization_id": org,
                "number": p.number,
                "description": p.label or "",
            }
        )
    for area_id in ag.serves or (ag.area,):
        area = areas[area_id]
        ex.out["service_areas"].append(
            {
                "id": uid("service_area", f"{ag.id}:{area_id}"),
                "service_id": svc,
                "name": area.name.ja,
                "description": area.name.en,
                "extent": area_id,
                "extent_type": "referral_area_id",
            }
        )


def _location(ex: _Export, ag: Agency) -> None:
    """The body's location and address, where the sources give one (never if confidential)."""
    if ag.confidential or not (ag.address or ag.coordinates):
        return
    org, svc, loc = uid("organization", ag.id), uid("service", ag.id), uid("location", ag.id)
    location: dict[str, Any] = {
        "id": loc,
        "location_type": "physical",
        "organization_id": org,
        "name": ag.name.ja,
    }
    if ag.coordinates:
        location["latitude"] = ag.coordinates.lat
        location["longitude"] = ag.coordinates.lon
    ex.out["locations"].append(location)
    ex.out["service_at_locations"].append(
        {"id": uid("service_at_location", ag.id), "service_id": svc, "location_id": loc}
    )
    if ag.address:
        state, city, line = _split_address(ag.address)
        ex.out["addresses"].append(
            {
                "id": uid("address", ag.id),
                "location_id": loc,
                "address_1": line,
                "city": city,
                "state_province": state,
                "postal_code": ag.postal_code or "",
                "country": "JP",
                "address_type": "physical",
            }
        )


def _field_values(ag: Agency) -> dict[str, str]:
    """The value of each of :data:`FIELDS` for a body, as the attribute carries it."""
    return {
        "kind": ag.kind,
        "tier": ag.tier,
        "area": ag.area,
        "attested": str(ag.attested).lower(),
        "aggregate": "false",
        "confidential": str(ag.confidential).lower(),
        "operator": ag.operator or "",
        "serves_confirmed": str(ag.catchment_confirmed).lower(),
        "notes": ag.notes or "",
        "name_en": ag.name.en,
        "contact_via": ag.contact_via or "",
        "remarks": ag.remarks.model_dump_json() if ag.remarks else "",
        "derived": json.dumps([x.model_dump() for x in ag.derived], ensure_ascii=False)
        if ag.derived
        else "",
        "phone_details": json.dumps(
            [{"label_en": p.label_en, "shared_with": p.shared_with} for p in ag.phones],
            ensure_ascii=False,
        )
        if any(p.label_en or p.shared_with for p in ag.phones)
        else "",
    }


def _attributes(ex: _Export, ag: Agency, windows: Mapping[str, list[tuple[str, str]]]) -> None:
    """The body's fields, its kind and the concerns its kind is a window for, as attributes."""
    org, svc = uid("organization", ag.id), uid("service", ag.id)
    for field, value in _field_values(ag).items():
        ex.attribute("organization", org, ex.terms[("referral-fields", field)], value)
    ex.attribute("organization", org, ex.terms[("referral-kinds", ag.kind)], ag.kind)
    for concern, role in windows.get(ag.kind, ()):
        ex.attribute("service", svc, ex.terms[("referral-concerns", concern)], role)


def _metadata(ex: _Export, ag: Agency, day: str) -> None:
    """The body's sources and checked date, as one metadata row."""
    ex.out["metadata"].append(
        {
            "id": uid("metadata", f"{ag.id}:sources"),
            "resource_id": uid("organization", ag.id),
            "resource_type": "organization",
            "last_action_date": ag.checked.isoformat(),
            "last_action_type": "verified",
            "field_name": "sources",
            "previous_value": "",
            "replacement_value": json.dumps(
                [c.model_dump(exclude_none=True) for c in ag.sources], ensure_ascii=False
            ),
            "updated_by": "referral ("
            + ", ".join(sorted({c.source for c in ag.sources}))
            + f"; data of {day})",
        }
    )


def export_hsds(doc: Document) -> dict[str, list[dict[str, Any]]]:
    """Export a directory's document as HSDS 3.0 tables (lists of objects, one per type)."""
    ex = _Export()
    day = doc.data_date.isoformat()
    areas = {a.id: a for a in doc.areas}
    parents = _parents(doc)
    windows = _vocabulary(ex)
    for ag in doc.agencies:
        if ag.aggregate or ag.is_meeting:
            continue
        _organization(ex, ag, parents.get(ag.id))
        _service(ex, ag, areas)
        _location(ex, ag)
        _attributes(ex, ag, windows)
        _metadata(ex, ag, day)
    return {k: ex.out[k] for k in sorted(HSDS_OBJECTS)}


def write_hsds(data: Mapping[str, list[dict[str, Any]]], folder: str | Path) -> list[Path]:
    """Write one JSON file per table (``organizations.json`` …) into ``folder``."""
    from .editing import atomic_write  # noqa: PLC0415

    Path(folder).mkdir(parents=True, exist_ok=True)
    out = []
    for name, rows in data.items():
        path = Path(folder) / f"{name}.json"
        atomic_write(path, (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode())
        out.append(path)
    return out


def read_hsds(folder: str | Path) -> dict[str, Any]:
    """Read the tables of a dataset folder (one ``<table>.json`` file each, as
    :func:`write_hsds` writes them); tables missing from it read as empty lists.

    The JSON is read strictly (see :func:`referral._data.read_json`) but not checked against
    HSDS: :func:`import_hsds` does that, naming each fault's file, row and field.

    Raises
    ------
    DataFileError
        The folder does not exist or holds none of the tables; a file is not strict UTF-8
        JSON, or is too large.
    """
    from ._data import read_json  # noqa: PLC0415

    where = Path(folder)
    if not where.is_dir():
        why = "is a file, not a folder of HSDS tables" if where.exists() else "no such folder"
        raise DataFileError(str(folder), why)
    data: dict[str, Any] = {}
    for name in HSDS_OBJECTS:
        path = where / f"{name}.json"
        # whatever is at the path is read, so a device, a pipe or a link to one is refused
        data[name] = read_json(path) if os.path.lexists(path) else []
    if not any(os.path.lexists(where / f"{name}.json") for name in HSDS_OBJECTS):
        raise DataFileError(
            str(folder), "holds no HSDS table (organizations.json, services.json, …)"
        )
    return data


def schema_folder(schema_dir: str | Path) -> Path:
    """``schema_dir`` if it holds the HSDS 3.0 schemas :func:`validate_hsds` needs, else a
    :class:`DataFileError` naming the folder and the first schema missing.
    """
    folder = Path(expect_path(schema_dir, "schema folder"))
    if not folder.is_dir():
        raise DataFileError(str(folder), "no such folder (give the HSDS 3.0 schema folder)")
    for name in HSDS_OBJECTS.values():
        if not (folder / name).is_file():
            raise DataFileError(
                str(folder), f"holds no {name}: give the folder of the HSDS 3.0 JSON Schemas"
            )
    return folder


def validate_hsds(data: Mapping[str, Any], schema_dir: str | Path) -> list[str]:
    """Validate every object against the official HSDS 3.0 schemas in ``schema_dir``.

    Returns one message per invalid object (empty: all valid). Needs ``jsonschema``.
    """
    import jsonschema  # noqa: PLC0415 - optional, for validation only
    from referencing import Registry, Resource  # noqa: PLC0415
    from referencing.jsonschema import DRAFT202012  # noqa: PLC0415

    folder = schema_folder(schema_dir)
    resources = [
        (
            p.name,
            Resource.from_contents(
                json.loads(p.read_text(encoding="utf-8")), default_specification=DRAFT202012
            ),
        )
        for p in folder.glob("*.json")
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    errors = []
    for table, schema_name in HSDS_OBJECTS.items():
        schema = json.loads((folder / schema_name).read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(
            schema, registry=registry, format_checker=jsonschema.FormatChecker()
        )
        for i, obj in enumerate(data.get(table, [])):
            for err in validator.iter_errors(obj):
                where = "/".join(map(str, err.absolute_path))
                errors.append(f"{table}[{i}]{'.' + where if where else ''}: {err.message}")
    return errors
