"""Gap analysis: exact answers on a tiny hand-made network, properties on generated ones."""

from __future__ import annotations

import datetime as dt
import json

import networkx as nx
import pytest
from helpers import tiny_document
from hypothesis import given, settings
from hypothesis import strategies as st

from referral import Directory, UnknownAgencyError
from referral.gaps import coverage, data_health, evidence_date, single_points_of_failure, what_if
from referral.models import Citation, Concern, KindRef, Text
from referral.synth import generate

C1 = Concern(
    id="c_support",
    name=Text(ja="支援", en="support"),
    primary=(KindRef(kind="comprehensive_support_center"), KindRef(kind="ward_livelihood_section")),
    aliases=(),
)
C2 = Concern(
    id="c_hygiene",
    name=Text(ja="衛生", en="hygiene"),
    primary=(KindRef(kind="ward_hygiene_section"),),
    aliases=(),
)
C3 = Concern(
    id="c_guidance",
    name=Text(ja="児相", en="guidance"),
    primary=(KindRef(kind="child_guidance_center"),),
    aliases=(),
)
TINY = (C1, C2, C3)


@pytest.fixture
def G() -> nx.MultiDiGraph:  # noqa: N802 - G is the graph
    return Directory(tiny_document()).graph


def test_coverage_exact_on_the_tiny_network(G: nx.MultiDiGraph) -> None:
    cov = coverage(G, concerns=TINY)
    status = {(a.concern, a.area): a.status for a in cov.areas}
    assert status == {
        ("c_support", "w.a"): "covered",
        ("c_support", "w.b"): "covered",
        ("c_hygiene", "w.a"): "uncovered",
        ("c_hygiene", "w.b"): "uncovered",
        ("c_guidance", "w.a"): "uncovered",
        ("c_guidance", "w.b"): "uncovered",
    }
    cells = {(c.concern, c.area, c.kind): (c.status, c.agency, c.hops) for c in cov.cells}
    assert cells[("c_support", "w.a", "comprehensive_support_center")] == (
        "reachable",
        "w.a.comprehensive_support_center",
        1,
    )
    assert cells[("c_support", "w.a", "ward_livelihood_section")] == (
        "reachable",
        "w.ward_livelihood_section",
        2,
    )
    assert cells[("c_hygiene", "w.a", "ward_hygiene_section")] == (
        "unreachable",
        "w.ward_hygiene_section",
        None,
    )
    assert cells[("c_guidance", "w.b", "child_guidance_center")] == ("missing", None, None)
    assert cov.share_covered() == {
        "c_guidance": {"w": 0.0},
        "c_hygiene": {"w": 0.0},
        "c_support": {"w": 1.0},
    }
    assert {(g.concern, g.area) for g in cov.gaps()} >= {("c_hygiene", "w.a")}


def test_single_points_of_failure_exact(G: nx.MultiDiGraph) -> None:
    found = single_points_of_failure(G, concerns=TINY)
    assert [(s.agency, s.areas, s.targets) for s in found] == [
        ("w.a.comprehensive_support_center", ("w.a",), ("w.ward_livelihood_section",)),
        ("w.b.comprehensive_support_center", ("w.b",), ("w.ward_livelihood_section",)),
    ]
    assert "only through" in found[0].statement.en and "しか" in found[0].statement.ja


def test_a_second_way_removes_the_single_point() -> None:
    doc = tiny_document(
        links=(("w.a.welfare_commissioner", "w.ward_livelihood_section", "connects_to"),)
    )
    # neighbourhood -> ward skips a tier, so routes do not use it: still a single point
    assert (
        single_points_of_failure(Directory(doc).graph, concerns=TINY)[0].agency
        == "w.a.comprehensive_support_center"
    )
    doc = tiny_document(
        links=(
            ("w.a.welfare_commissioner", "w.a.care_plaza", "connects_to"),
            ("w.a.care_plaza", "w.ward_livelihood_section", "connects_to"),
        )
    )
    agencies = [s.agency for s in single_points_of_failure(Directory(doc).graph, concerns=TINY)]
    assert "w.a.comprehensive_support_center" not in agencies


def test_what_if_closing_a_care_plaza_closes_its_support_centre(G: nx.MultiDiGraph) -> None:
    report = what_if(G, ["w.a.care_plaza"], concerns=TINY)
    assert report.removed == ("w.a.care_plaza", "w.a.comprehensive_support_center")
    assert [(loss.area, loss.kind, loss.change) for loss in report.losses] == [
        ("w.a", "comprehensive_support_center", "unreachable"),
        ("w.a", "ward_livelihood_section", "unreachable"),
    ]
    assert report.areas_affected == ("w.a",) and report.newly_uncovered == 1
    assert what_if(G, ["w.a.care_plaza"], cascade=False, concerns=TINY).losses == ()
    with pytest.raises(UnknownAgencyError):
        what_if(G, ["nope"], concerns=TINY)


