"""Validation lists every fault with its JSON path; the bundled data is valid."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import tiny_document, write_raw

from referral import Directory, ValidationError
from referral.validation import validate_data

Raw = dict[str, Any]


def tiny_raw() -> Raw:
    data: Raw = json.loads(tiny_document().model_dump_json())
    return data


def _agency(data: Raw, agency_id: str) -> tuple[int, Raw]:
    return next((i, a) for i, a in enumerate(data["agencies"]) if a["id"] == agency_id)


def set_kind(data: Raw) -> None:
    data["agencies"][0]["kind"] = "care_plaze"


def dup_id(data: Raw) -> None:
    data["agencies"].append(dict(data["agencies"][0]))


def dangling(data: Raw) -> None:
    data["links"][0]["target"] = "w.a.nobody"


def bad_area(data: Raw) -> None:
    data["agencies"][0]["area"] = "w.z"


def bad_postal(data: Raw) -> None:
    data["agencies"][0]["postal_code"] = "2200013"


def bad_coords(data: Raw) -> None:
    data["agencies"][0]["coordinates"] = {"lat": 135.6, "lon": 35.4}


def unknown_source(data: Raw) -> None:
    data["agencies"][0]["sources"] = [{"source": "tset"}]


def missing_required(data: Raw) -> None:
    data["agencies"] = [a for a in data["agencies"] if a["id"] != "w.anshin_center"]


def part_of_cycle(data: Raw) -> None:
    for s, t in (
        ("w.ward_office", "w.ward_welfare_section"),
        ("w.ward_welfare_section", "w.ward_office"),
    ):
        data["links"].append(
            {"source": s, "target": t, "kind": "part_of", "sources": [{"source": "test"}]}
        )


def unknown_link_kind(data: Raw) -> None:
    data["links"][0]["kind"] = "links_to"


def missing_field(data: Raw) -> None:
    del data["agencies"][0]["checked"]


def wrong_type(data: Raw) -> None:
    data["agencies"] = {"not": "a list"}


def bad_date(data: Raw) -> None:
    data["agencies"][0]["checked"] = "2026-13-45"


def unknown_field(data: Raw) -> None:
    data["agencies"][0]["colour"] = "red"


def self_link(data: Raw) -> None:
    data["links"][0]["target"] = data["links"][0]["source"]


def bad_parent(data: Raw) -> None:
    data["areas"][0]["parent"] = "w.a"  # first area after sorting is "c"


@pytest.mark.parametrize(
    ("break_it", "path", "message"),
    [
        (set_kind, "$.agencies[0].kind", "unknown kind 'care_plaze'; did you mean 'care_plaza'?"),
        (dup_id, "$.agencies[", "duplicate id 'w.a.care_plaza'"),
        (dangling, "$.links[0].target", "unknown agency 'w.a.nobody'"),
        (bad_area, "$.agencies[0].area", "unknown area 'w.z'"),
        (bad_postal, "$.agencies[0].postal_code", "String should match pattern"),
        (bad_coords, "$.agencies[0].coordinates.lat", "less than or equal to 90"),
        (
            unknown_source,
            "$.agencies[0].sources[0].source",
            "unknown source 'tset'; did you mean 'test'?",
        ),
        (missing_required, "$.areas[", "ward 'w' has no anshin_center"),
        (part_of_cycle, "$.links[", "part_of cycle: w."),
        (unknown_link_kind, "$.links[0].kind", "unknown link kind 'links_to'"),
        (missing_field, "$.agencies[0].checked", "Field required"),
        (wrong_type, "$.agencies", "must be a list, not dict"),
        (bad_date, "$.agencies[0].checked", "month value is outside expected range"),
        (unknown_field, "$.agencies[0].colour", "Extra inputs are not permitted"),
        (self_link, "$.links[0]", "to itself"),
        (bad_parent, "$.areas[0].parent", "a ward must sit in a city"),
    ],
)
def test_each_fault_is_reported_with_its_path(
    break_it: Callable[[Raw], None], path: str, message: str
) -> None:
    data = tiny_raw()
    if break_it is bad_parent:
        data["areas"] = [a for a in data["areas"] if a["id"] != "c"]
        data["areas"][0]["parent"] = "w.a"
        path, message = "$.areas[0].parent", "a ward must sit in a city"
    break_it(data)
    doc, problems = validate_data(data)
    assert doc is None
    assert any(p.path.startswith(path) and message in p.message for p in problems), problems


def test_valid_tiny_document_has_no_problems() -> None:
    doc, problems = validate_data(tiny_raw())
    assert problems == [] and doc == tiny_document()


def test_paths_point_into_the_file_after_a_record_fails_the_schema() -> None:
    data = tiny_raw()
    data["agencies"][0]["kind"] = "nope"  # record 0 fails the schema pass
    data["agencies"][3]["area"] = "w.z"  # record 3 fails integrity
    _, problems = validate_data(data)
    assert {p.path for p in problems} >= {"$.agencies[0].kind", "$.agencies[3].area"}


def test_bundled_data_is_valid(bundled_raw: Raw) -> None:
    doc, problems = validate_data(bundled_raw)
    assert problems == []
    assert doc is not None and len(doc.agencies) > 2500


def test_broken_copy_of_the_bundled_data_lists_every_fault(
    bundled_raw: Raw, tmp_path: Path
) -> None:
    data = bundled_raw
    i, _ = _agency(data, "nishi.tobe_honcho.care_plaza")
    data["agencies"][i]["kind"] = "care_plazza"
    j, _ = _agency(data, "naka.ward_office")
    data["agencies"][j]["postal_code"] = "231-00"
    k, _ = _agency(data, "minami.ooka.comprehensive_support_center")
    data["agencies"][k]["area"] = "minami.oka"
    data["links"][5]["target"] = "nowhere.at_all"
    data["agencies"].append(dict(data["agencies"][0]))
    m, _ = _agency(data, "isogo.ward_office")
    data["agencies"][m]["coordinates"] = {"lat": 35.4, "lon": 239.6}
    path = write_raw(tmp_path / "broken.json", data)
    with pytest.raises(ValidationError) as info:
        Directory.from_path(path)
    found = {(p.path, p.code) for p in info.value.problems}
    expected_paths = {
        f"$.agencies[{i}].kind",
        f"$.agencies[{j}].postal_code",
        f"$.agencies[{k}].area",
        "$.links[5].target",
        f"$.agencies[{len(data['agencies']) - 1}].id",
        f"$.agencies[{m}].coordinates.lon",
    }
    assert expected_paths <= {p for p, _ in found}
    assert len(info.value.problems) >= 6
    assert str(info.value).startswith(f"{path}: {len(info.value.problems)} problems: ")


def test_a_record_failing_the_schema_is_reported_once_not_at_every_reference(
    bundled_raw: Raw,
) -> None:
    i, _ = _agency(bundled_raw, "naka.ward_office")
    bundled_raw["agencies"][i]["postal_code"] = "231-00"  # dozens of records point to it
    _, problems = validate_data(bundled_raw)
    assert [(p.path, p.code) for p in problems] == [
        (f"$.agencies[{i}].postal_code", "string_pattern_mismatch")
    ]


@pytest.mark.parametrize(
    "chain",
    [
        ["w.ward_office", "w.ward_welfare_section"],
        ["w.ward_office", "w.ward_welfare_section", "w.ward_livelihood_section"],
        ["w.ward_livelihood_section", "w.ward_office", "w.ward_welfare_section"],
    ],
)
def test_a_cycle_is_named_in_the_direction_of_its_links(chain: list[str]) -> None:
    data = tiny_raw()
    for s, t in zip(chain, chain[1:] + chain[:1], strict=True):
        data["links"].append(
            {"source": s, "target": t, "kind": "part_of", "sources": [{"source": "test"}]}
        )
    _, problems = validate_data(data)
    (cycle,) = [p for p in problems if "cycle" in p.message]
    nodes = cycle.message.split(": ", 1)[1].split(" -> ")
    assert nodes[0] == nodes[-1] and set(nodes) == set(chain)
    links = set(zip(chain, chain[1:] + chain[:1], strict=True))
    assert all(pair in links for pair in itertools.pairwise(nodes))
