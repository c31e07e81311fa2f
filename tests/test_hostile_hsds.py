"""Hostile HSDS datasets: every one is imported, or refused with a ReferralError that names the
file, row and field, or has the organizations it cannot map listed with why; none ends in an
internal error. A body the directory holds is changed only when asked, and each change is
reported. A foreign dataset without metadata imports (citing the generic ``hsds`` source)."""

from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import tiny_document, write_document

from referral import Directory, ReferralError
from referral.cli import main
from referral.hsds import (
    HSDS_OBJECTS,
    HsdsMerge,
    export_hsds,
    import_hsds,
    merge_hsds,
    read_hsds,
    validate_hsds,
    write_hsds,
)

Data = dict[str, Any]
SCHEMAS = Path(
    os.environ.get(
        "REFERRAL_HSDS_SCHEMAS",
        Path(__file__).resolve().parents[2] / "shared" / "spec" / "hsds-3.0",
    )
)


def _uuid(n: int) -> str:
    return f"5a1e2b4c-0000-4000-8000-{n:012x}"


ORG, SVC, LOC, ADDR, PHONE, AREA, TAX = (_uuid(n) for n in range(1, 8))
FOREIGN_ID = "hsds." + ORG.replace("-", "_")
TERMS = {"kind": _uuid(8), "tier": _uuid(9), "area": _uuid(10)}


def _term(code: str, n: int) -> dict[str, str]:
    return {
        "id": _uuid(n),
        "code": code,
        "name": code,
        "description": f"the record's {code}",
        "taxonomy": "referral-fields",
        "taxonomy_id": TAX,
    }


def foreign() -> Data:
    """A small foreign dataset, valid HSDS 3.0: one food network with a service, a place, a
    phone and a catchment, and its kind, tier and area as referral-fields attributes."""
    fields = {"kind": "npo", "tier": "district", "area": "w.a"}
    return {
        "organizations": [
            {
                "id": ORG,
                "name": "こども食堂ネット",
                "alternate_name": "Kids' Cafeteria Net",
                "description": "地域の子ども食堂の連絡会",
                "website": "https://kodomo.example/",
            }
        ],
        "services": [
            {
                "id": SVC,
                "organization_id": ORG,
                "name": "相談",
                "status": "active",
                "minimum_age": 6,
                "maximum_age": 18,
            }
        ],
        "locations": [
            {
                "id": LOC,
                "location_type": "physical",
                "organization_id": ORG,
                "latitude": 35.45,
                "longitude": 139.62,
            }
        ],
        "addresses": [
            {
                "id": ADDR,
                "location_id": LOC,
                "address_1": "中央1-1-1",
                "city": "横浜市西区",
                "state_province": "神奈川県",
                "postal_code": "220-0051",
                "country": "JP",
                "address_type": "physical",
            }
        ],
        "phones": [
            {"id": PHONE, "organization_id": ORG, "number": "045-111-2222", "description": "代表"}
        ],
        "service_areas": [
            {"id": AREA, "service_id": SVC, "extent": "w.b", "extent_type": "referral_area_id"}
        ],
        "taxonomies": [{"id": TAX, "name": "referral-fields", "description": "our fields"}],
        "taxonomy_terms": [_term(code, int(TERMS[code][-2:], 16)) for code in fields],
        "attributes": [
            {
                "id": _uuid(0x100 + i),
                "link_id": ORG,
                "link_type": "organization",
                "link_entity": "organization",
                "taxonomy_term_id": TERMS[code],
                "value": value,
            }
            for i, (code, value) in enumerate(fields.items())
        ],
    }


def attribute(data: Data, code: str, value: Any, n: int = 0x200) -> Data:
    """Set (or add) the referral-fields attribute ``code`` of the organization."""
    for a in data["attributes"]:
        if a["taxonomy_term_id"] == TERMS.get(code):
            a["value"] = value
            return data
    term = _term(code, n)
    data["taxonomy_terms"].append(term)
    data["attributes"].append(
        {"id": _uuid(n + 1), "link_id": ORG, "taxonomy_term_id": term["id"], "value": value}
    )
    return data


def identifier(data: Data, our_id: Any, org: str = ORG, n: int = 0x300) -> Data:
    data.setdefault("organization_identifiers", []).append(
        {
            "id": _uuid(n),
            "organization_id": org,
            "identifier_scheme": "referral",
            "identifier_type": "referral_id",
            "identifier": our_id,
        }
    )
    return data


