"""The synthetic generator: seeded, valid at every size, with the template's structure."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral import Directory
from referral.synth import SCALES, generate, template_structure
from referral.vocabulary import REQUIRED_WARD_KINDS

PEOPLE = dict(SCALES["national"].individuals)


def test_same_seed_same_document_and_drop_depends_on_the_seed() -> None:
    assert generate(wards=3, areas_per_ward=2, seed=4) == generate(
        wards=3, areas_per_ward=2, seed=4
    )
    a = generate(wards=6, areas_per_ward=2, seed=1, drop=0.5)
    b = generate(wards=6, areas_per_ward=2, seed=2, drop=0.5)
    assert {x.id for x in a.agencies} != {x.id for x in b.agencies}


@settings(max_examples=30, deadline=None)
@given(
    wards=st.integers(1, 6),
    areas=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    drop=st.sampled_from([0.0, 0.3, 0.9]),
    people=st.integers(0, 3),
)
def test_every_generated_directory_is_valid_with_the_real_tiers(
    wards: int, areas: int, seed: int, drop: float, people: int
) -> None:
    doc = generate(
        wards=wards,
        areas_per_ward=areas,
        seed=seed,
        drop=drop,
        individuals={"welfare_commissioner": people, "neighborhood_association": people},
    )
    d = Directory(doc)  # integrity: ids, references, required kinds, no cycles
    districts = [a for a in d.areas if a.kind == "district"]
    assert len(districts) == wards * areas
    for area in d.areas:
        if area.kind == "ward":
            assert set(REQUIRED_WARD_KINDS) <= {ag.kind for ag in d.agencies_in(area.id)}
    template = template_structure()
    patterns = set(template.links)
    kind = {a.id: a.kind for a in d.agencies}
    assert {(kind[lk.source], lk.kind, kind[lk.target]) for lk in d.links} <= patterns
    per_area = Counter(
        (ag.area, ag.kind) for ag in d.agencies if not ag.aggregate and ag.id.count(".p") == 1
    )
    for a in districts:
        assert per_area[(a.id, "welfare_commissioner")] == people


def test_national_proportions_per_area() -> None:
    doc = generate(wards=2, areas_per_ward=3, individuals=PEOPLE, seed=1)
    area = "w1.a2"
    counts = Counter(ag.kind for ag in doc.agencies if ag.area == area and not ag.aggregate)
    for kind, n in PEOPLE.items():
        assert counts[kind] == n
    scale = SCALES["national"]
    assert scale.wards * scale.areas_per_ward * PEOPLE["welfare_commissioner"] == 229_500


@pytest.mark.parametrize(("enabled", "drawn"), [(True, True), (False, False), (None, False)])
def test_progress_bar_only_when_asked_or_on_a_terminal(
    capsys: pytest.CaptureFixture[str], enabled: bool | None, drawn: bool
) -> None:
    generate(wards=3, areas_per_ward=1, progress=enabled)
    err = capsys.readouterr().err
    assert ("generating [" in err and "3/3" in err) is drawn
    assert drawn or err == ""
