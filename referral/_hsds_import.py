"""Import an Open Referral HSDS 3.0 dataset into the directory (private; see :mod:`referral.hsds`
for the rules: a dataset of the wrong shape is refused whole, an organization the directory
cannot hold is skipped with why, a body the directory holds changes only when asked).

Three steps: :func:`_tables` checks the shape of every row the import reads (types from the
HSDS 3.0 schemas, ``null`` read as absent), :class:`_Dataset` maps each organization to an
:class:`~referral.models.Agency`, naming the file, row and field of any fault, and
:func:`~referral._hsds_merge.merge_hsds` puts the agencies into a document.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import pydantic
from pydantic import Field

from ._data import check_depth
from .errors import DataError, Problem, ValidationError, shorten
from .models import Agency, Citation, Link, Model, Source

__all__ = ["HSDS_SOURCE", "SECRET_FIELDS", "HsdsImport", "import_hsds"]

HSDS_SOURCE = Source(
    id="hsds",
    title="Open Referral HSDS 3.0 dataset (imported)",
    notes="records imported by `referral import` from a dataset that names no source of "
    "ours; check them against the dataset's publisher",
)
"""The source a record imported from a foreign dataset cites (added by :func:`merge_hsds`)."""

FOREIGN = uuid.UUID("0f6f1c55-3c1b-4c55-9d0e-5b0c2f4a8e61")
"""uuid5 namespace of the ids given to foreign organizations whose id is not a UUID."""

MAX_PROBLEMS = 1000
"""A refused dataset lists at most this many faults (the message says how many more)."""

S, N = "a string", "a number"
READ: dict[str, dict[str, str]] = {
    "organizations": {
        "name": S,
        "alternate_name": S,
        "website": S,
        "parent_organization_id": S,
    },
    "organization_identifiers": {"organization_id": S, "identifier_type": S, "identifier": S},
    "services": {"organization_id": S, "minimum_age": N, "maximum_age": N},
    "service_areas": {"service_id": S, "extent": S, "extent_type": S},
    "phones": {"organization_id": S, "number": S, "description": S},
    "locations": {"organization_id": S, "latitude": N, "longitude": N},
    "addresses": {"location_id": S, "address_1": S, "city": S, "postal_code": S},
    "taxonomies": {},
    "taxonomy_terms": {"code": S, "name": S, "taxonomy": S},
    "attributes": {"link_id": S, "taxonomy_term_id": S, "value": S},
    "metadata": {
        "resource_id": S,
        "field_name": S,
        "replacement_value": S,
        "last_action_date": S,
        "updated_by": S,
    },
    "service_at_locations": {},
}
"""The fields the import reads in each table, with their HSDS 3.0 type."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "organizations": ("name",),
    "organization_identifiers": ("identifier_type", "identifier"),
    "phones": ("number",),
    "taxonomy_terms": ("name",),
}
"""Fields (beside ``id``) HSDS 3.0 requires and the import needs."""

Row = tuple[int, dict[str, Any]]


class HsdsImport(Model):
    """What an HSDS import produced, and what it could not map."""

    agencies: tuple[Agency, ...]
    links: tuple[Link, ...] = Field(default=(), description="part_of, from parent organizations")
    unmapped: tuple[str, ...]
    organizations: int = Field(default=0, description="organizations the dataset holds")


# -- 1. shape ---------------------------------------------------------------------------------
def _type_fault(value: Any, expected: str) -> str | None:
    """Why ``value`` is not of the HSDS type ``expected`` (None: it is)."""
    if expected == S:
        return None if isinstance(value, str) else f"must be a string, not {_kind(value)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, not {_kind(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, not {value}"
    return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
"""C0 controls, DEL and C1 controls: never in an id."""


def _id_fault(value: Any) -> str | None:
    if not isinstance(value, str):
        return "is required" if value is None else f"must be a string, not {_kind(value)}"
    if not value.strip():
        return "must not be empty"
    if _CONTROL.search(value):
        return f"{shorten(value, 40)!r} holds a control character"
    return None


