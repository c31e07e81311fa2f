"""A catalogue of broken data files: each is refused with the exact error, every fault listed
with its JSON path, by the library and by ``referral validate`` alike, and nothing is half-loaded.

Each case takes the tiny valid directory (tests/helpers.py), breaks it one way, and names what
must be said. The same table is documented in docs/data-format.md ("When a file is refused").
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from helpers import tiny_raw_document

from referral import DataFileError, Directory, ValidationError
from referral.cli import main
from referral.matching import load_concerns

Raw = dict[str, Any]
GOOD = json.dumps(tiny_raw_document(), ensure_ascii=False, indent=2)


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _edit(change: Callable[[Raw], None]) -> bytes:
    data = tiny_raw_document()
    change(data)
    return _dump(data)


def _agency(data: Raw, agency_id: str) -> Raw:
    found: Raw = next(a for a in data["agencies"] if a["id"] == agency_id)
    return found


def _index(data: Raw, agency_id: str) -> int:
    return next(i for i, a in enumerate(data["agencies"]) if a["id"] == agency_id)


def _link(source: str, target: str, kind: str = "part_of") -> Raw:
    return {"source": source, "target": target, "kind": kind, "sources": [{"source": "test"}]}


# -- files that are not JSON we accept: one line, naming the file and the place --------------
FILE_FAULTS: list[tuple[str, Callable[[], bytes], str]] = [
    (
        "truncated",
        lambda: GOOD.encode()[:500],
        "invalid JSON at line 25, column 13: Unterminated string starting at",
    ),
    ("empty", lambda: b"", "invalid JSON at line 1, column 1: Expecting value"),
    (
        "trailing text",
        lambda: GOOD.encode() + b"\n}",
        "invalid JSON at line 688, column 1: Extra data",
    ),
    (
        "Shift_JIS",
        lambda: GOOD.replace("hand-made", "手作り").encode("shift_jis"),
        "not UTF-8: invalid byte at offset",
    ),
    (
        "UTF-16",
        lambda: GOOD.encode("utf-16"),
        "not UTF-8 JSON: the file is UTF-16 text; save the file as UTF-8",
    ),
    (
        "byte-order mark",
        lambda: b"\xef\xbb\xbf" + GOOD.encode(),
        "not UTF-8 JSON: the file is a UTF-8 byte-order mark (BOM); "
        "save the file as UTF-8 without BOM",
    ),
    (
        "duplicate key",
        lambda: GOOD.replace(
            '"kind": "care_plaza",', '"kind": "care_plaza", "kind": "x",', 1
        ).encode(),
        "duplicate key 'kind' in a JSON object",
    ),
    (
        "NaN",
        lambda: GOOD.replace('"attested": true', '"attested": NaN', 1).encode(),
        "NaN is not valid JSON",
    ),
    (
        "half a surrogate pair",
        lambda: GOOD.replace("hand-made test network", "test \\ud800", 1).encode(),
        "\\ud800 is half a UTF-16 surrogate pair, not a character",
    ),
    (
        "deeply nested",
        lambda: b'{"notes": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "JSON nested deeper than 32 levels",
    ),
    (
        "nested past the limit",
        lambda: b'{"notes": ' + b"[" * 40 + b"]" * 40 + b"}",
        "JSON nested deeper than 32 levels",
    ),
]


@pytest.mark.parametrize(("name", "make", "message"), FILE_FAULTS, ids=[f[0] for f in FILE_FAULTS])
def test_unreadable_files_are_refused_in_one_line(
    tmp_path: Path, name: str, make: Callable[[], bytes], message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(make())
    with pytest.raises(DataFileError) as info:
        Directory.from_path(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text
    assert _cli_validate(path) == (2, [f"referral: error: {text}"])


def test_a_200_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk used, no memory either
    with pytest.raises(DataFileError) as info:
        Directory.from_path(path)
    assert str(info.value) == (
        f"{path}: file is 209.7 MB; the limit is 67 MB (pass max_bytes, or --max-mb on the "
        "command line, to read larger files)"
    )


# -- files that are JSON but not a valid directory: every fault, each with its path -----------
def _many_faults(d: Raw) -> None:
    _agency(d, "w.a.care_plaza")["kind"] = "care_plaze"
    _agency(d, "w.b.care_plaza")["postal_code"] = "2200013"
    _agency(d, "w.anshin_center")["coordinates"] = {"lat": 135.6, "lon": 35.4}
    d["links"].append(_link("w.a.care_plaza", "w.a.nobody", "connects_to"))
    del _agency(d, "w.ward_office")["checked"]


DOCUMENT_FAULTS: list[tuple[str, Callable[[Raw], None], list[tuple[str, str]]]] = [
    (
        "not an object",
        lambda d: d.clear(),
        [
            ("$.sources", "Field required"),
            ("$.areas", "Field required"),
            ("$.agencies", "Field required"),
            ("$.title", "Field required"),
            ("$.data_date", "Field required"),
        ],
    ),
    (
        "duplicate id",
        lambda d: d["agencies"].append(dict(_agency(d, "w.a.care_plaza"))),
        [("$.agencies[24].id", "duplicate id 'w.a.care_plaza'")],
    ),
    (
        "dangling link",
        lambda d: d["links"].append(_link("w.a.care_plaza", "w.a.nobody", "connects_to")),
        [("$.links[8].target", "unknown agency 'w.a.nobody'")],
    ),
    (
        "unknown kind",
        lambda d: _agency(d, "w.a.care_plaza").update(kind="care_plaze"),
        [("$.agencies[0].kind", "unknown kind 'care_plaze'; did you mean 'care_plaza'?")],
    ),
    (
        "unknown link kind",
        lambda d: d["links"][0].update(kind="links_to"),
        [("$.links[0].kind", "unknown link kind 'links_to'")],
    ),
    (
        "latitude out of range",
        lambda d: _agency(d, "w.a.care_plaza").update(coordinates={"lat": 135.6, "lon": 35.4}),
        [("$.agencies[0].coordinates.lat", "Input should be less than or equal to 90")],
    ),
    (
        "bad postal code",
        lambda d: _agency(d, "w.a.care_plaza").update(postal_code="2200013"),
        [("$.agencies[0].postal_code", "String should match pattern '^\\d{3}-\\d{4}$'")],
    ),
    (
        "part_of cycle",
        lambda d: d["links"].extend(
            [
                _link("w.ward_office", "w.ward_welfare_section"),
                _link("w.ward_welfare_section", "w.ward_office"),
            ]
        ),
        [("$.links[8]", "part_of cycle: w.ward_office -> w.ward_welfare_section -> w.ward_office")],
    ),
    (
        "unknown area",
        lambda d: _agency(d, "w.a.care_plaza").update(area="w.z"),
        [("$.agencies[0].area", "unknown area 'w.z'; did you mean 'w'?")],
    ),
    (
        "missing field",
        lambda d: _agency(d, "w.a.care_plaza").pop("checked"),
        [("$.agencies[0].checked", "Field required")],
    ),
    (
        "wrong type",
        lambda d: d.update(agencies={"w.a.care_plaza": {}}),
        [("$.agencies", "must be a list, not dict")],
    ),
    (
        "impossible date",
        lambda d: _agency(d, "w.a.care_plaza").update(checked="2026-13-01"),
        [
            (
                "$.agencies[0].checked",
                "Input should be a valid date or datetime, month value is outside expected "
                "range of 1-12",
            )
        ],
    ),
    (
        "unknown field",
        lambda d: _agency(d, "w.a.care_plaza").update(colour="blue"),
        [("$.agencies[0].colour", "Extra inputs are not permitted")],
    ),
    (
        "link to itself",
        lambda d: d["links"].append(_link("w.ward_office", "w.ward_office", "connects_to")),
        [("$.links[8]", "link from 'w.ward_office' to itself")],
    ),
    (
        "duplicate link",
        lambda d: d["links"].append(dict(d["links"][0])),
        [
            (
                "$.links[8]",
                "duplicate connects_to link 'w.a.comprehensive_support_center' -> "
                "'w.ward_livelihood_section'",
            )
        ],
    ),
    (
        "unknown source",
        lambda d: _agency(d, "w.a.care_plaza").update(sources=[{"source": "tset"}]),
        [("$.agencies[0].sources[0].source", "unknown source 'tset'; did you mean 'test'?")],
    ),
    (
        "ward without a required body",
        lambda d: d.update(agencies=[a for a in d["agencies"] if a["id"] != "w.anshin_center"]),
        [("$.areas[1]", "ward 'w' has no anshin_center")],
    ),
    (
        "confidential body with an address",
        lambda d: _agency(d, "w.a.care_plaza").update(confidential=True, address="西区1-1"),
        [
            (
                "$.agencies[0]",
                "w.a.care_plaza: a confidential body must not carry an address, postal code "
                "or coordinates",
            )
        ],
    ),
    (
        "bad phone number",
        lambda d: _agency(d, "w.a.care_plaza").update(phones=[{"number": "0453208484"}]),
        [("$.agencies[0].phones[0].number", "String should match pattern")],
    ),
    (
        "ward office under another id",  # every plan for the ward looks up 'w.ward_office'
        lambda d: _agency(d, "w.ward_office").update(id="w.office"),
        [("$.agencies[21].id", "ward 'w' has its ward office under 'w.office'; its id must be")],
    ),
    (
        "ward office id on another kind",
        lambda d: _agency(d, "w.ward_office").update(kind="ward_welfare_council"),
        [
            ("$.areas[1]", "ward 'w' has no ward_office"),
            ("$.agencies[21].kind", "'w.ward_office' must be the ward's ward_office, not a"),
        ],
    ),
    (
        "ward office id in another area",
        lambda d: (
            d["agencies"].append(
                {**_agency(d, "w.ward_office"), "id": "w.a.ward_office", "area": "w"}
            )
            or _agency(d, "w.ward_office").update(area="w.a")
        ),
        [("$.agencies[21].area", "'w.ward_office' must be in ward 'w', not in 'w.a'")],
    ),
    (
        "area hierarchy cycle",
        lambda d: d["areas"][0].update(parent="w"),
        [("$.areas[0].parent", "parent cycle: c -> w -> c")],
    ),
    (
        "area that is its own parent",
        lambda d: d["areas"][0].update(parent="c"),
        [("$.areas[0].parent", "parent cycle: c -> c")],
    ),
    (
        "five faults at once",
        _many_faults,
        [
            ("$.agencies[0].kind", "unknown kind 'care_plaze'; did you mean 'care_plaza'?"),
            ("$.agencies[7].postal_code", "String should match pattern '^\\d{3}-\\d{4}$'"),
            ("$.agencies[6].coordinates.lat", "Input should be less than or equal to 90"),
            ("$.links[8].target", "unknown agency 'w.a.nobody'"),
            ("$.agencies[21].checked", "Field required"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "break_it", "expected"), DOCUMENT_FAULTS, ids=[f[0] for f in DOCUMENT_FAULTS]
)
def test_every_fault_is_listed_with_its_path(
    tmp_path: Path,
    name: str,
    break_it: Callable[[Raw], None],
    expected: list[tuple[str, str]],
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(_edit(break_it))
    before = path.read_bytes()
    with pytest.raises(ValidationError) as info:
        Directory.from_path(path)
    got = [(p.path, p.message) for p in info.value.problems]
    assert len(got) == len(expected), got
    for want_path, want_message in expected:
        assert any(p == want_path and m.startswith(want_message) for p, m in got), (
            want_path,
            want_message,
            got,
        )
    code, lines = _cli_validate(path)
    assert code == 2
    assert [line.split(": ", 1)[1] for line in lines[:-1]] == [f"{p}: {m}" for p, m in got]
    assert path.read_bytes() == before  # reading never touches the file


def test_a_top_level_list_is_not_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_bytes(b"[]")
    with pytest.raises(ValidationError) as info:
        Directory.from_path(path)
    assert [str(p) for p in info.value.problems] == [
        "$: the document must be a JSON object, not list"
    ]


def test_a_concerns_file_with_unknown_concerns_and_kinds(tmp_path: Path) -> None:
    data = json.loads((Path(__file__).parents[1] / "referral" / "concerns.json").read_text())
    data["concerns"][0]["id"] = "hoardng"
    data["concerns"][1]["primary"][0]["kind"] = "care_plaze"
    data["concerns"][3]["id"] = data["concerns"][2]["id"]
    path = tmp_path / "concerns.json"
    path.write_bytes(_dump(data))
    with pytest.raises(ValidationError) as info:
        load_concerns(path)
    assert [str(p) for p in info.value.problems] == [
        "$.concerns[0].id: unknown concern 'hoardng'; did you mean 'hoarding'?",
        "$.concerns[1].primary[0].kind: unknown kind 'care_plaze'; did you mean 'care_plaza'?",
        f"$.concerns[3].id: duplicate concern {data['concerns'][2]['id']!r}",
    ]


def test_the_catalogue_has_at_least_twenty_kinds() -> None:
    assert len(FILE_FAULTS) + len(DOCUMENT_FAULTS) >= 20


def _cli_validate(path: Path) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["validate", "--data", str(path)])
    return code, err.getvalue().splitlines()
