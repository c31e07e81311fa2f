"""The bundled data: reproducible from data/sources, complete, sourced, honest."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from helpers import load_script

from referral import Directory
from referral._data import bundled_path
from referral.vocabulary import KINDS, REQUIRED_AREA_KINDS, REQUIRED_WARD_KINDS

ROOT = Path(__file__).resolve().parent.parent


def _script(name: str) -> ModuleType:
    return load_script("scripts", name)


@pytest.fixture(scope="module")
def build_data() -> ModuleType:
    return _script("build_data")


def test_committed_json_equals_a_fresh_build(build_data: ModuleType) -> None:
    assert build_data.build() == bundled_path().read_text(encoding="utf-8"), (
        "data/agencies.json is stale: run python scripts/build_data.py"
    )


def test_postal_table_equals_a_fresh_extraction(
    build_data: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = (ROOT / "data" / "sources" / "japanpost_towns.csv").read_text(encoding="utf-8")
    (tmp_path / "wards.csv").write_text(
        (ROOT / "data" / "sources" / "wards.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setattr(build_data, "SOURCES", tmp_path)
    assert build_data.refresh_postal() == committed.count("\n") - 1
    assert (tmp_path / "japanpost_towns.csv").read_text(encoding="utf-8") == committed


def test_every_source_table_row_cites_a_source() -> None:
    for path in sorted((ROOT / "data" / "sources").rglob("*.csv")):
        if path.name == "sources.csv":  # the source table itself
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, path
        column = "source" if "source" in rows[0] else None
        assert column, f"{path.name} has no source column"
        missing = [i for i, r in enumerate(rows, 2) if not (r[column] or "").strip()]
        assert not missing, f"{path.name}: rows {missing} have no source"


def test_counts(bundled: Directory) -> None:
    kinds = Counter(a.kind for a in bundled.agencies)
    assert kinds["care_plaza"] == 146
    assert kinds["comprehensive_support_center"] == 147
    assert kinds["nursing_home"] == 1
    wards = [a for a in bundled.areas if a.kind == "ward"]
    assert len(wards) == 18
    assert len([a for a in bundled.areas if a.kind == "district"]) == 147
    for ward in wards:
        present = {a.kind for a in bundled.agencies_in(ward.id)}
        assert set(REQUIRED_WARD_KINDS) <= present, ward.id
    for area in bundled.districts():
        present = {a.kind for a in bundled.agencies_in(area.id)}
        assert set(REQUIRED_AREA_KINDS) <= present, area.id
    meetings = [a for a in bundled.agencies if KINDS[a.kind].meeting]
    assert len(meetings) == 13 * 18 + 2


def test_every_record_is_sourced_and_checked(bundled: Directory) -> None:
    source_ids = {s.id for s in bundled.document.sources}
    for records in (bundled.agencies, bundled.areas, bundled.links):
        for record in records:
            assert record.sources, record
            assert all(c.source in source_ids for c in record.sources)
    assert all(a.checked.year >= 2026 for a in bundled.agencies)


def test_structural_records_say_whom_to_call(bundled: Directory) -> None:
    for ag in bundled.agencies:
        if ag.attested or ag.is_meeting:
            continue
        contact = bundled.contact(ag)
        # a structural record either has its own line or routes to one that has
        assert ag.phones or contact.phones or (ag.contact_via is None and ag.area == "yokohama"), (
            ag.id
        )


def test_aggregates_are_named_as_aggregates(bundled: Directory) -> None:
    for ag in bundled.agencies:
        if ag.aggregate and ag.kind not in ("police_station", "child_guidance_center"):
            assert "集約" in ag.name.ja and "aggregate" in ag.name.en, ag.id


def test_no_invented_phone_numbers(bundled: Directory) -> None:
    """Every phone number in the data appears verbatim in data/sources (or is 110/189)."""
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "data" / "sources").rglob("*.csv")
    )
    for ag in bundled.agencies:
        for phone in ag.phones:
            assert phone.number in text or phone.number in ("110", "189"), (ag.id, phone)


def test_confidential_bodies_have_no_address(bundled: Directory) -> None:
    confidential = [a for a in bundled.agencies if a.confidential]
    assert [a.kind for a in confidential] == ["dv_support_center"]
    assert all(a.address is None and a.coordinates is None for a in confidential)


def test_newer_catchment_supersedes_and_both_are_kept(bundled: Directory) -> None:
    area = bundled.area("nishi.tobe_honcho")
    assert area.catchment is not None
    assert "緑町" in area.catchment.text
    assert area.catchment.source.source == "kana_rakuraku"
    assert any("緑町" not in alt.text for alt in area.catchment.alternatives)