def _tables(data: Any, where: str) -> dict[str, list[Row]]:
    """The rows of each table the import reads, with only the fields it reads (``null``
    dropped), or :class:`ValidationError` listing every fault of shape.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(
            where, [Problem("$", f"an HSDS dataset maps table names to lists, not {_kind(data)}")]
        )
    problems: list[Problem] = []

    def fault(place: str, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(place, message, "hsds"))

    out: dict[str, list[Row]] = {}
    for table in READ:
        rows = data.get(table)
        out[table] = []
        if rows is None:
            continue
        if not isinstance(rows, list):
            fault(f"{table}.json", f"must be a list of objects, not {_kind(rows)}")
            continue
        out[table] = _table_rows(table, rows, fault)
    if problems:
        raise ValidationError(where, problems)
    return out


def _table_rows(table: str, rows: list[Any], fault: Callable[[str, str], None]) -> list[Row]:
    """A table's rows that are objects with a good, unique id, each with the fields read;
    every fault is passed to ``fault``.
    """
    out: list[Row] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        place = f"{table}.json[{i}]"
        if not isinstance(row, Mapping):
            fault(place, f"must be an object, not {_kind(row)}")
            continue
        rid = row.get("id")
        if (why := _id_fault(rid)) is not None or not isinstance(rid, str):
            fault(f"{place}.id", why or "must be a string")
            continue
        if rid in seen:
            fault(f"{place}.id", f"{shorten(rid, 40)!r} is also the id of row {seen[rid]}")
            continue
        seen[rid] = i
        out.append((i, _row_fields(table, row, rid, place, fault)))
    return out


def _row_fields(
    table: str, row: Mapping[str, Any], rid: str, place: str, fault: Callable[[str, str], None]
) -> dict[str, Any]:
    """The fields of a row the import reads, those of the wrong type (or missing though
    required) passed to ``fault`` and left out.
    """
    clean: dict[str, Any] = {"id": rid}
    for field, expected in READ[table].items():
        value = row.get(field)
        if value is None:
            if field in REQUIRED.get(table, ()):
                fault(f"{place}.{field}", "is required")
        elif (why := _type_fault(value, expected)) is not None:
            fault(f"{place}.{field}", why)
        else:
            clean[field] = value
    return clean


# -- 2. mapping -------------------------------------------------------------------------------
class _UnmappableError(Exception):
    """An organization the directory cannot hold: where, and why."""


def _embedded(text: str, place: str) -> Any:
    """JSON our export keeps in a string field (remarks, derived, sources, phone details)."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
        check_depth(value, place)
    except (ValueError, RecursionError, DataError):
        raise _UnmappableError(f"{place}: not the JSON this field holds") from None
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _agency_id(oid: str) -> str:
    """The id of a foreign organization: ``hsds.`` and its UUID (made one when it is not)."""
    try:
        key = uuid.UUID(oid)
    except ValueError:
        key = uuid.uuid5(FOREIGN, oid)
    return "hsds." + str(key).replace("-", "_")


MAX_AGE = 10_000
"""Years beyond which an age is refused as no age (bounds the integer an import reads)."""


def _whole(value: float, place: str) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise _UnmappableError(f"{place}: {value} is not a whole number of years")
    if abs(value) > MAX_AGE:
        raise _UnmappableError(f"{place}: {'-' if value < 0 else ''}over 10,000 is not an age")
    return int(value)