def test_load_and_health_exact(G: nx.MultiDiGraph) -> None:
    d = Directory(tiny_document())
    load = {x.agency: (x.areas, x.concerns) for x in d.load_concentration()}
    assert load["w.ward_livelihood_section"][0] == 2
    health = data_health(G, today=dt.date(2026, 6, 1))
    assert health.stale_total == 0 and health.share_attested == 1.0
    later = data_health(G, today=dt.date(2027, 6, 1))
    assert later.stale_total == sum(r.records for r in later.rows_)
    assert {f.plan for f in health.figures} >= {253, 256, 263, 4500, 146}


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (["(2015-05-21)"], dt.date(2015, 5, 21)),
        (["広報 2018-09", "(2013)"], dt.date(2018, 9, 1)),
        (["undated"], None),
        (["2026-13-45"], dt.date(2026, 1, 1)),
    ],
)
def test_evidence_date(details: list[str], expected: dt.date | None) -> None:
    assert evidence_date([Citation(source="web", detail=d) for d in details]) == expected


def test_bundled_figures(bundled: Directory) -> None:
    cov = bundled.coverage()
    assert len(cov.areas) == 147 * 32
    statuses = {a.status for a in cov.areas}
    assert statuses <= {"covered", "partial", "uncovered"}
    # the support centre housed in a nursing home has no care plaza in its area
    wak = {a.concern: a.status for a in cov.areas if a.area == "kanagawa.wakatakeen"}
    assert wak["isolation"] != "covered"
    spof = bundled.single_points_of_failure(ward="nishi")
    assert any(
        s.kind == "ward_child_family_section" and s.agency == "nishi.ward_child_family_section"
        for s in spof
    )
    report = bundled.what_if("nishi.tobe_honcho.care_plaza")
    assert report.areas_affected == ("nishi.tobe_honcho",) and report.newly_uncovered > 0
    health = bundled.data_health(today=dt.date(2026, 11, 28))
    assert 0.5 < health.share_attested < 0.6
    records = cov.to_records()
    assert set(records[0]) >= {"concern", "area", "ward", "status", "structural_only"}
    frame = cov.to_frame()
    assert len(frame) == len(records)


# -- properties on generated networks ---------------------------------------------------------
def _gaps(G: nx.MultiDiGraph) -> set[tuple[str, str]]:
    return {(a.concern, a.area) for a in coverage(G).areas if a.status != "covered"}


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 1000),
    wards=st.integers(1, 3),
    areas=st.integers(1, 3),
    drop=st.floats(0.1, 0.6),
)
def test_adding_bodies_never_adds_a_gap(seed: int, wards: int, areas: int, drop: float) -> None:
    fewer = Directory(generate(wards=wards, areas_per_ward=areas, seed=seed, drop=drop)).graph
    full = Directory(generate(wards=wards, areas_per_ward=areas, seed=seed)).graph
    assert set(fewer) <= set(full)
    assert _gaps(full) <= _gaps(fewer)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), data=st.data())
def test_removing_a_body_never_removes_a_gap(seed: int, data: st.DataObject) -> None:
    G = Directory(generate(wards=2, areas_per_ward=2, seed=seed)).graph
    victims = data.draw(st.lists(st.sampled_from(sorted(G)), min_size=1, max_size=3))
    view = nx.restricted_view(G, victims, [])
    assert _gaps(G) <= _gaps(view)
    report = what_if(G, victims)
    assert all(loss.change in ("lost", "unreachable", "rerouted") for loss in report.losses)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), wards=st.integers(1, 4), areas=st.integers(1, 3))
def test_one_wards_coverage_is_its_share_of_the_whole(seed: int, wards: int, areas: int) -> None:
    doc = generate(wards=wards, areas_per_ward=areas, seed=seed, drop=0.3)
    ward = f"w{seed % wards}"
    alone = Directory(doc).coverage(ward=ward)  # computed for the ward only
    d = Directory(doc)
    whole = d.coverage()
    assert alone == d.coverage(ward=ward)  # filtered from the whole
    assert {a.ward for a in alone.areas} == {ward}
    assert coverage(d.graph) == whole  # graph-first, no index given


def test_coverage_needs_a_graph_or_an_index() -> None:
    with pytest.raises(TypeError, match="needs the graph G or its route index"):
        coverage()


# -- the command -------------------------------------------------------------------------------
def test_cli_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    from referral.cli import main  # noqa: PLC0415

    assert main(["gaps", "--ward", "西区"]) == 0
    out = capsys.readouterr().out
    assert "カバー状況 — 西区" in out and "単一障害点" in out
    assert "計画 253" not in out  # the plan's figures are the city's: not set against a ward
    assert main(["gaps", "--ward", "nishi", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ward"] == "nishi" and data["share_covered"]["hoarding"] == {"nishi": 1.0}
    assert main(["gaps", "--ward", "nishi", "--csv", "--table", "spof"]) == 0
    assert capsys.readouterr().out.startswith("agency,kind,ward,areas")
    assert main(["gaps", "--what-if", "nishi.tobe_honcho.care_plaza", "--lang", "en"]) == 0
    assert "Removed:" in capsys.readouterr().out
    assert main(["gaps", "--what-if", "nishi.nope"]) == 1