def metadata(data: Data, sources: str, date: str = "2026-01-01") -> Data:
    data["metadata"] = [
        {
            "id": _uuid(0x400),
            "resource_id": ORG,
            "resource_type": "organization",
            "last_action_date": date,
            "last_action_type": "verified",
            "field_name": "sources",
            "previous_value": "",
            "replacement_value": sources,
            "updated_by": "referral (test)",
        }
    ]
    return data


def ward_office(data: Data) -> Data:
    """The dataset claiming, through organization_identifiers, to be the ward office (its
    kind, tier and area too), with another phone."""
    for code, value in {"kind": "ward_office", "tier": "ward", "area": "w"}.items():
        attribute(data, code, value)
    data["service_areas"] = []
    return identifier(data, WARD)


def second_org(data: Data, parent: str | None = None, oid: str = _uuid(0x500)) -> Data:
    """A second organization like the first (same fields), optionally under ``parent``."""
    org = {"id": oid, "name": "第二の会", "description": "x"}
    if parent:
        org["parent_organization_id"] = parent
    data["organizations"].append(org)
    for i, (code, value) in enumerate({"kind": "npo", "tier": "district", "area": "w.a"}.items()):
        data["attributes"].append(
            {
                "id": _uuid(0x600 + i),
                "link_id": oid,
                "taxonomy_term_id": TERMS[code],
                "value": value,
            }
        )
    return data


def at(table: str, field: str, value: Any, row: int = 0) -> Callable[[Data], Data]:
    """A mutation: set ``table[row].field`` (``...`` deletes it)."""

    def change(data: Data) -> Data:
        if value is ...:
            data[table][row].pop(field, None)
        else:
            data[table][row][field] = value
        return data

    return change


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@dataclass(frozen=True)
class Case:
    """A hostile dataset and what must come of it.

    ``outcome``: ``refused`` (a ReferralError whose message holds ``says``), ``skipped`` (the
    organization is not imported; a line of the report holds ``says``), ``added``, ``kept``
    (an existing body left as it is; a report line holds ``says``) or ``updated``.
    """

    mutate: Callable[[Data], Any]  # a dataset, or for `memory` anything at all
    outcome: str
    says: str = ""
    files: Callable[[dict[str, bytes]], dict[str, bytes]] | None = None
    update: bool = False
    memory: bool = False  # a dataset no file holds (NaN, a list): given to import_hsds as is


def raw(table: str, text: str | bytes) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    """Replace the file of ``table`` with ``text`` (or bytes) as it is."""

    def change(files: dict[str, bytes]) -> dict[str, bytes]:
        return {**files, f"{table}.json": text.encode() if isinstance(text, str) else text}

    return change


def placeholder(table: str, literal: str) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    """Put ``literal`` (JSON text no encoder writes: ``1e999``) where "@@" stands."""

    def change(files: dict[str, bytes]) -> dict[str, bytes]:
        name = f"{table}.json"
        return {**files, name: files[name].replace(b'"@@"', literal.encode())}

    return change


def same(data: Data) -> Data:
    return data


WARD = "w.ward_office"
ESC = "\x1b]0;pwned\x07"