class _Dataset:
    """The tables of a dataset, indexed for mapping organizations one by one."""

    def __init__(self, t: dict[str, list[Row]]) -> None:
        self.t = t
        self.fields = _referral_fields(t)
        self.orgs = {r["id"]: (i, r) for i, r in t["organizations"]}
        self.ids: dict[str, tuple[str, str]] = {}
        self.unmapped: list[str] = []
        self._index_identifiers()
        self.by_org: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        self._index_by_org()
        self.address = {
            r["location_id"]: (i, r) for i, r in reversed(t["addresses"]) if "location_id" in r
        }
        self.meta = {
            r["resource_id"]: (i, r)
            for i, r in reversed(t["metadata"])
            if r.get("field_name") == "sources"
            and "resource_id" in r
            and str(r.get("updated_by", "")).startswith("referral")
        }

    def _index_identifiers(self) -> None:
        """Each organization's ``referral_id`` (the first, unless another organization claimed
        it before); every other identifier that names one is listed in ``unmapped``.
        """
        claimed: dict[str, str] = {}
        for i, r in self.t["organization_identifiers"]:
            if r["identifier_type"] != "referral_id":
                continue
            place = f"organization_identifiers.json[{i}]"
            org: str = r.get("organization_id", "")
            if org not in self.orgs:
                self.unmapped.append(
                    f"{place}.organization_id: names no organization of the dataset"
                )
            elif org in self.ids:
                self.unmapped.append(
                    f"{place}: a second referral_id for organization {shorten(org, 40)!r}; the "
                    f"first ({self.ids[org][0]!r}) is used"
                )
            elif r["identifier"] in claimed:
                self.unmapped.append(
                    f"{place}: referral_id {shorten(r['identifier'], 40)!r} is claimed by an "
                    f"organization before it; {shorten(org, 40)!r} keeps an id of its own"
                )
            else:
                self.ids[org] = (r["identifier"], f"{place}.identifier")
                claimed[r["identifier"]] = org

    def _index_by_org(self) -> None:
        """Services, phones, locations and (through services) service areas of each
        organization; a row naming no organization of the dataset is listed in ``unmapped``.
        """
        t = self.t
        for table in ("services", "phones", "locations"):
            for i, r in t[table]:
                if "organization_id" not in r:
                    continue  # linked to a service or location only: not read
                org = r["organization_id"]
                if org not in self.orgs:
                    self.unmapped.append(
                        f"{table}.json[{i}].organization_id: names no organization of the dataset"
                    )
                else:
                    self.by_org[org][table].append((i, r))
        service_org: dict[str, str] = {
            r["id"]: r.get("organization_id", "") for _, r in t["services"]
        }
        for i, r in t["service_areas"]:
            if r.get("extent_type") == "referral_area_id" and "extent" in r:
                org = service_org.get(r.get("service_id", ""), "")
                if org in self.orgs:
                    self.by_org[org]["service_areas"].append((i, r))

    def agency_id(self, oid: str) -> str:
        return self.ids[oid][0] if oid in self.ids else _agency_id(oid)

    def agency(self, oid: str) -> Agency:
        """The organization as an agency, or :class:`_UnmappableError` naming the file, row
        and field of the first fault.
        """
        i, org = self.orgs[oid]
        f = self.fields.get(oid, {})
        if not {"kind", "tier", "area"} <= set(f):
            raise _UnmappableError("no kind, tier and area (referral-fields attributes)")
        places = {k: place for k, (_, place) in f.items()}
        value = {k: v for k, (v, _) in f.items()}
        places |= {"id": self.ids[oid][1] if oid in self.ids else f"organizations.json[{i}].id"}
        places |= {
            "name": f"organizations.json[{i}].name",
            "url": f"organizations.json[{i}].website",
        }
        mine = self.by_org.get(oid, {})
        fields: dict[str, Any] = {
            "id": self.agency_id(oid),
            "name": {
                "ja": org["name"],
                "en": value.get("name_en") or org.get("alternate_name") or org["name"],
            },
            "kind": value["kind"],
            "tier": value["tier"],
            "area": value["area"],
            "phones": _phones(mine, value, places),
            "url": org.get("website"),
            "catchment_confirmed": value.get("serves_confirmed", "true") == "true",
            "confidential": value.get("confidential") == "true",
            "attested": value.get("attested") == "true",
            "operator": value.get("operator") or None,
            "contact_via": value.get("contact_via") or None,
            "notes": value.get("notes") or None,
        }
        for key in ("remarks", "derived"):
            if value.get(key):
                fields[key] = _embedded(value[key], places[key])
        served = [(j, r["extent"]) for j, r in mine.get("service_areas", [])]
        fields["serves"] = [x for _, x in served if x and x != value["area"]]
        if served:
            places["serves"] = f"service_areas.json[{served[0][0]}].extent"
        _ages(mine, fields, places)
        self._location(mine, fields, places)
        self._sources(oid, fields, places)
        try:
            return Agency.model_validate(fields)
        except pydantic.ValidationError as exc:
            raise _UnmappableError(_explain(exc, places, f"organizations.json[{i}]")) from None

    def _location(
        self, mine: Mapping[str, list[Row]], fields: dict[str, Any], places: dict[str, str]
    ) -> None:
        """Coordinates and address from the organization's first location."""
        if not (locations := mine.get("locations")):
            return
        j, loc = locations[0]
        places |= {
            "coordinates": f"locations.json[{j}]",
            "coordinates.lat": f"locations.json[{j}].latitude",
            "coordinates.lon": f"locations.json[{j}].longitude",
        }
        if "latitude" in loc or "longitude" in loc:
            fields["coordinates"] = {"lat": loc.get("latitude"), "lon": loc.get("longitude")}
        if loc["id"] in self.address:
            k, a = self.address[loc["id"]]
            places |= {
                "address": f"addresses.json[{k}].address_1",
                "postal_code": f"addresses.json[{k}].postal_code",
            }
            line, city = a.get("address_1", ""), a.get("city", "")
            fields["address"] = (city + (line if line != city else "")) or None
            fields["postal_code"] = a.get("postal_code") or None

    def _sources(self, oid: str, fields: dict[str, Any], places: dict[str, str]) -> None:
        """Sources and checked date from our export's metadata, or the generic ``hsds``
        source checked today.
        """
        if oid in self.meta:
            j, m = self.meta[oid]
            place = f"metadata.json[{j}]"
            places |= {
                "sources": f"{place}.replacement_value",
                "checked": f"{place}.last_action_date",
            }
            fields["sources"] = _embedded(m.get("replacement_value", ""), places["sources"])
            fields["checked"] = m.get("last_action_date")
        else:
            fields["sources"] = [{"source": "hsds", "detail": f"organization {shorten(oid, 60)}"}]
            fields["checked"] = dt.date.today()