CASES: dict[str, Case] = {
    # -- the dataset is not HSDS as the import reads it: refused whole, with file, row, field
    "a table is an object": Case(
        lambda d: {**d, "organizations": {"id": ORG}},
        "refused",
        "organizations.json: must be a list of objects, not an object",
    ),
    "a table is a string": Case(
        lambda d: {**d, "phones": "045-111-2222"},
        "refused",
        "phones.json: must be a list of objects, not str",
    ),
    "a row is a string": Case(
        lambda d: {**d, "organizations": ["x"]},
        "refused",
        "organizations.json[0]: must be an object, not str",
    ),
    "a row is null": Case(
        lambda d: {**d, "services": [None]},
        "refused",
        "services.json[0]: must be an object, not NoneType",
    ),
    "a row is a list": Case(
        lambda d: {**d, "phones": [[1, 2]]},
        "refused",
        "phones.json[0]: must be an object, not a list",
    ),
    "no id": Case(
        at("organizations", "id", ...), "refused", "organizations.json[0].id: is required"
    ),
    "id null": Case(at("phones", "id", None), "refused", "phones.json[0].id: is required"),
    "id a number": Case(
        at("organizations", "id", 1),
        "refused",
        "organizations.json[0].id: must be a string, not int",
    ),
    "id empty": Case(
        at("services", "id", " "), "refused", "services.json[0].id: must not be empty"
    ),
    "id with NUL": Case(
        at("organizations", "id", "a\x00b"),
        "refused",
        "organizations.json[0].id: 'a\\x00b' holds a control character",
    ),
    "id with a terminal escape": Case(
        at("attributes", "id", ESC), "refused", "attributes.json[0].id:"
    ),
    "duplicate ids": Case(
        lambda d: second_org(d, oid=ORG),
        "refused",
        "organizations.json[1].id: '5a1e2b4c-0000-4000-8000-000000000001' is also the id of row 0",
    ),
    "no name": Case(
        at("organizations", "name", ...), "refused", "organizations.json[0].name: is required"
    ),
    "name a number": Case(
        at("organizations", "name", 42),
        "refused",
        "organizations.json[0].name: must be a string, not int",
    ),
    "name an object": Case(
        at("organizations", "name", {"ja": "x"}),
        "refused",
        "organizations.json[0].name: must be a string, not an object",
    ),
    "name nested 500 deep": Case(
        at("organizations", "name", nested(500)),
        "refused",
        "organizations.json[0].name: must be a string, not a list",
    ),
    "a file nested 100,000 deep": Case(
        same,
        "refused",
        "organizations.json: JSON nested deeper",
        files=raw("organizations", "[" * 100_000 + "]" * 100_000),
    ),
    "phone number a number": Case(
        at("phones", "number", 451112222),
        "refused",
        "phones.json[0].number: must be a string, not int",
    ),
    "no phone number": Case(
        at("phones", "number", ...), "refused", "phones.json[0].number: is required"
    ),
    "minimum_age 1e999": Case(
        at("services", "minimum_age", "@@"),
        "refused",
        "services.json[0].minimum_age: must be a finite number, not inf",
        files=placeholder("services", "1e999"),
    ),
    "minimum_age NaN in the file": Case(
        at("services", "minimum_age", "@@"),
        "refused",
        "services.json: invalid JSON: NaN is not valid JSON",
        files=placeholder("services", "NaN"),
    ),
    "latitude -Infinity in the file": Case(
        at("locations", "latitude", "@@"),
        "refused",
        "locations.json: invalid JSON",
        files=placeholder("locations", "-Infinity"),
    ),
    "minimum_age NaN in memory": Case(
        at("services", "minimum_age", float("nan")),
        "refused",
        "services.json[0].minimum_age: must be a finite number, not nan",
        memory=True,
    ),
    "minimum_age a string": Case(
        at("services", "minimum_age", "6"),
        "refused",
        "services.json[0].minimum_age: must be a number, not str",
    ),
    "minimum_age a boolean": Case(
        at("services", "minimum_age", True),
        "refused",
        "services.json[0].minimum_age: must be a number, not a boolean",
    ),
    "latitude a string": Case(
        at("locations", "latitude", "35.4"),
        "refused",
        "locations.json[0].latitude: must be a number, not str",
    ),
    "attribute value a number": Case(
        at("attributes", "value", 3),
        "refused",
        "attributes.json[0].value: must be a string, not int",
    ),
    "taxonomy term without a name": Case(
        at("taxonomy_terms", "name", ...), "refused", "taxonomy_terms.json[0].name: is required"
    ),
    "identifier missing": Case(
        lambda d: at("organization_identifiers", "identifier", ...)(identifier(d, WARD)),
        "refused",
        "organization_identifiers.json[0].identifier: is required",
    ),
    "Shift_JIS file": Case(
        same,
        "refused",
        "organizations.json: not UTF-8",
        files=raw("organizations", '[{"id": "x", "name": "西区"}]'.encode("shift_jis")),
    ),
    "truncated JSON": Case(
        same,
        "refused",
        "organizations.json: invalid JSON",
        files=raw("organizations", '[{"id": "x", "name": '),
    ),
    "duplicate key": Case(
        same,
        "refused",
        "phones.json: duplicate key 'number'",
        files=raw("phones", '[{"id": "p", "number": "1", "number": "2"}]'),
    ),
    "byte-order mark": Case(
        same,
        "refused",
        "organizations.json: not UTF-8 JSON",
        files=raw("organizations", "\ufeff[]"),
    ),
    "lone surrogate": Case(
        same,
        "refused",
        "organizations.json: invalid JSON",
        files=raw("organizations", '[{"id": "x", "name": "\\ud800"}]'),
    ),
    "the dataset a list": Case(
        lambda d: [d],
        "refused",
        "$: an HSDS dataset maps table names to lists, not a list",
        memory=True,
    ),
    "the dataset a string": Case(
        lambda d: "x",
        "refused",
        "$: an HSDS dataset maps table names to lists, not str",
        memory=True,
    ),
    "huge ints in memory": Case(
        at("locations", "latitude", 10**5000),
        "skipped",
        "locations.json[0].latitude: Input should be",
        memory=True,
    ),
    "no table at all": Case(lambda d: {}, "refused", "holds no HSDS table"),
    # -- valid HSDS the directory cannot hold: that organization is skipped, with why --------
    "no referral fields": Case(
        lambda d: {**d, "attributes": []},
        "skipped",
        "organizations.json[0] 'こども食堂ネット': no kind, tier and area",
    ),
    "unknown kind": Case(
        lambda d: attribute(d, "kind", "food_bank"),
        "skipped",
        "attributes.json[0].value: unknown kind 'food_bank'",
    ),
    "unknown tier": Case(
        lambda d: attribute(d, "tier", "galaxy"),
        "skipped",
        "attributes.json[1].value: Input should be",
    ),
    "area not an id": Case(
        lambda d: attribute(d, "area", "西区"),
        "skipped",
        "attributes.json[2].value: String should match pattern",
    ),
    "area not in the directory": Case(
        lambda d: attribute(d, "area", "naka.x"),
        "skipped",
        f"{FOREIGN_ID}: unknown area 'naka.x' in this directory",
    ),
    "catchment not in the directory": Case(
        at("service_areas", "extent", "kanagawa.x"), "skipped", "unknown area 'kanagawa.x'"
    ),
    "phone without dashes": Case(
        at("phones", "number", "0451112222"),
        "skipped",
        "phones.json[0].number: String should match pattern",
    ),
    "phone international": Case(
        at("phones", "number", "+81-45-111-2222"),
        "skipped",
        "phones.json[0].number: String should match pattern ",
    ),
    "phone with an escape": Case(
        at("phones", "number", "045\x1b[2J"),
        "skipped",
        "phones.json[0].number: String should match pattern ",
    ),
    "minimum_age 1.5": Case(
        at("services", "minimum_age", 1.5),
        "skipped",
        "services.json[0].minimum_age: 1.5 is not a whole number of years",
    ),
    "minimum_age -3": Case(
        at("services", "minimum_age", -3),
        "skipped",
        "services.json[0].minimum_age: Input should be greater than or equal to 0",
    ),
    "minimum_age 10**400": Case(
        at("services", "minimum_age", 10**400),
        "skipped",
        "services.json[0].minimum_age: over 10,000 is not an age",
    ),
    "maximum_age 200": Case(
        at("services", "maximum_age", 200),
        "skipped",
        "services.json[0].maximum_age: Input should be less than or equal to 130",
    ),
    "ages the wrong way round": Case(
        at("services", "minimum_age", 40),
        "skipped",
        "services.json[0]: age range is empty: min 40 > max 18",
    ),
    "latitude 95": Case(
        at("locations", "latitude", 95),
        "skipped",
        "locations.json[0].latitude: Input should be less than or equal to 90",
    ),
    "only a longitude": Case(
        at("locations", "latitude", ...),
        "skipped",
        "locations.json[0].latitude: Input should be a valid number",
    ),
    "javascript: website": Case(
        at("organizations", "website", "javascript:alert(1)"),
        "skipped",
        "organizations.json[0].website: url 'javascript:alert(1)' is not a web link",
    ),
    "data: website": Case(
        at("organizations", "website", "data:text/html,<b>x</b>"), "skipped", "is not a web link"
    ),
    "name with a title escape": Case(
        at("organizations", "name", ESC + "西区"),
        "skipped",
        "organizations.json[0]: name.ja: control character U+001B",
    ),
    "name with NUL": Case(
        at("organizations", "name", "西\x00区"),
        "skipped",
        "name.ja: control character U+0000 at position 1",
    ),
    "name with an 8-bit CSI": Case(
        at("organizations", "name", "西\x9b2J区"), "skipped", "name.ja: control character U+009B"
    ),
    "name 3,000 characters": Case(
        at("organizations", "name", "名" * 3000),
        "skipped",
        "organizations.json[0].name.ja: String should have at most 2000",
    ),
    "address with a clear-screen": Case(
        at("addresses", "address_1", "中央\x1b[2J"), "skipped", "address: control character U+001B"
    ),
    "operator with a bell": Case(
        lambda d: attribute(d, "operator", "\x07社会福祉法人"),
        "skipped",
        "operator: control character U+0007",
    ),
    "notes with an escape": Case(
        lambda d: attribute(d, "notes", "調査メモ\x1b[2J秘密"),
        "skipped",
        "notes: control character U+001B at position 4",
    ),
    "remarks not JSON": Case(
        lambda d: attribute(d, "remarks", "{not json"),
        "skipped",
        "attributes.json[3].value: not the JSON this field holds",
    ),
    "remarks nested 100,000 deep": Case(
        lambda d: attribute(d, "remarks", "[" * 100_000 + "]" * 100_000),
        "skipped",
        "attributes.json[3].value: not the JSON",
    ),
    "derived of the wrong shape": Case(
        lambda d: attribute(d, "derived", '[{"field": 1}]'), "skipped", "attributes.json[3].value"
    ),
    "phone details not a list": Case(
        lambda d: attribute(d, "phone_details", '{"a": 1}'),
        "skipped",
        "attributes.json[3].value: must be a list of objects",
    ),
    "confidential with an address": Case(
        lambda d: attribute(d, "confidential", "true"),
        "skipped",
        "a confidential body must not carry an address",
    ),
    "contact_via nobody": Case(
        lambda d: attribute(d, "contact_via", "w.nobody"), "skipped", "unknown agency 'w.nobody'"
    ),
    "identifier not an id": Case(
        lambda d: identifier(d, "W.Ward Office"),
        "skipped",
        "organization_identifiers.json[0].identifier: String should match pattern",
    ),
    "sources not JSON": Case(
        lambda d: metadata(d, "nope"),
        "skipped",
        "metadata.json[0].replacement_value: not the JSON this field holds",
    ),
    "sources empty": Case(
        lambda d: metadata(d, "[]"),
        "skipped",
        "metadata.json[0].replacement_value: Tuple should have at least 1 item",
    ),
    "sources nested deep": Case(
        lambda d: metadata(d, "[" * 50_000 + "]" * 50_000),
        "skipped",
        "metadata.json[0].replacement_value: not the JSON",
    ),
    "source the directory lacks": Case(
        lambda d: metadata(d, '[{"source": "evil"}]'),
        "skipped",
        f"{FOREIGN_ID}: unknown source 'evil'",
    ),
    "checked not a date": Case(
        lambda d: metadata(d, '[{"source": "test"}]', "yesterday"),
        "skipped",
        "metadata.json[0].last_action_date: Input should be a valid date",
    ),
    # -- rows that point nowhere are listed; the organization still comes in ----------------
    "phone of no organization": Case(
        at("phones", "organization_id", _uuid(0x999)),
        "added",
        "phones.json[0].organization_id: names no organization",
    ),
    "two referral ids for one organization": Case(
        lambda d: identifier(identifier(d, "w.one"), "w.two", n=0x301),
        "added",
        "organization_identifiers.json[1]: a second referral_id",
    ),
    "parent of itself": Case(
        at("organizations", "parent_organization_id", ORG),
        "added",
        f"part_of link {FOREIGN_ID} → {FOREIGN_ID}: link from",
    ),
    "parent unknown": Case(
        at("organizations", "parent_organization_id", _uuid(0x777)),
        "added",
        "organizations.json[0].parent_organization_id: names no organization imported",
    ),
    "parents in a cycle": Case(
        lambda d: at("organizations", "parent_organization_id", _uuid(0x500))(second_org(d, ORG)),
        "added",
        "part_of cycle",
    ),
    "phone details try to change the number": Case(
        lambda d: attribute(d, "phone_details", '[{"number": "110", "label_en": "main"}]'), "added"
    ),
    "two organizations, one id": Case(
        lambda d: second_org(d, oid=ORG.upper()),
        "added",
        f"organizations.json[1] '第二の会': the id '{FOREIGN_ID}' is organizations.json[0]'s",
    ),
    "two organizations, one referral id": Case(
        lambda d: identifier(identifier(second_org(d), "w.one"), "w.one", _uuid(0x500), 0x301),
        "added",
        "organization_identifiers.json[1]: referral_id 'w.one' is claimed by an organization "
        "before it",
    ),
    # -- a body the directory holds: kept unless asked, every change reported ---------------
    "names the ward office": Case(
        ward_office,
        "kept",
        f"{WARD}: the directory holds it with another name, address, postal_code, phones",
    ),
    "names the ward office, --update": Case(
        ward_office,
        "updated",
        f"{WARD}: phones: '045-000-0000' → '045-111-2222'",
        update=True,
    ),
    # -- odd but fine ----------------------------------------------------------------------
    "the dataset as it is": Case(same, "added"),
    "an id in capitals": Case(
        lambda d: json.loads(json.dumps(d).replace(ORG, ORG.upper())), "added"
    ),
    "an id that is not a UUID": Case(
        lambda d: json.loads(json.dumps(d).replace(ORG, "org-1")), "added"
    ),
    "a formula for a name": Case(
        at("organizations", "name", '=HYPERLINK("http://x","y")'), "added"
    ),
    "nulls for optional fields": Case(
        lambda d: at("organizations", "website", None)(at("phones", "description", None)(d)),
        "added",
    ),
    "a table file holding null": Case(same, "added", files=raw("phones", "null")),
    "unknown tables and fields": Case(
        lambda d: {
            **d,
            "schedules": [{"x": nested(50)}],
            "organizations": [{**d["organizations"][0], "extra": nested(50)}],
        },
        "added",
    ),
}


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_document(tmp_path_factory.mktemp("tiny") / "tiny.json", tiny_document())


def write_case(case: Case, folder: Path) -> Path:
    """Write the case's dataset as a folder of table files, as `referral import` reads it."""
    data = case.mutate(copy.deepcopy(foreign()))
    files = {
        f"{name}.json": json.dumps(rows, ensure_ascii=False).encode() for name, rows in data.items()
    }
    if case.files is not None:
        files = case.files(files)
    folder.mkdir(parents=True, exist_ok=True)
    for name, blob in files.items():
        (folder / name).write_bytes(blob)
    return folder


def run(case: Case, folder: Path) -> HsdsMerge | ReferralError:
    """Read, import and merge the case into the tiny directory; a ReferralError is a result,
    anything else an internal error (the test fails)."""
    try:
        data = case.mutate(copy.deepcopy(foreign())) if case.memory else read_hsds(folder)
        result = import_hsds(data, where=str(folder))
        return merge_hsds(tiny_document(), result, update=case.update)
    except ReferralError as exc:
        return exc


def test_the_base_dataset_is_valid_hsds() -> None:
    if not SCHEMAS.is_dir():
        pytest.skip(f"HSDS 3.0 schemas not found at {SCHEMAS}")
    assert validate_hsds(foreign(), SCHEMAS) == []


def test_there_are_at_least_fifty_hostile_datasets() -> None:
    hostile = [name for name, c in CASES.items() if c.outcome != "added" or c.says]
    assert len(hostile) >= 50, len(hostile)


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_dataset(name: str, tmp_path: Path, tiny_file: Path) -> None:
    case = CASES[name]
    folder = tmp_path / "dataset" if case.memory else write_case(case, tmp_path / "dataset")
    got = run(case, folder)
    if case.outcome == "refused":
        assert isinstance(got, ReferralError), got
        assert case.says in str(got), str(got)
        assert "\x1b" not in str(got) and "\x00" not in str(got)
    else:
        assert isinstance(got, HsdsMerge), got
        report = [*got.skipped, *got.kept, *got.changes]
        assert not case.says or any(case.says in line for line in report), report
        assert not any("\x1b" in line or "\x00" in line for line in report)
        if case.outcome == "skipped":
            assert got.added == got.updated == ()
        elif case.outcome == "added":
            assert len(got.added) >= 1 and got.updated == ()
        elif case.outcome == "kept":
            assert got.added == got.updated == () and got.document == tiny_document()
        else:
            assert got.updated == (WARD,) and got.added == ()
        Directory(got.document)  # whatever came in, the document is valid
    if case.memory:
        return
    # the command line says the same, in one line each, and never shows an internal error
    out, err = io.StringIO(), io.StringIO()
    argv = ["import", "--format", "hsds", str(folder), "--data", str(tiny_file)]
    with redirect_stdout(out), redirect_stderr(err):
        code = main([*argv, "--update"] if case.update else argv)
    assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue()
    assert code == {"refused": 2, "skipped": 1, "kept": 1}.get(case.outcome, 0)
    shown = out.getvalue() + err.getvalue()
    assert case.says.splitlines()[0][:30] in shown if case.says else True
    assert "\x1b" not in shown and "\x00" not in shown