def _referral_fields(t: dict[str, list[Row]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Each linked object's ``referral-fields`` attributes: code → (value, place); the first
    attribute of a code wins.
    """
    terms = {
        r["id"]: (r.get("taxonomy", ""), r.get("code") or r["name"]) for _, r in t["taxonomy_terms"]
    }
    fields: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for i, a in t["attributes"]:
        taxonomy, code = terms.get(a.get("taxonomy_term_id", ""), ("", ""))
        if taxonomy == "referral-fields" and "link_id" in a and code not in fields[a["link_id"]]:
            fields[a["link_id"]][code] = (a.get("value", ""), f"attributes.json[{i}].value")
    return fields


def _phones(
    mine: Mapping[str, list[Row]], value: Mapping[str, str], places: dict[str, str]
) -> list[dict[str, Any]]:
    """The organization's phones, with what HSDS phones cannot say (English label, shared
    line) from our ``phone_details``.
    """
    phones: list[dict[str, Any]] = []
    for k, (j, p) in enumerate(mine.get("phones", [])):
        phones.append({"number": p["number"], "label": p.get("description") or None})
        places[f"phones.{k}"] = f"phones.json[{j}]"
    if value.get("phone_details"):
        details = _embedded(value["phone_details"], places["phone_details"])
        if not isinstance(details, list) or not all(isinstance(x, dict) for x in details):
            raise _UnmappableError(f"{places['phone_details']}: must be a list of objects")
        for p, x in zip(phones, details, strict=False):
            p.update({k: x[k] for k in ("label_en", "shared_with") if x.get(k)})
    return phones


def _ages(mine: Mapping[str, list[Row]], fields: dict[str, Any], places: dict[str, str]) -> None:
    """Ages from the first service (HSDS allows many; the directory holds one per body)."""
    if not (services := mine.get("services")):
        return
    j, svc = services[0]
    lo, hi = svc.get("minimum_age"), svc.get("maximum_age")
    place = f"services.json[{j}]"
    places |= {
        "ages": place,
        "ages.min": f"{place}.minimum_age",
        "ages.max": f"{place}.maximum_age",
    }
    if lo is not None or hi is not None:
        fields["ages"] = {
            "min": None if lo is None else _whole(lo, f"{place}.minimum_age"),
            "max": None if hi is None else _whole(hi, f"{place}.maximum_age"),
        }


SECRET_FIELDS = frozenset({"notes", "remarks"})
"""Fields of free text about bodies: never quoted in a message or a change report."""


def _explain(exc: pydantic.ValidationError, places: Mapping[str, str], record: str) -> str:
    """The first fault of a record, at its place in the dataset (the longest known prefix of
    its path), quoting a short value (never a note).
    """
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    message = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    if isinstance(value, str) and not SECRET_FIELDS & set(loc):
        message += f" ({shorten(value, 40)!r})"
    for n in range(len(loc), 0, -1):
        if (place := places.get(".".join(loc[:n]))) is not None:
            rest = ".".join(loc[n:])
            return f"{place}{'.' + rest if rest else ''}: {message}"
    return f"{record}: {'.'.join(loc) + ': ' if loc else ''}{message}"


def import_hsds(data: Mapping[str, Any], *, where: str = "HSDS dataset") -> HsdsImport:
    """Read an HSDS 3.0 dataset into agencies where it can.

    Organizations exported by this project come back whole; others are imported when the
    dataset says (through ``referral-fields`` attributes) their kind, tier and area, and listed
    in ``unmapped`` with why otherwise (see the module notes for the rules).

    Raises
    ------
    ValidationError
        The dataset is not HSDS as the import reads it (a table not a list, a row not an
        object, a row without an ``id``, a field of the wrong type): ``problems`` lists every
        fault as ``table.json[row].field``.
    """
    ds = _Dataset(_tables(data, where))
    out: list[Agency] = []
    unmapped = list(ds.unmapped)
    mapped: dict[str, int] = {}
    for oid, (i, org) in ds.orgs.items():
        label = f"organizations.json[{i}] {shorten(org['name'], 40)!r}"
        try:
            ag = ds.agency(oid)
        except _UnmappableError as exc:
            unmapped.append(f"{label}: {exc}")
            continue
        if ag.id in mapped:
            unmapped.append(f"{label}: the id {ag.id!r} is organizations.json[{mapped[ag.id]}]'s")
            continue
        mapped[ag.id] = i
        out.append(ag)
    links = []
    for oid, (i, org) in ds.orgs.items():
        parent: str | None = org.get("parent_organization_id")
        child = ds.agency_id(oid)
        up = ds.agency_id(parent) if parent is not None and parent in ds.orgs else None
        if parent is None or child not in mapped:
            continue
        if up is None or up not in mapped:
            unmapped.append(
                f"organizations.json[{i}].parent_organization_id: names no organization imported"
            )
            continue
        cite = Citation(source="hsds", detail="parent_organization_id")
        links.append(Link(source=child, target=up, kind="part_of", sources=(cite,)))
    return HsdsImport(
        agencies=tuple(out),
        links=tuple(links),
        unmapped=tuple(unmapped),
        organizations=len(ds.orgs),
    )