def test_a_foreign_dataset_without_metadata_imports_citing_hsds(tmp_path: Path) -> None:
    got = run(Case(same, "added"), write_case(Case(same, "added"), tmp_path / "d"))
    assert isinstance(got, HsdsMerge) and got.added == (FOREIGN_ID,)
    doc = got.document
    assert "hsds" in {s.id for s in doc.sources}
    ag = next(a for a in doc.agencies if a.id == FOREIGN_ID)
    assert [c.source for c in ag.sources] == ["hsds"]
    assert (ag.kind, ag.area, ag.serves, ag.phones[0].number) == (
        "npo",
        "w.a",
        ("w.b",),
        "045-111-2222",
    )
    assert ag.address == "横浜市西区中央1-1-1" and ag.ages is not None and ag.ages.min == 6
    assert Directory(doc).agency(FOREIGN_ID).url == "https://kodomo.example/"


def test_an_existing_body_changes_only_when_asked(tmp_path: Path) -> None:
    folder = write_case(Case(ward_office, "kept"), tmp_path / "d")
    before = tiny_document()
    result = import_hsds(read_hsds(folder))
    kept = merge_hsds(before, result)
    assert kept.document == before and kept.added == kept.updated == ()
    assert kept.kept and kept.kept[0].startswith(f"{WARD}: the directory holds it with another")
    changed = merge_hsds(before, result, update=True)
    assert changed.updated == (WARD,)
    new = next(a for a in changed.document.agencies if a.id == WARD)
    assert new.phones[0].number == "045-111-2222"
    fields = {line.split(": ")[1] for line in changed.changes}
    old = next(a for a in before.agencies if a.id == WARD)
    assert fields == {f for f in type(old).model_fields if getattr(old, f) != getattr(new, f)}


def test_the_red_team_case_on_the_command_line(tmp_path: Path, tiny_file: Path) -> None:
    folder = write_case(Case(ward_office, "kept"), tmp_path / "d")
    out_file = tmp_path / "out.json"
    out = io.StringIO()
    with redirect_stdout(out):
        main(
            [
                "import",
                "--format",
                "hsds",
                str(folder),
                "--data",
                str(tiny_file),
                "--out",
                str(out_file),
            ]
        )
    assert (
        "0 added, 0 updated, 0 unchanged, 1 held otherwise and not changed (--update"
        in out.getvalue()
    )
    assert Directory.from_path(out_file).agency(WARD).phones[0].number == "045-000-0000"
    out = io.StringIO()
    with redirect_stdout(out):
        main(
            [
                "import",
                "--format",
                "hsds",
                str(folder),
                "--data",
                str(tiny_file),
                "--out",
                str(out_file),
                "--update",
            ]
        )
    assert "1 updated" in out.getvalue()
    assert f"changed: {WARD}: phones: '045-000-0000' → '045-111-2222'" in out.getvalue()
    assert Directory.from_path(out_file).agency(WARD).phones[0].number == "045-111-2222"


def test_our_export_merges_back_unchanged(bundled: Directory, tmp_path: Path) -> None:
    write_hsds(export_hsds(bundled.document), tmp_path)
    merged = merge_hsds(bundled.document, import_hsds(read_hsds(tmp_path)))
    bodies = [a for a in bundled.agencies if not a.aggregate and not a.is_meeting]
    assert len(merged.unchanged) == len(bodies) and merged.skipped == merged.kept == ()
    assert merged.document == bundled.document
    assert set(HSDS_OBJECTS) <= {p.stem for p in tmp_path.iterdir()}


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing", "no such folder"),
        ("file", "is a file, not a folder"),
        ("empty", "holds no HSDS"),
    ],
)
def test_reading_a_folder_that_is_no_dataset(where: str, says: str, tmp_path: Path) -> None:
    path = tmp_path / where
    if where == "file":
        path.write_text("[]", encoding="utf-8")
    elif where == "empty":
        path.mkdir()
    with pytest.raises(ReferralError, match=says):
        read_hsds(path)
